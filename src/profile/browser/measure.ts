// Measuring in the browser: the graph is exported here (in Node), served to a fresh page, loaded and
// timed there by the page script, while this side reads the renderer's memory from the OS between the
// phases. Every failure of a candidate becomes an ok:false Measurement; the browser outlives it.
import { exportModel, exportPart } from '../../export/index.js';
import type { ExportedModel, GraphMode } from '../../export/types.js';
import { LtsError } from '../../util/errors.js';
import { hwmMb, resetHwm } from '../procmem.js';
import { tinyModel } from '../tiny.js';
import type { BrowserFingerprint, BrowserRun, DeviceProfile, LatencyStats, Measurement, MemoryStats } from '../types.js';
import type { ModelSource } from '../wire.js';
import { parsePlacements, providerFromPlacement, type MeasureOptions } from '../measure.js';
import { acquire, release, type Held } from './chromium.js';
import type { PageEnv } from './page.js';
import { cpuSeconds, openTab, type Tab } from './tab.js';

/** A page or browser error in one short line: playwright appends a call log, and prefixes the call. */
function oneLine(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  const line = (msg.split('\n').find((l) => l.trim() !== '') ?? msg).replace(/^page\.evaluate: (Error: )?/, '').trim();
  return line.length > 300 ? line.slice(0, 297) + '...' : line;
}

/** The profile's one provider; the page imports the onnxruntime-web build of the same name. */
const ep = (device: DeviceProfile): 'wasm' | 'webgpu' => (device.executionProviders.includes('webgpu') ? 'webgpu' : 'wasm');

/** intraOp 0 = every core the browser reports (navigator.hardwareConcurrency). */
const threadsFor = (device: DeviceProfile, env: PageEnv): number => (device.threads.intraOp === 0 ? env.hardware_concurrency : device.threads.intraOp);

function buildModel(source: ModelSource, mode: GraphMode, device: DeviceProfile, seed: number): ExportedModel {
  if (source.kind === 'tiny') {
    if (mode === 'decode') throw new Error('the tiny probe model has no decode graph');
    return tinyModel(source.width, device.shapes.batch);
  }
  // Weights as external data: the page fetches them as separate files, as onnxruntime-web does for large models.
  if (source.kind === 'part') return exportPart(source.family, source.part, source.d_model, { form: device.graph, mode, shapes: device.shapes, seed }, { protoLimitBytes: 0 });
  return exportModel(source.cfg, { form: device.graph, mode, shapes: device.shapes, seed }, { protoLimitBytes: 0 });
}

const sum = (pids: number[], f: (p: number) => number | undefined): number | undefined => {
  let s = 0;
  for (const p of pids) {
    const v = f(p);
    if (v === undefined) return undefined;
    s += v;
  }
  return pids.length > 0 ? s : undefined;
};

/** The WebGPU adapter check a webgpu profile must pass before measuring: one line saying why not. */
export function adapterRefusal(device: DeviceProfile, env: PageEnv): string | undefined {
  if (!device.executionProviders.includes('webgpu')) return undefined;
  const a = env.webgpu;
  if ('none' in a) return `device '${device.name}': the browser offers no WebGPU adapter here (${a.none})`;
  if (a.software && !device.browser?.allowSoftwareAdapter)
    return `device '${device.name}': the browser's only WebGPU adapter is a software fallback (${a.vendor} ${a.architecture}), whose timings are CPU timings; set "browser": { "allowSoftwareAdapter": true } in the profile to measure it anyway`;
  return undefined;
}

let seq = 0;

/**
 * Where onnxruntime-web places the graph's nodes with WebGPU (it falls back to the CPU per node, silently):
 * a session created in a page of its own at verbose log level, whose console lists the placements. Its
 * own page, because verbose logging also logs every run, and a renderer's wasm heap never shrinks.
 */
async function webgpuPlacement(held: Held, model: ExportedModel, device: DeviceProfile, env: PageEnv): Promise<Record<string, number> | undefined> {
  const tab = await openTab(held, ep(device));
  try {
    const loaded = await loadModel(tab, held, model, device, env, true);
    loaded.unpublish();
    return parsePlacements(tab.console);
  } finally {
    await tab.close();
  }
}

