// The sentinel: a fixed reference model per run, measured by each evaluator at its start (and after a
// resume), every K candidates or T minutes, whenever its next measurement would run in a fresh process,
// and at the end of each generation; its series (`<run>/sentinel.jsonl`) gives the speed factor that
// drift.ts divides costs by. Measured through the same evaluator and protocol as the candidates.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Rng } from '../util/rng.js';
import { readJsonl } from '../util/jsonl.js';
import type { SentinelPoint } from './drift.js';
import type { Identity, SearchSpaces } from './spaces.js';

export const SENTINEL_FILE = 'sentinel.jsonl';
/** Defaults: a sentinel every 10 candidates or 5 minutes, whichever comes first. */
export const SENTINEL_EVERY = 10;
export const SENTINEL_MINUTES = 5;
/**
 * The sentinel is timed for this many times the protocol's minimum runs (up to its maxRuns), and to
 * the protocol's own CI target (not the search's widened one): every candidate's corrected cost
 * carries the sentinel's error, so the reference must be more precise than what it corrects
 * (bench/repeatability-interleaved compares it with an exact speed factor per pass; README, drift).
 */
export const SENTINEL_RUN_FACTOR = 3;

/** The measuring request's protocol overrides for a sentinel measurement (see SENTINEL_RUN_FACTOR). */
export function sentinelProtocol(protocol: { minRuns: number; targetRelCi: number }): { minRuns: number; ciTarget: number } {
  return { minRuns: SENTINEL_RUN_FACTOR * protocol.minRuns, ciTarget: protocol.targetRelCi };
}

/** Candidates sampled to choose the sentinel from; the one at SENTINEL_QUANTILE of their decoder params is taken. */
const SENTINEL_SAMPLES = 32;
const SENTINEL_QUANTILE = 0.1;

/**
 * The run's sentinel: among a fixed sample of the search space (seeded by the run's seed, so a resume
 * chooses it again), the model at the 10th percentile of decoder params. Small enough that a sentinel
 * every 10 candidates costs a few % of the run, yet from the same space, so it exercises the same
 * operators and cache behaviour as the candidates it stands for.
 */
export function chooseSentinel(spaces: SearchSpaces, seed: number): Identity {
  const rng = new Rng((seed ^ 0x5e471e1) >>> 0);
  const space = spaces.space(spaces.families[0]!);
  const ids = Array.from({ length: SENTINEL_SAMPLES }, () => spaces.identify(space.sample(rng)));
  ids.sort((a, b) => a.decoder_params - b.decoder_params || (a.key < b.key ? -1 : 1));
  return ids[Math.floor(SENTINEL_QUANTILE * (ids.length - 1))]!;
}

export interface ScheduleOptions {
  everyCandidates: number;
  everyMs: number;
  now(): number;
}

/**
 * When each evaluator measures the sentinel next. Per evaluator: agents are separate boards that drift
 * separately. A new schedule (a new or resumed search) owes every evaluator a measurement at its start.
 */
export class SentinelSchedule {
  private readonly state = new Map<string, { since: number; at: number }>();
  constructor(private readonly o: ScheduleOptions) {}

  /** Whether `evaluator` should measure the sentinel before its next candidate. */
  due(evaluator: string, freshProcessNext = false): boolean {
    const s = this.state.get(evaluator);
    if (!s) return true;
    const stale = this.o.now() - s.at >= this.o.everyMs;
    // Nothing measured since the last sentinel: only time (an idle evaluator) or a new process makes it stale.
    if (s.since === 0) return stale || freshProcessNext;
    return freshProcessNext || s.since >= this.o.everyCandidates || stale;
  }

  /** A generation ended: every evaluator that measured a candidate since its last sentinel owes one. */
  closing(evaluator: string): boolean {
    const s = this.state.get(evaluator);
    return s !== undefined && s.since > 0;
  }

  sentinelMeasured(evaluator: string): void {
    this.state.set(evaluator, { since: 0, at: this.o.now() });
  }

  candidateMeasured(evaluator: string): void {
    const s = this.state.get(evaluator);
    if (s) s.since++;
  }
}

/** The run's sentinel series so far (resume keeps it); a truncated last line is skipped. */
export function readSentinelSeries(dir: string): SentinelPoint[] {
  const p = join(dir, SENTINEL_FILE);
  if (!existsSync(p)) return [];
  return readJsonl<SentinelPoint>(p).records.filter((r) => r && typeof r.evaluator === 'string' && typeof r.at_ms === 'number');
}
