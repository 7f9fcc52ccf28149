// Parent side of a measurement: fork a fresh worker, enforce the device's time and memory limits, and
// turn every way a child can fail into an ok:false Measurement. Never throws for a candidate failure.
import { fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { ArchConfig } from '../space/types.js';
import { workerPath } from './paths.js';
import { rssMb } from './procmem.js';
import type { DeviceProfile, Measurement, Metric } from './types.js';
import type { ModelSource, ProbeResult, WorkerReply, WorkerTask } from './wire.js';

export interface MeasureOptions {
  metrics: Metric[];
  seed: number;
  /** Called with the child's pid once it runs (logging; tests use it to crash the child). */
  onStart?: (pid: number) => void;
  /** Progress: 'export prefill', 'session prefill', 'measure prefill', ... */
  onPhase?: (phase: string) => void;
}

const EP_NAMES: Record<string, string> = {
  CPUExecutionProvider: 'cpu',
  CUDAExecutionProvider: 'cuda',
  WebGpuExecutionProvider: 'webgpu',
  JsExecutionProvider: 'webgpu',
  TensorrtExecutionProvider: 'tensorrt',
};
const epName = (s: string): string => EP_NAMES[s] ?? s.replace(/ExecutionProvider$/, '').toLowerCase();

/** Node counts per provider from ORT's verbose "Node placements" lines (summed over the sessions of a child). */
export function parsePlacements(lines: string[]): Record<string, number> | undefined {
  const out: Record<string, number> = {};
  let seen = false;
  for (const l of lines) {
    const m = l.match(/(?:All nodes|Node\(s\)) placed on \[(\w+)\]\. Number of nodes: (\d+)/);
    if (!m) continue;
    seen = true;
    const ep = epName(m[1]!);
    out[ep] = (out[ep] ?? 0) + Number(m[2]);
  }
  return seen ? out : undefined;
}

/** The provider(s) that really ran nodes, requested ones first: 'cpu', 'cuda+cpu', 'webgpu+cpu'. */
export function providerFromPlacement(requested: string[], placement: Record<string, number>): string {
  const used = Object.keys(placement).filter((k) => placement[k]! > 0);
  used.sort((a, b) => (requested.indexOf(a) + 1 || 99) - (requested.indexOf(b) + 1 || 99));
  return used.join('+');
}

/**
 * Dawn says why WebGPU found no adapter only as a warning on stderr; this turns such a line into the
 * reason the probe reports (a missing Vulkan loader, or a driver lacking what WebGPU needs).
 */
export function vulkanReason(line: string): string | undefined {
  const vk = line.match(/Couldn't load Vulkan: ([^:]+)/);
  if (vk) return `Vulkan not loadable (${vk[1]!.trim()} missing)`;
  const missing = line.match(/^Warning: (Vulkan .* required)\.?$/);
  if (missing) return `the Vulkan driver lacks a WebGPU requirement: ${missing[1]}`;
  return undefined;
}

type ChildOutcome<R> = { reply?: R; error?: string; placement?: Record<string, number>; vulkan?: string };

function runChild<R>(task: WorkerTask, limits: DeviceProfile['limits'], hooks: Pick<MeasureOptions, 'onStart' | 'onPhase'>): Promise<ChildOutcome<R>> {
  const path = workerPath();
  if (!existsSync(path)) return Promise.resolve({ error: `worker not built: ${path} missing (run npm run build)` });
  return new Promise((resolveOutcome) => {
    const child = fork(path, [], {
      execArgv: ['--expose-gc'],
      // Let glibc hand freed heap back to the OS, so the inference peak counts what the session holds
      // rather than the parse buffers ORT freed after loading (the load peak still shows those).
      env: { ...process.env, MALLOC_TRIM_THRESHOLD_: process.env.MALLOC_TRIM_THRESHOLD_ ?? '131072' },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      serialization: 'advanced',
    });
    const placementLines: string[] = [];
    let lastErr = '';
    let vulkan: string | undefined;
    let partial = '';
    const onData = (chunk: Buffer): void => {
      const lines = (partial + chunk.toString('utf8')).split('\n');
      partial = lines.pop()!;
      for (const raw of lines) {
        const l = raw.replace(/\x1b\[[0-9;]*m/g, '').trim();
        if (l.includes('placed on [')) placementLines.push(l);
        const vk = vulkanReason(l);
        if (vk) vulkan = vk;
        // Verbose/info chatter from session creation is not a reason for anything.
        else if (l !== '' && !/\[[VI]:onnxruntime/.test(l)) lastErr = l;
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);

    let reply: R | undefined;
    let killedFor: string | undefined;
    let settled = false;
    const finish = (error?: string): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearInterval(poll);
      clearTimeout(exitGrace);
      const outcome: ChildOutcome<R> = { placement: parsePlacements(placementLines) };
      if (vulkan) outcome.vulkan = vulkan;
      if (reply !== undefined) outcome.reply = reply;
      if (error !== undefined) outcome.error = error;
      resolveOutcome(outcome);
    };
    const kill = (why: string): void => {
      if (killedFor === undefined) killedFor = why;
      child.kill('SIGKILL');
    };
    const timer = setTimeout(() => kill(`timeout after ${limits.timeoutS} s`), limits.timeoutS * 1000);
    const poll = setInterval(() => {
      const rss = child.pid ? rssMb(child.pid) : undefined;
      if (rss !== undefined && rss > limits.memoryMb) kill(`out of memory (limit ${limits.memoryMb} MB)`);
    }, 50);
    let exitGrace: NodeJS.Timeout | undefined;

    child.on('spawn', () => hooks.onStart?.(child.pid!));
    child.on('message', (m: WorkerReply) => {
      if (m.kind === 'phase') hooks.onPhase?.(m.phase);
      else {
        reply = m.result as R;
        // The worker exits by itself; do not let a stuck native thread hold the parent.
        exitGrace = setTimeout(() => child.kill('SIGKILL'), 5000);
      }
    });
    child.on('error', (e) => {
      kill('error');
      finish(`worker failed to start: ${e.message}`);
    });
    // 'close', not 'exit': the last IPC message (the result) can still be in the pipe when 'exit' fires.
    child.on('close', (code, signal) => {
      onData(Buffer.from('\n'));
      if (reply !== undefined) return finish();
      if (killedFor) return finish(killedFor);
      const tail = lastErr ? `: ${lastErr.slice(0, 300)}` : '';
      // A SIGKILL we did not send is almost always the kernel's OOM killer.
      if (signal === 'SIGKILL') return finish(`crashed: signal SIGKILL (killed from outside, likely the kernel OOM killer)${tail}`);
      if (signal) return finish(`crashed: signal ${signal}${tail}`);
      finish(`crashed: exit code ${code}${tail}`);
    });
    child.send(task);
  });
}

/**
 * A measuring child killed by a stop signal (Ctrl-C reaches the whole foreground process group; a
 * service stop signals the whole group): the measuring side was being stopped, the candidate did
 * nothing wrong, so it must not be recorded as failed.
 */
export function killedByStopSignal(m: Measurement): boolean {
  return !m.ok && /^crashed: signal (SIGINT|SIGTERM|SIGHUP)\b/.test(m.error ?? '');
}

const noTiming = (total: number): Measurement['timing'] => ({ export_ms: 0, session_ms: 0, measure_ms: 0, total_ms: total });

/** Measures one model in a fresh child process under the device's limits. */
export async function measureSource(source: ModelSource, device: DeviceProfile, opts: MeasureOptions): Promise<Measurement> {
  // A page of the search's one browser rather than a child process (src/profile/browser).
  if (device.runtime === 'browser') return (await import('./browser/index.js')).measureInBrowser(source, device, opts);
  const t0 = performance.now();
  const task: WorkerTask = { kind: 'measure', source, device, metrics: opts.metrics, seed: opts.seed };
  const out = await runChild<Measurement>(task, device.limits, opts);
  const total = performance.now() - t0;
  const m: Measurement = out.reply ?? { ok: false, error: out.error ?? 'no result', timing: noTiming(total), provider: device.executionProviders.join('+') };
  // Wall time as the caller sees it, process start-up included.
  m.timing = { ...m.timing, total_ms: total };
  if (out.placement) {
    m.placement = out.placement;
    m.provider = providerFromPlacement(device.executionProviders, out.placement);
  }
  return m;
}

/** Closes the browser that 'browser' profiles keep between candidates (a no-op when none runs). */
export async function closeBrowser(): Promise<void> {
  await (await import('./browser/index.js')).closeBrowser();
}

/** Measures a candidate on the device: latency (prefill), decode (per token) and/or memory. */
export function measureCandidate(cfg: ArchConfig, device: DeviceProfile, opts: MeasureOptions): Promise<Measurement> {
  return measureSource({ kind: 'config', cfg }, device, opts);
}

/** Whether a tiny model runs on one execution provider, in a child process (a failing provider may crash). */
export async function probeProvider(
  runtime: DeviceProfile['runtime'],
  ep: string,
  threads: DeviceProfile['threads'] = { intraOp: 1, interOp: 1 },
  timeoutS = 60,
): Promise<ProbeResult & { placement?: Record<string, number> }> {
  const out = await runChild<ProbeResult>({ kind: 'probe', runtime, ep, threads }, { memoryMb: 4096, timeoutS }, {});
  const r = out.reply ?? { ok: false, error: out.error ?? 'no result', ms: 0, version: '' };
  if (!r.ok && ep === 'webgpu' && out.vulkan) r.error = `${r.error} (${out.vulkan})`;
  return out.placement ? { ...r, placement: out.placement } : r;
}