/** Serves the model's bytes and creates its session in the page; the returned function stops serving them. */
async function loadModel(tab: Tab, held: Held, model: ExportedModel, device: DeviceProfile, env: PageEnv, placements = false) {
  const id = `${process.pid}-${++seq}`;
  const files: Record<string, Uint8Array> = { 'model.onnx': model.bytes };
  for (const d of model.externalData) files[d.path] = d.data;
  const unpublish = held.server.publish(id, files);
  try {
    const loaded = await tab.call('load', {
      model: `/m/${id}/model.onnx`,
      externalData: model.externalData.map((d) => ({ path: d.path, url: `/m/${id}/${d.path}` })),
      ep: ep(device),
      threads: threadsFor(device, env),
      placements,
    });
    return { ...loaded, unpublish };
  } catch (e) {
    unpublish();
    throw e;
  }
}

/** Measures one model in a fresh page of the (shared) browser under the device's limits. */
export async function measureInBrowser(source: ModelSource, device: DeviceProfile, opts: MeasureOptions): Promise<Measurement> {
  const t0 = performance.now();
  const timing = { export_ms: 0, session_ms: 0, measure_ms: 0, total_ms: 0 };
  let provider = device.executionProviders.join('+');
  let runtime: Measurement['runtime'];
  const fail = (error: string): Measurement => {
    const m: Measurement = { ok: false, error, timing: { ...timing, total_ms: performance.now() - t0 }, provider };
    if (runtime) m.runtime = runtime;
    return m;
  };
  const graphs: GraphMode[] = [];
  if (opts.metrics.includes('latency') || opts.metrics.includes('memory')) graphs.push('prefill');
  if (opts.metrics.includes('decode')) graphs.push('decode');
  if (graphs.length === 0) return fail(`no metric to measure (got ${JSON.stringify(opts.metrics)})`);

  let held: Held;
  try {
    held = await acquire(device);
  } catch (e) {
    return fail(`browser unavailable: ${oneLine(e)}`);
  }
  let tab: Tab | undefined;
  let stage = 'page';
  try {
    tab = await openTab(held, ep(device));
    const env = await tab.call('env');
    const refusal = adapterRefusal(device, env);
    if (refusal) return fail(refusal);
    const software = device.executionProviders.includes('webgpu') && !('none' in env.webgpu) && env.webgpu.software;
    let placement: Record<string, number> | undefined;
    tab.guard(device.limits);
    if (tab.pids[0] !== undefined) opts.onStart?.(tab.pids[0]);
    const pids = tab.pids;
    const vocab = source.kind === 'config' ? source.cfg.vocab_size : 1;
    const out: { latency?: LatencyStats; decode?: LatencyStats; memory?: MemoryStats } = {};
    let run: BrowserRun | undefined;
    // Without a resettable high-water mark the peaks cannot be told apart: no memory rather than a wrong one.
    const baseline = pids.every((p) => resetHwm(p)) ? sum(pids, hwmMb) : undefined;
    for (const mode of graphs) {
      const first = mode === graphs[0];
      stage = 'export';
      opts.onPhase?.(`export ${mode}`);
      let t = performance.now();
      const model = buildModel(source, mode, device, opts.seed);
      timing.export_ms += performance.now() - t;
      stage = 'session';
      opts.onPhase?.(`session ${mode}`);
      if (ep(device) === 'webgpu') {
        for (const [k, n] of Object.entries((await webgpuPlacement(held, model, device, env)) ?? {})) (placement ??= {})[k] = (placement?.[k] ?? 0) + n;
      }
      t = performance.now();
      const loaded = await loadModel(tab, held, model, device, env);
      try {
        timing.session_ms += performance.now() - t;
        runtime = { name: device.runtime, version: loaded.version };
        const loadPeak = first ? sum(pids, hwmMb) : undefined;
        if (first) pids.forEach((p) => resetHwm(p));

        stage = 'run';
        opts.onPhase?.(`measure ${mode}`);
        t = performance.now();
        const cpu0 = sum(pids, cpuSeconds);
        const timed = mode === 'decode' || opts.metrics.includes('latency');
        const stats = await tab.call('measure', { specs: model.inputs, vocab, seed: opts.seed, protocol: device.protocol, timed });
        const wallS = (performance.now() - t) / 1000;
        const cpu1 = sum(pids, cpuSeconds);
        timing.measure_ms += performance.now() - t;
        if (mode === 'prefill' && opts.metrics.includes('latency')) out.latency = stats;
        if (mode === 'decode') out.decode = stats;
        run = { wasm_threads: loaded.wasm_threads, workers: tab.page.workers().length, renderer_pids: pids };
        // Ticks are 10 ms: a ratio from a phase shorter than a second would mostly be rounding.
        if (cpu0 !== undefined && cpu1 !== undefined && wallS >= 1) run.cpu_per_wall = Math.round(((cpu1 - cpu0) / wallS) * 100) / 100;
        if (first && baseline !== undefined && loadPeak !== undefined) {
          const inf = sum(pids, hwmMb)!;
          out.memory = { baseline_mb: baseline, load_peak_mb: loadPeak - baseline, inference_peak_mb: inf - baseline, graph: mode };
        }
        await tab.call('release');
      } finally {
        loaded.unpublish();
      }
    }
    timing.total_ms = performance.now() - t0;
    if (placement) provider = providerFromPlacement(device.executionProviders, placement);
    // A software adapter's result says so wherever the provider is shown.
    if (software) provider = `${provider} (software adapter)`;
    const m: Measurement = { ok: true, ...out, timing, provider, runtime };
    if (placement) m.placement = placement;
    if (run) m.browser = run;
    return m;
  } catch (e) {
    const gone = tab?.failure();
    if (gone) return fail(gone);
    if (!held.browser.isConnected()) return fail(`crashed: the browser died (${oneLine(e)})`);
    const what = { page: 'page failed to load', export: 'export failed', session: 'session creation failed', run: 'run failed' }[stage];
    return fail(`${what}: ${oneLine(e)}`);
  } finally {
    await tab?.close();
    release();
  }
}

