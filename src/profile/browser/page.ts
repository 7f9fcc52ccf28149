// Runs inside the browser page (served by server.ts, imported as an ES module): the same measuring
// protocol as the Node worker (stats.ts and inputs.ts run here unchanged), timed with performance.now().
// The driver (measure.ts) calls these functions through page.evaluate and reads the renderer's memory
// between them, so every phase is one call.
import * as ort from 'onnxruntime-web';
import { makeInputs } from '../inputs.js';
import { medianSorted, runFixed, runProtocol } from '../stats.js';
import type { TensorSpec } from '../../export/types.js';
import type { LatencyStats, MeasureProtocol, WebGpuAdapterInfo } from '../types.js';

export interface PageLoad {
  model: string;
  externalData: { path: string; url: string }[];
  ep: 'wasm' | 'webgpu';
  threads: number;
  /**
   * Log at verbose level during creation, so onnxruntime prints its node placements on the console.
   * It then also logs every kernel of every run, so a page that times runs must not set it.
   */
  placements?: boolean;
}

export interface PageRun {
  specs: TensorSpec[];
  vocab: number;
  seed: number;
  protocol: MeasureProtocol;
  /** false: a fixed number of runs for the memory peak only. */
  timed: boolean;
}

export interface PageEnv {
  user_agent: string;
  cross_origin_isolated: boolean;
  hardware_concurrency: number;
  shared_array_buffer: boolean;
  wasm_simd: boolean;
  /** The WebGPU adapter the page was offered, or why there is none. */
  webgpu: WebGpuAdapterInfo | { none: string };
}

type Session = ort.InferenceSession;
let session: Session | undefined;

const gc = (): void => (globalThis as { gc?: () => void }).gc?.();

// The smallest module using a v128 instruction: validates only where wasm SIMD is supported.
const SIMD_PROBE = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98, 11]);

async function adapter(): Promise<PageEnv['webgpu']> {
  const gpu = (navigator as { gpu?: { requestAdapter(): Promise<unknown> } }).gpu;
  if (!gpu) return { none: 'navigator.gpu is missing (WebGPU disabled in this browser)' };
  let a: { info?: Record<string, unknown>; isFallbackAdapter?: boolean } | null;
  try {
    a = (await gpu.requestAdapter()) as typeof a;
  } catch (e) {
    return { none: `requestAdapter failed: ${(e as Error).message}` };
  }
  if (!a) return { none: 'requestAdapter() returned no adapter' };
  const info = a.info ?? {};
  const s = (k: string): string => String(info[k] ?? '');
  const all = `${s('vendor')} ${s('architecture')} ${s('device')} ${s('description')}`.toLowerCase();
  return {
    vendor: s('vendor'),
    architecture: s('architecture'),
    device: s('device'),
    description: s('description'),
    software: Boolean(info.isFallbackAdapter ?? a.isFallbackAdapter) || all.includes('swiftshader'),
  };
}

async function env(): Promise<PageEnv> {
  return {
    user_agent: navigator.userAgent,
    cross_origin_isolated: globalThis.crossOriginIsolated === true,
    hardware_concurrency: navigator.hardwareConcurrency,
    shared_array_buffer: typeof SharedArrayBuffer === 'function',
    wasm_simd: WebAssembly.validate(SIMD_PROBE),
    webgpu: await adapter(),
  };
}

/** Creates the session; returns the wasm thread count onnxruntime-web settled on (1 when not isolated). */
async function load(t: PageLoad): Promise<{ ms: number; wasm_threads: number; version: string }> {
  ort.env.wasm.numThreads = t.threads;
  ort.env.wasm.wasmPaths = '/ort/';
  ort.env.logLevel = 'error';
  const t0 = performance.now();
  session = await ort.InferenceSession.create(t.model, {
    executionProviders: [t.ep],
    graphOptimizationLevel: 'all',
    executionMode: 'sequential',
    logSeverityLevel: t.placements ? 0 : 3,
    ...(t.externalData.length > 0 ? { externalData: t.externalData.map((d) => ({ path: d.path, data: d.url })) } : {}),
  });
  const ms = performance.now() - t0;
  gc();
  return { ms, wasm_threads: ort.env.wasm.numThreads ?? 1, version: ort.env.versions.web ?? '' };
}

function feeds(r: Pick<PageRun, 'specs' | 'vocab' | 'seed'>): Record<string, ort.Tensor> {
  const out: Record<string, ort.Tensor> = {};
  for (const inp of makeInputs(r.specs, r.vocab, r.seed)) out[inp.name] = new ort.Tensor(inp.type, inp.data, inp.dims);
  return out;
}

function need(): Session {
  if (!session) throw new Error('no session loaded');
  return session;
}

async function measure(r: PageRun): Promise<LatencyStats> {
  const s = need();
  const f = feeds(r);
  const times: number[] = [];
  const runOnce = async (): Promise<number> => {
    const t0 = performance.now();
    await s.run(f);
    const ms = performance.now() - t0;
    times.push(ms);
    return ms;
  };
  const stats = r.timed ? await runProtocol(runOnce, r.protocol) : await runFixed(runOnce, r.protocol);
  stats.clock = 'wall';
  stats.wall_median_ms = medianSorted(times.slice(-stats.runs).sort((a, b) => a - b));
  return stats;
}

/** One run on the seeded inputs: every output as plain numbers (for comparing runtimes). */
async function outputs(r: Pick<PageRun, 'specs' | 'vocab' | 'seed'>): Promise<Record<string, { dims: number[]; data: number[] }>> {
  const res = await need().run(feeds(r));
  const out: Record<string, { dims: number[]; data: number[] }> = {};
  for (const [name, t] of Object.entries(res)) out[name] = { dims: [...t.dims], data: Array.from(t.data as Float32Array, Number) };
  return out;
}

async function release(): Promise<void> {
  await session?.release();
  session = undefined;
  gc();
}

export const pageApi = { env, load, measure, outputs, release };
export type PageApi = typeof pageApi;
(globalThis as { lts?: PageApi }).lts = pageApi;
