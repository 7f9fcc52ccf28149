// The measuring child process: one candidate (or one probe) per process, so that the memory high-water
// mark belongs to this model alone and a crash takes nothing else down; or, for latency and decode
// without memory, a warm worker that measures candidate after candidate (warm.ts). Started by child.ts
// via fork; imports only what measuring needs.
import { cpus } from 'node:os';
import type { ArchConfig, Family } from '../space/types.js';
import type { ExportedModel, ExportOptions, GraphMode } from '../export/types.js';
import { makeInputs } from './inputs.js';
import { packageVersion } from '../util/package.js';
import { oneLine } from '../util/errors.js';
import { hwmMb, resetHwm } from './procmem.js';
import { medianSorted, runFixed, runProtocol } from './stats.js';
import { tinyModel } from './tiny.js';
import type { DeviceProfile, LatencyStats, Measurement, MemoryStats } from './types.js';
import { TASK_END, type ModelSource, type ProbeResult, type WorkerReply, type WorkerSignal, type WorkerTask } from './wire.js';
import { execFileSync } from 'node:child_process';

/** An ORT error in one short line: without the C++ source location ORT prefixes to its messages, at most 300 characters. */
function ortError(e: unknown): string {
  let line = oneLine(e);
  const cut = line.match(/(?:was false\.|\] ?:? ?\d* ?: ?[A-Z_]+ ?:)\s*(.+)$/);
  if (cut?.[1]) line = cut[1];
  return line.length > 300 ? line.slice(0, 297) + '...' : line;
}

type Ort = typeof import('onnxruntime-node');
type Session = Awaited<ReturnType<Ort['InferenceSession']['create']>>;

function send(msg: WorkerReply): Promise<void> {
  return new Promise((res) => process.send!(msg, () => res()));
}

const gc = (): void => (globalThis as { gc?: () => void }).gc?.();

/** V8 frees ArrayBuffer backing stores after the collecting tick, so collect, yield, and collect again. */
async function settleGc(): Promise<void> {
  gc();
  await new Promise((r) => setTimeout(r, 5));
  gc();
}

async function loadRuntime(runtime: DeviceProfile['runtime'], threads: DeviceProfile['threads']): Promise<Ort> {
  if (runtime === 'onnxruntime-web') {
    const ort = (await import('onnxruntime-web')) as unknown as Ort;
    const web = ort as unknown as { env: { wasm: { numThreads: number }; logLevel: string } };
    web.env.wasm.numThreads = threads.intraOp === 0 ? cpus().length : threads.intraOp;
    web.env.logLevel = 'error';
    return ort;
  }
  return await import('onnxruntime-node');
}

async function createSession(ort: Ort, model: ExportedModel, device: Pick<DeviceProfile, 'runtime' | 'executionProviders' | 'threads'>): Promise<Session> {
  const node = device.runtime === 'onnxruntime-node';
  const opts: Record<string, unknown> = {
    executionProviders: device.executionProviders,
    graphOptimizationLevel: 'all',
    executionMode: 'sequential',
    // Verbose only at creation: ORT then prints its node placements on stderr, which the parent reads
    // to record the providers that really ran each node. Runs log at error level (see run options).
    logSeverityLevel: node ? 0 : 3,
  };
  if (node) {
    opts.intraOpNumThreads = device.threads.intraOp;
    opts.interOpNumThreads = device.threads.interOp;
  }
  if (model.externalData.length > 0) opts.externalData = model.externalData;
  return await ort.InferenceSession.create(model.bytes, opts as Parameters<Ort['InferenceSession']['create']>[1]);
}

async function buildModel(source: ModelSource, mode: GraphMode, device: DeviceProfile, seed: number): Promise<ExportedModel> {
  if (source.kind === 'tiny') {
    if (mode === 'decode') throw new Error('the tiny probe model has no decode graph');
    return tinyModel(source.width, device.shapes.batch);
  }
  // Resolved at run time: the exporter is heavy and only config and part sources need it.
  const spec = '../export/index.js';
  const { exportModel, exportPart } = (await import(spec)) as {
    exportModel: (cfg: ArchConfig, o: ExportOptions, extras: { protoLimitBytes?: number }) => ExportedModel;
    exportPart: (family: Family, part: unknown, d: number, o: ExportOptions, extras: { protoLimitBytes?: number }) => ExportedModel;
  };
  if (source.kind === 'part') {
    if (mode === 'decode') throw new Error('a model part alone has no decode graph');
    return exportPart(source.family, source.part, source.d_model, { form: device.graph, mode, shapes: device.shapes, seed }, { protoLimitBytes: 0 });
  }
  // Weights travel as in-memory external data rather than inside the protobuf: the same graph and
  // weights, but no encode-then-parse of every byte, which roughly halves export + session time.
  return exportModel(source.cfg, { form: device.graph, mode, shapes: device.shapes, seed }, { protoLimitBytes: 0 });
}

