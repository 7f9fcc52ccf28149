// Parent side of a measurement: run it in a fresh worker (child.ts enforces the device's time and memory
// limits) and turn every way a child can fail into an ok:false Measurement. Never throws for a candidate failure.
import type { ArchConfig } from '../space/types.js';
import { WorkerProcess, type ChildHooks, type ChildOutcome } from './child.js';
import type { DeviceProfile, Measurement, Metric } from './types.js';
import type { ModelSource, ProbeResult, WorkerTask } from './wire.js';

export { vulkanReason } from './child.js';

export interface MeasureOptions extends ChildHooks {
  metrics: Metric[];
  seed: number;
  /** Replaces the protocol's targetRelCi for this measurement (the search's spread-matched stopping rule). */
  ciTarget?: number;
  /** Raises the protocol's minRuns for this measurement, up to its maxRuns (the drift sentinel's longer measurement). */
  minRuns?: number;
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

/** Runs one task in a fresh child process, which exits after it. */
function runChild<R>(task: WorkerTask, limits: DeviceProfile['limits'], hooks: ChildHooks): Promise<ChildOutcome<R>> {
  return new WorkerProcess().run<R>(task, limits, hooks, 'once');
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
  if (device.runtime === 'browser') return (await import('./browser/index.js')).measureInBrowser(source, withRequestedProtocol(device, opts), opts);
  return measureIn((task) => runChild<Measurement>(task, device.limits, opts), source, device, opts);
}

/** The protocol with the caller's CI target and minimum run count (the search's stopping rule, the sentinel). */
export function requestedProtocol(protocol: DeviceProfile['protocol'], req: Pick<MeasureOptions, 'ciTarget' | 'minRuns'>): DeviceProfile['protocol'] {
  const p = { ...protocol };
  if (req.ciTarget !== undefined) p.targetRelCi = req.ciTarget;
  if (req.minRuns !== undefined) p.minRuns = Math.min(p.maxRuns, Math.max(p.minRuns, req.minRuns));
  return p;
}

function withRequestedProtocol(device: DeviceProfile, opts: MeasureOptions): DeviceProfile {
  return opts.ciTarget === undefined && opts.minRuns === undefined ? device : { ...device, protocol: requestedProtocol(device.protocol, opts) };
}

/** One measurement through `run` (a fresh child, or a warm one), with every failure an ok:false Measurement. */
export async function measureIn(
  run: (task: WorkerTask) => Promise<ChildOutcome<Measurement>>,
  source: ModelSource,
  device: DeviceProfile,
  opts: MeasureOptions,
): Promise<Measurement> {
  const t0 = performance.now();
  device = withRequestedProtocol(device, opts);
  const out = await run({ kind: 'measure', source, device, metrics: opts.metrics, seed: opts.seed });
  const total = performance.now() - t0;
  const m: Measurement = out.reply ?? { ok: false, error: out.error ?? 'no result', timing: noTiming(total), provider: device.executionProviders.join('+') };
  // Wall time as the caller sees it, process start-up (and any wait for the device's turn) included.
  m.timing = { ...m.timing, total_ms: total, ...out.turns };
  const placement = parsePlacements(out.placementLines);
  if (placement) {
    m.placement = placement;
    m.provider = providerFromPlacement(device.executionProviders, placement);
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
  const placement = parsePlacements(out.placementLines);
  return placement ? { ...r, placement } : r;
}
