import type { GraphForm } from '../export/types.js';
import type { ShapeSettings } from '../space/types.js';

export type Metric = 'latency' | 'decode' | 'memory';
export const METRICS: readonly Metric[] = ['latency', 'decode', 'memory'];

/** How long to warm up and how many timed runs to take (device profile `protocol`, CLI-overridable). */
export interface MeasureProtocol {
  /** Warm-up runs at least / at most; warm-up stops once run times settle. */
  warmupMin: number;
  warmupMax: number;
  /** Timed runs at least / at most, and a wall-clock cap on the timed phase. */
  minRuns: number;
  maxRuns: number;
  maxSeconds: number;
  /** Stop once the 95 % confidence interval of the median is within this fraction of it (0.02 = 2 %). */
  targetRelCi: number;
  /**
   * What a run's time is: 'wall' (default, the latency a user sees) or 'cpu' (the process's CPU time
   * during the run). 'cpu' suits single-thread profiles on a shared machine, where waiting for a core
   * would otherwise be measured as latency.
   */
  clock?: 'wall' | 'cpu';
}

/** A target device: what runs the model and how it is measured. Files in devices/*.json. */
export interface DeviceProfile {
  name: string;
  description: string;
  /** 'onnxruntime-node' (native), 'onnxruntime-web' (wasm in Node) or 'browser' (onnxruntime-web in a headless Chromium). */
  runtime: 'onnxruntime-node' | 'onnxruntime-web' | 'browser';
  /** Execution providers in order, e.g. ['cpu'], ['cuda'], ['webgpu'], ['wasm']. Never silently falls back. */
  executionProviders: string[];
  /** intraOp 0 = every core. */
  threads: { intraOp: number; interOp: number };
  graph: GraphForm;
  shapes: ShapeSettings;
  protocol: MeasureProtocol;
  /** A candidate exceeding these is recorded as failed. */
  limits: { memoryMb: number; timeoutS: number };
  /** runtime 'browser': extra Chromium flags, and whether a software WebGPU adapter (SwiftShader) may be measured. */
  browser?: { args?: string[]; allowSoftwareAdapter?: boolean };
  /** Remote measurement through `lts agent`: agent URLs (or the env var holding a comma list) and the token source. */
  agents?: { urls?: string[]; urlsEnv?: string; tokenEnv?: string; tokenFile?: string; /** PEM CA that signed an https agent's certificate (self-signed agents). */ caFile?: string };
}

export interface LatencyStats {
  median_ms: number;
  mean_ms: number;
  trimmed_mean_ms: number;
  p90_ms: number;
  min_ms: number;
  std_ms: number;
  /** 95 % confidence interval of the median. */
  ci95_low_ms: number;
  ci95_high_ms: number;
  runs: number;
  warmup_runs: number;
  samples_ms: number[];
  /** Why the timed phase stopped: the CI target was met, or a run-count or time cap was hit. */
  stopped_by?: 'ci' | 'max_runs' | 'max_seconds';
  /** Median process CPU time of the timed runs (user + system, all threads): compare with median_ms to see time spent waiting for a core. */
  cpu_median_ms?: number;
  /** Median wall time of the timed runs (equals median_ms unless clock is 'cpu'). */
  wall_median_ms?: number;
  /** The clock of samples_ms and every statistic above ('wall' unless the protocol chose 'cpu'). */
  clock?: 'wall' | 'cpu';
  /**
   * Drift-corrected median (search with --drift-correction on, in pareto.json only): median_ms divided
   * by the device's speed factor at the time of the measurement, from the run's sentinel; combined over
   * the candidate's measurements when it was measured again as a contender. median_ms stays the raw figure.
   */
  corrected_median_ms?: number;
  /** The speed factor median_ms was divided by (1 = the speed at the run's first sentinel measurement). */
  speed_factor?: number;
  /** Measurements combined into corrected_median_ms (present when more than one). */
  measurements?: number;
}