/** Runs `fn` on a fresh page of the profile's browser, whose environment the page has reported. */
async function withPage<T>(device: DeviceProfile, fn: (tab: Tab, held: Held, env: PageEnv) => Promise<T>): Promise<T> {
  const held = await acquire(device);
  let tab: Tab | undefined;
  try {
    tab = await openTab(held, ep(device));
    return await fn(tab, held, await tab.call('env'));
  } finally {
    await tab?.close();
    release();
  }
}

/** The browser's own facts for a profile (version, isolation, SIMD, threads, WebGPU adapter), from a probe page. */
export function browserFingerprint(device: DeviceProfile): Promise<BrowserFingerprint> {
  return withPage(device, async (_tab, held, env) => {
    const fp: BrowserFingerprint = {
      executable: held.executable,
      version: held.browser.version(),
      user_agent: env.user_agent,
      cross_origin_isolated: env.cross_origin_isolated,
      hardware_concurrency: env.hardware_concurrency,
      wasm_simd: env.wasm_simd,
      wasm_threads: env.cross_origin_isolated && env.shared_array_buffer ? threadsFor(device, env) : 1,
      wasm_binaries: [...held.server.wasmFetched].sort(),
    };
    if (device.executionProviders.includes('webgpu')) fp.webgpu = env.webgpu;
    return fp;
  });
}

/**
 * Preflight for a browser profile: the browser starts, the page is cross-origin isolated when it needs
 * threads, a WebGPU profile has a (hardware, unless allowed) adapter, and a tiny model runs. One line
 * (LtsError) when not.
 */
export async function checkBrowserDevice(device: DeviceProfile): Promise<void> {
  await withPage(device, async (_tab, _held, env) => {
    const refusal = adapterRefusal(device, env);
    if (refusal) throw new LtsError(refusal);
    if (threadsFor(device, env) > 1 && !env.cross_origin_isolated)
      throw new LtsError(`device '${device.name}': the page is not cross-origin isolated, so wasm threads are unavailable`);
  });
  const m = await measureInBrowser({ kind: 'tiny', width: 8 }, { ...device, protocol: { ...device.protocol, warmupMin: 1, minRuns: 1 } }, { metrics: ['memory'], seed: 1 });
  if (!m.ok) throw new LtsError(`device '${device.name}': a tiny model does not run in the browser: ${m.error}`);
}

/** One run of `model` in a fresh page on the seeded inputs: every output (for checking the browser against other runtimes). */
export function outputsInBrowser(model: ExportedModel, device: DeviceProfile, inputs: { vocab: number; seed: number }): Promise<Record<string, { dims: number[]; data: number[] }>> {
  return withPage(device, async (tab, held, env) => {
    const refusal = adapterRefusal(device, env);
    if (refusal) throw new LtsError(refusal);
    const loaded = await loadModel(tab, held, model, device, env);
    try {
      return await tab.call('outputs', { specs: model.inputs, ...inputs });
    } finally {
      loaded.unpublish();
    }
  });
}
