import type { PplInterval } from '../calibrate/interval.js';
import type { ArchConfig, Family, ShapeSettings } from '../space/types.js';
import type { SpaceOverrides } from '../space/overrides.js';
import type { SearchSpaces } from './spaces.js';
import type { DriftRecord } from './tracker.js';
import type { Remeasure } from './drift.js';
import type { DeviceProfile, Fingerprint, LatencyStats, Measurement, MemoryStats, Metric, MeasureProtocol } from '../profile/types.js';

/**
 * What an evaluator returns for one candidate. A failure is the candidate's (recorded) unless the
 * evaluator marks it retryable: the measuring side was stopped under it (e.g. its child process died
 * of a stop signal), so the search measures it again, a few times at most.
 */
export type Evaluation = Measurement & { retryable?: boolean };

/**
 * Something that measures candidates on a device: the local child-process profiler, or one remote
 * `lts agent`. One measurement at a time per evaluator. A candidate failure (crash, OOM, timeout) is
 * a resolved Evaluation with ok:false; a rejected promise means the evaluator itself is unusable
 * (agent unreachable after its retries) and the search gives the candidate to another evaluator.
 */
export interface Evaluator {
  name: string;
  /**
   * ciTarget: the CI target the stopping rule chose (drift.ts ciTarget), replacing the protocol's;
   * minRuns: a higher minimum of timed runs (the sentinel's); both where the evaluator supports them.
   */
  evaluate(cfg: ArchConfig, req: { metrics: Metric[]; seed: number; ciTarget?: number; minRuns?: number }): Promise<Evaluation>;
  fingerprint(): Promise<Fingerprint>;
  /** Whether the next evaluate() will run in a new measuring process (a fresh warm worker); the sentinel is measured first then. */
  freshProcessNext?(metrics: readonly Metric[]): boolean;
  /** Makes the next evaluate() run in a new measuring process (a contender's second measurement is an independent draw). */
  newProcess?(): void;
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
  /** The search's accuracy proxy: decoder params, or for a mixture-of-experts family the count settings.moe_proxy names. */
  decoder_params: number;
  total_params: number;
  /** Families with several counts (Brainformer): every decoder param, those one token activates, the dense-equivalent. */
  param_counts?: Record<string, number>;
}

/** A cost predicted before measuring (ms or MB): the model's value and its interval. `high` is absent where unbounded. */
export interface CostEstimate {
  mean: number;
  low: number;
  high?: number;
}

/** Predicted costs per metric, as the screening saw them. */
export type CostPredictions = Partial<Record<Metric, CostEstimate>>;

/** One line of `<out>/candidates.jsonl`: every evaluated candidate, appended as it is measured. */
export interface CandidateRecord extends CandidateInfo {
  /** The cost model's prediction made before measuring (strategy screened, once the model is fitted). */
  prediction?: CostPredictions;
  /** Set on a child the screen would have skipped but the audit measured: the point that seemed to dominate it. */
  audit?: { screened_by: string };
  /** Raw, as measured (the first measurement when the candidate was measured again). */
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
  /** Later measurements of this candidate (a contender measured again); the line with them replaces the earlier one. */
  remeasured?: Remeasure[];
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

/**
 * A child the cost model predicted to be dominated by the measured frontier by more than the margin:
 * recorded in candidates.jsonl (status 'screened') and never measured, never on the frontier, never a parent.
 */
export interface ScreenedRecord extends CandidateInfo {
  status: 'screened';
  prediction: CostPredictions;
  /** The measured point that dominated the optimistic prediction ('constraint': it breaks --latency-max). */
  screened_by: string;
  screened_at: string;
  context?: string;
}

/** 'exhaustive': measure every child (the LTS protocol); 'screened': skip children a cost model predicts far behind the frontier. */
export type Strategy = 'exhaustive' | 'screened';

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
  /** Families with a proxy choice (Brainformer's mixture of experts): the count their `decoder_params` hold (`--moe-proxy`). */
  moe_proxy?: string;
  /** What that count is and where it comes from. */
  moe_proxy_source?: string;
  /** Absent: exhaustive (runs written before screening existed). */
  strategy?: Strategy;
  /** Screening margin as a fraction (0.1: a point must beat the optimistic cost by more than 10 %). */
  screen_margin?: number;
  /** Share of would-be-screened children measured anyway (the audit), 0..1. */
  audit_share?: number;
  /** Strategy screened: measure at most this share of each generation's children, the most promising by prediction (absent: 1, every child the margin leaves). */
  screen_keep?: number;
  /**
   * Strategy screened: each generation breeds this many times the children (mutations and crossovers),
   * and measures as many as one generation's worth (times screen_keep), the most promising by
   * prediction. Fixed for the run, so a resume under another strategy breeds the same generations.
   * Absent: 1.
   */
  screen_breed?: number;
  /** 'on': a sentinel, drift-corrected costs on the frontier, the spread-matched stopping rule and contenders measured again. Absent = 'off' (runs from before it existed). */
  drift_correction?: 'on' | 'off';
  /** Sentinel every this many candidates per evaluator (default 10). */
  sentinel_every?: number;
  /** ... or every this many minutes, whichever comes first (default 5). */
  sentinel_minutes?: number;
  /**
   * true: the next candidate was exported and its session created while one was timed, by a second
   * measuring process on a core the timed runs leave free (src/profile/gate.ts). Absent = false.
   */
  prepare_ahead?: boolean;
}