/** Device memory this process holds on the GPU (MB), from nvidia-smi; undefined where it cannot be read. */
function cudaProcessMb(): number | undefined {
  try {
    const out = execFileSync('nvidia-smi', ['--query-compute-apps=pid,used_memory', '--format=csv,noheader,nounits'], { encoding: 'utf8', timeout: 5000 });
    for (const line of out.split('\n')) {
      const [pid, mb] = line.split(',').map((s) => s.trim());
      if (Number(pid) === process.pid) return Number(mb);
    }
  } catch {
    /* no nvidia-smi: leave it out rather than guess */
  }
  return undefined;
}

async function measure(task: Extract<WorkerTask, { kind: 'measure' }>): Promise<Measurement> {
  const { device, metrics, seed, source } = task;
  const timing = { export_ms: 0, session_ms: 0, measure_ms: 0, total_ms: 0 };
  const t0 = performance.now();
  const ort = await loadRuntime(device.runtime, device.threads);
  const runtime = { name: device.runtime, version: packageVersion(device.runtime) };
  const provider = device.executionProviders.join('+');
  const fail = (error: string): Measurement => ({ ok: false, error, timing: { ...timing, total_ms: performance.now() - t0 }, provider, runtime });

  await settleGc();
  // Without a resettable high-water mark (not Linux, or /proc/self/clear_refs not writable) the load and
  // inference peaks cannot be told apart, so no memory is reported rather than a wrong one.
  const baseline = resetHwm() ? hwmMb() : undefined;
  const vocab = source.kind === 'config' ? source.cfg.vocab_size : 1;
  const graphs: GraphMode[] = [];
  if (metrics.includes('latency') || metrics.includes('memory')) graphs.push('prefill');
  if (metrics.includes('decode')) graphs.push('decode');
  if (graphs.length === 0) return fail(`no metric to measure (got ${JSON.stringify(metrics)})`);

  const out: { latency?: LatencyStats; decode?: LatencyStats; memory?: MemoryStats } = {};
  for (const mode of graphs) {
    await send({ kind: 'phase', phase: `export ${mode}` });
    let t = performance.now();
    let model: ExportedModel | undefined;
    try {
      model = await buildModel(source, mode, device, seed);
    } catch (e) {
      return fail(`export failed: ${ortError(e)}`);
    }
    timing.export_ms += performance.now() - t;
    const specs = model.inputs;

    await send({ kind: 'phase', phase: `session ${mode}` });
    t = performance.now();
    let session: Session;
    try {
      session = await createSession(ort, model, device);
    } catch (e) {
      return fail(`session creation failed: ${ortError(e)}`);
    }
    timing.session_ms += performance.now() - t;
    // The session holds its own copy of the weights; the serialized bytes must not count as serving memory.
    model = undefined;
    await settleGc();
    const first = mode === graphs[0];
    const loadPeak = first ? hwmMb() : undefined;
    if (first) resetHwm();

    const feeds: Record<string, InstanceType<Ort['Tensor']>> = {};
    for (const inp of makeInputs(specs, vocab, seed)) feeds[inp.name] = new ort.Tensor(inp.type, inp.data, inp.dims);
    // Process CPU time per run alongside wall time: on a shared machine it shows how much of a slow run
    // was waiting for a core rather than computing; with clock 'cpu' it is what the protocol times.
    const clock = device.protocol.clock ?? 'wall';
    const wallMs: number[] = [];
    const cpuMs: number[] = [];
    const runOnce = async (): Promise<number> => {
      const c = process.cpuUsage();
      const s = performance.now();
      await session.run(feeds);
      const wall = performance.now() - s;
      const d = process.cpuUsage(c);
      const cpu = (d.user + d.system) / 1000;
      wallMs.push(wall);
      cpuMs.push(cpu);
      return clock === 'cpu' ? cpu : wall;
    };

    // With another lane preparing alongside, the timed phase waits for the device's turn (gate.ts).
    if (task.gated) await deviceTurn();
    await send({ kind: 'phase', phase: `measure ${mode}` });
    t = performance.now();
    try {
      const timed = mode === 'decode' || metrics.includes('latency');
      const stats = timed ? await runProtocol(runOnce, device.protocol) : await runFixed(runOnce, device.protocol);
      const lastSorted = (xs: number[]): number[] => xs.slice(-stats.runs).sort((a, b) => a - b);
      stats.clock = clock;
      stats.cpu_median_ms = medianSorted(lastSorted(cpuMs));
      stats.wall_median_ms = medianSorted(lastSorted(wallMs));
      if (mode === 'prefill' && metrics.includes('latency')) out.latency = stats;
      if (mode === 'decode') out.decode = stats;
    } catch (e) {
      return fail(`run failed: ${ortError(e)}`);
    } finally {
      if (task.gated) await send({ kind: 'turn-end' });
    }
    timing.measure_ms += performance.now() - t;

    if (first && baseline !== undefined && loadPeak !== undefined) {
      const inf = hwmMb()!;
      out.memory = { baseline_mb: baseline, load_peak_mb: loadPeak - baseline, inference_peak_mb: inf - baseline, graph: mode };
      if (device.executionProviders.includes('cuda')) {
        const dmb = cudaProcessMb();
        if (dmb !== undefined) out.memory.device_mb = dmb;
      }
    }
    await session.release();
    // Only a following graph's memory reading needs the freed session gone; the process exits after the last.
    if (mode !== graphs[graphs.length - 1]) await settleGc();
  }
  timing.total_ms = performance.now() - t0;
  return { ok: true, ...out, timing, provider, runtime };
}