export interface MemoryStats {
  /** Process high-water mark before loading anything model-related (MB). */
  baseline_mb: number;
  /** Peak above baseline while building and loading the session (MB). */
  load_peak_mb: number;
  /** Peak above baseline while running inference, resident weights included (MB). The `memory` objective. */
  inference_peak_mb: number;
  /** Which graph the peaks were taken on ('prefill' unless only decode was measured). */
  graph?: 'prefill' | 'decode';
  /** CUDA: device memory held by the measuring process after the runs (MB), from nvidia-smi. */
  device_mb?: number;
}

export interface Measurement {
  ok: boolean;
  /** Why it failed: one line, e.g. 'timeout after 120 s', 'out of memory (limit 4096 MB)', 'session creation failed: ...'. */
  error?: string;
  /** Prefill of batch x seq tokens. */
  latency?: LatencyStats;
  /** Per-token decode with a cache of `context` past positions. */
  decode?: LatencyStats;
  memory?: MemoryStats;
  /** Where the time went for this candidate (ms). */
  timing: Timing;
  /** The execution provider that actually ran the graph. */
  provider?: string;
  /** Nodes per execution provider as ORT placed them (onnxruntime-node), so partial fallback is visible. */
  placement?: Record<string, number>;
  runtime?: { name: string; version: string };
  /** runtime 'browser': what the page really ran with. */
  browser?: BrowserRun;
}

/**
 * Where a candidate's time went (ms). total_ms is the wall time as the caller saw it (process start-up
 * and any wait included). With the next candidate prepared ahead (gate.ts) also: wait_ms, the time its
 * prepared session waited for the device, and turn_start / turn_end, when its timed phase(s) held the
 * device (epoch ms), from which a run's idle device time between candidates can be read.
 */
export interface Timing {
  export_ms: number;
  session_ms: number;
  measure_ms: number;
  total_ms: number;
  wait_ms?: number;
  turn_start?: number;
  turn_end?: number;
}

/** Per-candidate evidence from the page (runtime 'browser'). */
export interface BrowserRun {
  /** The wasm thread count onnxruntime-web settled on (it drops to 1 without cross-origin isolation). */
  wasm_threads: number;
  /** Web Workers the page ran (onnxruntime-web's wasm threads beyond the main one). */
  workers: number;
  /** The renderer's CPU time over the wall time of the timed runs: above 1 means threads ran in parallel. */
  cpu_per_wall?: number;
  /** The renderer process(es) of the page whose memory is reported. */
  renderer_pids: number[];
}

/** The browser a 'browser' profile measures in; recorded in the fingerprint. */
export interface BrowserFingerprint {
  executable: string;
  version: string;
  user_agent: string;
  cross_origin_isolated: boolean;
  hardware_concurrency: number;
  wasm_simd: boolean;
  /** wasm threads onnxruntime-web runs with (threads = 1 when the page is not cross-origin isolated). */
  wasm_threads: number;
  /** The onnxruntime-web .wasm binaries the pages loaded (all are SIMD builds in 1.30). */
  wasm_binaries: string[];
  /** The WebGPU adapter the browser offered, or why there is none. */
  webgpu?: WebGpuAdapterInfo | { none: string };
}

export interface WebGpuAdapterInfo {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  /** The browser's fallback flag, or a SwiftShader adapter: a CPU standing in for a GPU. */
  software: boolean;
}

/** The machine that measured; recorded in every result. */
export interface Fingerprint {
  hostname: string;
  os: string;
  arch: string;
  cpu_model: string;
  cores: number;
  total_memory_mb: number;
  node_version: string;
  runtime: { name: string; version: string };
  execution_provider: string;
  /** In pareto.json: the providers that actually ran the measured graphs (e.g. ['cpu'], ['webgpu+cpu']). */
  providers_ran?: string[];
  threads: { intraOp: number; interOp: number };
  gpu?: string;
  browser?: BrowserFingerprint;
}