/** Why a search ended. */
export type StopReason = 'iterations' | 'budget' | 'interrupt' | 'evaluators_lost';

/** `<out>/pareto.json` (JSON Schema in schemas/pareto.schema.json). */
export interface ParetoFile {
  /** 2 since mixture-of-experts families (a point's config may be a Brainformer block; param_counts, moe_proxy); 1 files still read. */
  schema_version: 1 | 2;
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
    /** Strategy screened: children not measured because predicted far behind the frontier. */
    screened?: number;
    /** Children measured by the audit although the screen would have skipped them. */
    audited?: number;
    /** Audited children that were on the frontier of everything measured up to their generation: false screens. */
    audit_on_frontier?: number;
    /**
     * 'evaluators_lost': every evaluator became unusable (e.g. all agents stopped answering).
     * 'running': written while the search goes on; left so by a search that was killed (resume it).
     */
    stopped_by: StopReason | 'running';
    /** Contenders measured again (drift correction on). */
    remeasured?: number;
  };
  /** The sentinel, its series and the largest drift seen (drift correction on). */
  drift?: DriftRecord;
  frontier: FrontierPoint[];
}

export interface SearchProgress {
  iteration: number;
  iterations: number;
  /** Candidates with a result (this process's measurements plus those replayed from the cache). */
  evaluated: number;
  failed: number;
  /** Measurements made by this process. */
  measured_now: number;
  /** Results preloaded from the run directory (resume). */
  cached: number;
  frontier: number;
  /** Candidates the full run would evaluate (children screened out so far not counted). */
  planned: number;
  /** Strategy screened: children not measured so far. */
  screened?: number;
  elapsed_ms: number;
  /** Rough estimate of the time left, from the mean measurement time so far; undefined until known. */
  eta_ms?: number;
  evaluators: number;
}

export interface Annotation {
  points: FrontierPoint[];
  calibration?: ParetoFile['calibration'];
}

export interface RunSearchOptions {
  outDir: string;
  /** The effective device profile (command-line overrides applied); recorded in pareto.json. */
  device: DeviceProfile;
  settings: SearchSettings;
  evaluators: Evaluator[];
  spaces: SearchSpaces;
  /** Continue the run in outDir: preload its candidates.jsonl and replay. */
  resume?: boolean;
  /** Aborting stops the search after the measurements in flight; results are still written. */
  signal?: AbortSignal;
  /** The clock for the budget, live-write pacing and timestamps (tests pass a fake one). */
  now?: () => number;
  onProgress?: (p: SearchProgress) => void;
  /** Diagnostics (dropped evaluators, skipped lines): one line each. */
  log?: (line: string) => void;
  /** Adds predicted perplexity (or anything else) to frontier points before each write. */
  annotate?: (points: FrontierPoint[]) => Annotation;
  /** Least time between pareto.json rewrites within a generation (default 2000 ms; each one fsyncs). */
  liveWriteMs?: number;
}

export interface SearchOutcome {
  pareto: ParetoFile;
  /** Every candidate with a result, in candidate order (replayed ones included). */
  history: CandidateRecord[];
  /** evaluate() calls that produced a record in this process. */
  measuredNow: number;
  stoppedBy: StopReason;
}
