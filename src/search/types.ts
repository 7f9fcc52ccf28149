import type { PplInterval } from '../calibrate/interval.js';
import type { ArchConfig, Family, ShapeSettings } from '../space/types.js';
import type { SpaceOverrides } from '../space/overrides.js';
import type { DeviceProfile, Fingerprint, LatencyStats, Measurement, MemoryStats, Metric, MeasureProtocol } from '../profile/types.js';

/**
 * Something that measures candidates on a device: the local child-process profiler, or one remote
 * `lts agent`. One measurement at a time per evaluator. A candidate failure (crash, OOM, timeout) is
 * a resolved Measurement with ok:false; a rejected promise means the evaluator itself is unusable
 * (agent unreachable after its retries) and the search gives the candidate to another evaluator.
 */
export interface Evaluator {
  name: string;
  evaluate(cfg: ArchConfig, req: { metrics: Metric[]; seed: number }): Promise<Measurement>;
  fingerprint(): Promise<Fingerprint>;
  close?(): Promise<void>;
}

/** A candidate as the search knows it, before and after measuring. */
export interface CandidateInfo {
  id: string;
  key: string;
  family: Family;
  /** Canonical config (active layers only); enough to rebuild the model. */
  config: ArchConfig;
  /** The generation that produced it (0 = the initial population). */
  iteration: number;
  decoder_params: number;
  total_params: number;
}

/** One line of `<out>/candidates.jsonl`: every evaluated candidate, appended as it is measured. */
export interface CandidateRecord extends CandidateInfo {
  measurement: Measurement;
  /** Which evaluator measured it (e.g. 'local', 'agent http://host:7070'). */
  evaluator: string;
  measured_at: string;
  /**
   * What the measurement depends on besides the candidate (device name and a hash of its runtime,
   * providers, threads, graph, shapes, protocol, limits, metrics and seed). Resume refuses records
   * whose context differs from the run's. Absent in files written before it existed.
   */
  context?: string;
}

/** One frontier point in pareto.json. */
export interface FrontierPoint extends CandidateInfo {
  /** Predicted validation perplexity from the calibration named in pareto.json `calibration`. */
  predicted_ppl?: number;
  /** Its 90 % interval, whether the curve was anchored, whether the params lie in the calibrated range. */
  predicted_ppl_interval?: PplInterval;
  latency?: LatencyStats;
  decode?: LatencyStats;
  memory?: MemoryStats;
  provider?: string;
  timing: Measurement['timing'];
}

export interface SearchSettings {
  metrics: Metric[];
  families: Family[];
  shapes: ShapeSettings;
  graph: 'ort' | 'standard';
  protocol: MeasureProtocol;
  seed: number;
  param_min: number;
  param_max: number;
  latency_max_ms?: number;
  iterations: number;
  population: number;
  parents: number;
  mutations: number;
  crossovers: number;
  budget_minutes?: number;
  /** Perplexity calibration as the user named it (built-in name or file); absent: each family's built-in one for `dataset`. */
  calibration?: string;
  /** Dataset of the built-in calibrations ('wt103' or 'lm1b'); default wt103. */
  dataset?: string;
  /** Search-space overrides (gene choices, vocabulary); absent = the reference defaults. */
  space?: SpaceOverrides;
}

/** `<out>/pareto.json` (JSON Schema in schemas/pareto.schema.json). */
export interface ParetoFile {
  schema_version: 1;
  tool: { name: 'lts'; version: string };
  created_at: string;
  device: DeviceProfile;
  fingerprint: Fingerprint;
  settings: SearchSettings;
  calibration?: { name: string; family: Family | 'any'; dataset: string; note?: string };
  counts: {
    evaluated: number;
    failed: number;
    frontier: number;
    iterations_done: number;
    /** 'evaluators_lost': every evaluator became unusable (e.g. all agents stopped answering). */
    stopped_by: 'iterations' | 'budget' | 'interrupt' | 'evaluators_lost';
  };
  frontier: FrontierPoint[];
}