async function probe(task: Extract<WorkerTask, { kind: 'probe' }>): Promise<ProbeResult> {
  const t0 = performance.now();
  const version = packageVersion(task.runtime);
  try {
    const ort = await loadRuntime(task.runtime, task.threads);
    const model = tinyModel(8);
    const session = await createSession(ort, model, { runtime: task.runtime, executionProviders: [task.ep], threads: task.threads });
    const x = new ort.Tensor('float32', new Float32Array(8).fill(1), [1, 8]);
    const y = (await session.run({ x })).y;
    if (!y || y.dims.join(',') !== '1,8') throw new Error('tiny model returned a wrong output');
    await session.release();
    return { ok: true, ms: performance.now() - t0, version };
  } catch (e) {
    return { ok: false, error: ortError(e), ms: performance.now() - t0, version };
  }
}

// The parent enforces the time and memory limits. If it dies (kill -9, OOM killer), the IPC channel
// closes: stop at once, or the orphaned measurement runs on unbounded and competes for the CPU with
// whatever measures next (a resumed search).
process.on('disconnect', () => process.exit(1));

let onGo: (() => void) | undefined;
/** Asks the parent for the device's turn and waits for its 'go'. */
function deviceTurn(): Promise<void> {
  return new Promise((resolve) => {
    onGo = resolve;
    void send({ kind: 'turn' });
  });
}

// Tasks run one at a time, in arrival order. A fresh worker exits after its task; a warm one (task.keep)
// waits for the next. Each task's output ends with a TASK_END line so the parent can attribute
// onnxruntime's placement lines to the right candidate.
let chain = Promise.resolve();
process.on('message', (msg: WorkerTask | WorkerSignal) => {
  if (msg.kind === 'go') {
    onGo?.();
    onGo = undefined;
    return;
  }
  const task = msg;
  chain = chain.then(async () => {
    let reply: WorkerReply;
    try {
      reply = task.kind === 'probe' ? { kind: 'probed', result: await probe(task) } : { kind: 'measured', result: await measure(task) };
    } catch (e) {
      const error = `worker error: ${ortError(e)}`;
      reply = task.kind === 'probe'
        ? { kind: 'probed', result: { ok: false, error, ms: 0, version: '' } }
        : { kind: 'measured', result: { ok: false, error, timing: { export_ms: 0, session_ms: 0, measure_ms: 0, total_ms: 0 } } };
    }
    // Synchronous on a pipe: in the stream after every line onnxruntime wrote for this task.
    process.stderr.write(`\n${TASK_END} ${task.seq ?? 0}\n`);
    await send(reply);
    // Exit at once: native runtimes may hold threads that would keep the process alive.
    if (!task.keep) process.exit(0);
    // What the next candidate's memory and timing should not inherit: the released session's buffers.
    await settleGc();
  });
});
