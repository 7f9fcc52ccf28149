// After a generation (drift correction on): the contenders' second measurement. Each pair is measured
// in a fresh measuring process of the evaluator that measured the contender (the sentinel first, as in
// every new process), neighbour first, then the contender. The new measurement is added to the record
// (remeasured), and the combined record is appended to candidates.jsonl, where it replaces the earlier
// line on resume.
import { findContenders } from './contenders.js';
import { feasible } from './objectives.js';
import type { DriftTracker } from './tracker.js';
import type { CandidateRecord, Evaluator, SearchSettings } from './types.js';

/** Share of a generation that may be measured again as contenders (pairs), at least one pair. */
export const CONTENDER_SHARE = 0.1;

export interface RemeasureContext {
  settings: SearchSettings;
  tracker: DriftTracker;
  alive: readonly Evaluator[];
  request: { metrics: SearchSettings['metrics']; seed: number; ciTarget?: number };
  /** Every record so far, latest version of each. */
  records(): CandidateRecord[];
  /** Records a candidate's combined record (candidates.jsonl, cache, history). */
  replace(rec: CandidateRecord): void;
  shouldStop(): boolean;
  now(): number;
  log(line: string): void;
}

/** Measures the generation's contenders again; returns how many candidates gained a measurement. */
export async function remeasureContenders(ctx: RemeasureContext, generationSize: number): Promise<number> {
  const all = ctx.records();
  const skip = new Set(all.filter((r) => (r.remeasured?.length ?? 0) > 0).map((r) => r.key));
  const corrected = ctx.tracker.correct(all).filter((r) => feasible(r, ctx.settings));
  // A difference is in doubt within the spread of a difference of two measurements: sqrt(2) times one's.
  const band = ctx.tracker.spread() * Math.SQRT2;
  const limit = Math.max(1, Math.ceil(CONTENDER_SHARE * generationSize));
  const pairs = findContenders(corrected, ctx.settings.metrics, band, limit, skip);
  let done = 0;
  for (const pair of pairs) {
    const contender = ctx.records().find((r) => r.key === pair.key);
    const ev = contender && ctx.alive.find((e) => e.name === contender.evaluator);
    if (!ev) continue;
    // An independent draw: a fresh measuring process (with its own sentinel first), both of the pair in it.
    ev.newProcess?.();
    for (const key of [pair.neighbour, pair.key]) {
      if (ctx.shouldStop()) return done;
      const rec = ctx.records().find((r) => r.key === key);
      if (!rec) continue;
      await ctx.tracker.before(ev);
      let m;
      try {
        m = await ev.evaluate(rec.config, { ...ctx.request, ciTarget: ctx.tracker.ciTarget() });
      } catch (err) {
        ctx.log(`measuring contender ${rec.id} again on ${ev.name} failed: ${(err as Error).message}`);
        break;
      }
      ctx.tracker.measured(ev);
      const { retryable: _retryable, ...measurement } = m;
      if (!measurement.ok) {
        // The first measurement stands; a failure the second time is the measuring side's doubt, not a verdict.
        ctx.log(`measuring contender ${rec.id} again failed (${measurement.error}); its first measurement stands`);
        continue;
      }
      const remeasured = [...(rec.remeasured ?? []), { measured_at: new Date(ctx.now()).toISOString(), evaluator: ev.name, measurement }];
      ctx.replace({ ...rec, remeasured });
      done++;
    }
  }
  return done;
}

/**
 * A measured generation's end (drift correction on): a closing sentinel, so the generation's speed
 * factors are final before the next generation is bred from them (a resume replays the same); then its
 * contenders measured again, and a closing sentinel after those. `results` (the generation, in candidate
 * order) and `history` are updated in place with the combined records; `record` persists one.
 */
export async function settleGeneration(
  ctx: Omit<RemeasureContext, 'records' | 'replace'>,
  history: CandidateRecord[],
  results: CandidateRecord[],
  record: (rec: CandidateRecord) => void,
): Promise<CandidateRecord[]> {
  await ctx.tracker.closeGeneration(ctx.alive);
  const byKey = new Map(results.map((r, i) => [r.key, i]));
  const replace = (rec: CandidateRecord): void => {
    record(rec);
    const i = byKey.get(rec.key);
    if (i !== undefined) results[i] = rec;
    else {
      const h = history.findIndex((x) => x.key === rec.key);
      if (h >= 0) history[h] = rec;
    }
  };
  const n = await remeasureContenders({ ...ctx, records: () => [...history, ...results], replace }, results.length);
  if (n > 0) await ctx.tracker.closeGeneration(ctx.alive);
  return results;
}
