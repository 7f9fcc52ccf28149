// The search's side of strategy 'screened': a cost model per requested metric, refitted on the run's
// measurements after every generation, and for each new child the choice to measure it, skip it, or
// measure it anyway as part of the audit. Decisions depend only on the seed, the child and the
// measurements of earlier generations, so a resumed run makes the same ones. A child screened before a
// resume is judged again from the prediction its record keeps: under the same settings that gives the
// same answer, and under looser ones (exhaustive, a larger margin or audit share) it is measured now.
import { auditDraw, fitPredictor, screenDecision, withRecentLevel, type CostPredictor, type CostSetting, type ScreenDecision, type ScreenPoint } from '../cost/index.js';
import type { Objective } from '../pareto/index.js';
import { paretoFront } from '../pareto/index.js';
import { metricValue, requestedMetrics } from './objectives.js';
import type { CandidateInfo, CandidateRecord, CostPredictions, ScreenedRecord, SearchSettings, Strategy } from './types.js';

/** What a new run uses when the command line does not say. */
export const SCREEN_DEFAULTS = { margin: 0.1, auditShare: 0.05 };

export interface ScreenVerdict {
  decision: ScreenDecision;
  /** Absent while the model has too few measurements (the child is then measured). */
  prediction?: CostPredictions;
}

export class Screening {
  private predictor: CostPredictor | undefined;
  private readonly metrics;
  /** Screened children read back on resume, by key: judged again from the prediction each record keeps. */
  private before = new Map<string, ScreenedRecord>();
  /** Children screened (not measured) so far, the current generation's included. */
  readonly screened: ScreenedRecord[] = [];

  constructor(
    private readonly s: SearchSettings,
    /** The device profile's shapes and graph form: what the features count. */
    private readonly setting: CostSetting,
  ) {
    this.metrics = requestedMetrics(s);
  }

  get strategy(): Strategy {
    return this.s.strategy ?? 'exhaustive';
  }

  get active(): boolean {
    return this.strategy === 'screened';
  }

  /** Whether the run has screening counts to report: it screens, or screened before a resume changed that. */
  get counted(): boolean {
    return this.active || this.before.size > 0;
  }

  /** The screened records of the run being resumed. */
  resumeFrom(screened: Map<string, ScreenedRecord>): void {
    this.before = screened;
  }

  /**
   * One unmeasured child: 'screened' if it is not to be measured (recorded through `record` now, or
   * replayed from the resumed run), otherwise the verdict its measurement record keeps.
   */
  screen(info: CandidateInfo, frontier: readonly CandidateRecord[], record: (r: ScreenedRecord) => void, context: string, at: string): 'screened' | ScreenVerdict {
    const replayed = this.before.get(info.key);
    if (replayed) {
      // Its measured record will keep what was predicted of it.
      const v = this.active ? this.judge(info, this.metrics.map((m) => replayed.prediction[m]?.low), frontier) : { action: 'measure' as const };
      if (v.action !== 'screen') return { decision: v, prediction: replayed.prediction };
      return this.replay(replayed, info);
    }
    if (!this.active) return { decision: { action: 'measure' } };
    const v = this.decide(info, frontier);
    if (v.decision.action !== 'screen') return v;
    return this.cut({ ...info, status: 'screened', prediction: v.prediction!, screened_by: v.decision.by, screened_at: at, context }, record);
  }

  /** A child screened before a resume, screened again: counted in its generation, not written twice. */
  private replay(replayed: ScreenedRecord, info: CandidateInfo): 'screened' {
    this.screened.push({ ...replayed, iteration: info.iteration });
    return 'screened';
  }

  /** A child not to be measured: written to candidates.jsonl and counted. */
  private cut(rec: ScreenedRecord, record: (r: ScreenedRecord) => void): 'screened' {
    record(rec);
    this.screened.push(rec);
    return 'screened';
  }

  /** Whether a generation's children are cut to the most promising (settings.screen_keep < 1 or screen_breed > 1). */
  get ranking(): boolean {
    return this.active && ((this.s.screen_keep ?? 1) < 1 || (this.s.screen_breed ?? 1) > 1);
  }

  /**
   * settings.screen_keep and screen_breed: of a generation's children that the margin leaves to
   * measure, only ceil(keep x one generation's children) are measured, chosen by mostPromising() from
   * their predicted costs; the others are screened with screened_by 'rank' (a seeded audit share of
   * them measured anyway). Children already measured (cached on resume) keep their place, and audits
   * are outside the share. The cut uses the prediction each child's record keeps, so a resumed run cuts
   * the same children.
   */
  rank(
    children: readonly CandidateInfo[],
    verdicts: ('screened' | ScreenVerdict | undefined)[],
    cached: readonly (CandidateRecord | undefined)[],
    frontier: readonly CandidateRecord[],
    record: (r: ScreenedRecord) => void,
    context: string,
    at: () => string,
  ): ('screened' | ScreenVerdict | undefined)[] {
    // The initial population is the LTS protocol's, measured whole: the model learns from it.
    if (!this.ranking || children.every((c) => c.iteration === 0)) return verdicts;
    const points = frontier.map((r) => ({ decoder_params: r.decoder_params, costs: this.s.metrics.map((m) => metricValue(r, m)!) }));
    const meanOf = (p: CostPredictions | undefined): number[] | undefined => {
      const xs = this.s.metrics.map((m) => p?.[m]?.mean);
      return xs.every((x): x is number => x !== undefined) ? xs : undefined;
    };
    // Children competing for the share: to be measured (or measured already), not an audit.
    const competing: PredictedChild[] = [];
    const unpredicted: number[] = [];
    children.forEach((c, i) => {
      const v = verdicts[i];
      const measured = cached[i];
      if (measured ? measured.audit !== undefined : v === 'screened' || v!.decision.action !== 'measure') return;
      const mean = meanOf(measured ? measured.prediction : (v as ScreenVerdict).prediction);
      if (mean === undefined) unpredicted.push(i);
      else competing.push({ index: i, decoder_params: c.decoder_params, mean });
    });
    // One generation's worth (fewer if admission found fewer children than that), times the kept share.
    const breed = this.s.screen_breed ?? 1;
    const keep = Math.ceil((this.s.screen_keep ?? 1) * Math.min(children.length, this.s.mutations + this.s.crossovers));
    const picks = mostPromising(competing, points, keep);
    // Children the model cannot predict yet (too few measurements, a family without cost features)
    // fill what is left, every breed-th of the generation's order first: a spread of its mutations and
    // crossovers, and the same children on a resume.
    unpredicted.sort((a, b) => (a % breed) - (b % breed) || a - b);
    picks.push(...unpredicted.slice(0, Math.max(0, keep - picks.length)));
    const chosen = new Set(picks);
    const out = [...verdicts];
    for (const i of [...competing.map((c) => c.index), ...unpredicted]) {
      if (chosen.has(i) || cached[i]) continue; // measured before a resume: it stays
      const info = children[i]!;
      const replayed = this.before.get(info.key);
      if (replayed) {
        out[i] = this.replay(replayed, info);
        continue;
      }
      // Empty when the model could not predict it.
      const prediction = (out[i] as ScreenVerdict).prediction ?? {};
      if (auditDraw(this.s.seed, info.key) < (this.s.audit_share ?? SCREEN_DEFAULTS.auditShare)) {
        out[i] = { decision: { action: 'audit', by: 'rank' }, prediction };
        continue;
      }
      out[i] = this.cut({ ...info, status: 'screened', prediction, screened_by: 'rank', screened_at: at(), context }, record);
    }
    return out;
  }

  /**
   * Refits every metric's model on the successful measurements so far, its level set by the last
   * generation (withRecentLevel) unless children are ranked: then the last generation's measured
   * children are the ones predicted cheapest, their measured / predicted is high by selection as well
   * as by drift, and levelling every child by it would screen more than the machine's speed explains.
   */
  refit(history: readonly CandidateRecord[]): void {
    if (!this.active) return;
    const ok = history.filter((r) => r.measurement.ok);
    const sample = (r: CandidateRecord) => ({ config: r.config, costs: this.metrics.map((m) => metricValue(r, m)) });
    const fitted = fitPredictor(ok.map(sample), this.metrics, this.setting);
    const last = Math.max(...ok.map((r) => r.iteration));
    this.predictor = this.ranking ? fitted : withRecentLevel(fitted, ok.filter((r) => r.iteration === last).map(sample));
  }

  /** Measure, screen or audit a child against the measured frontier (the generation's parents' frontier). */
  decide(child: Pick<CandidateInfo, 'key' | 'config' | 'decoder_params'>, frontier: readonly CandidateRecord[]): ScreenVerdict {
    const preds = this.active ? this.predictor?.predict(child.config) : undefined;
    if (!preds) return { decision: { action: 'measure' } };
    const prediction: CostPredictions = {};
    this.metrics.forEach((m, i) => {
      const p = preds[i]!;
      prediction[m] = Number.isFinite(p.high) ? { mean: p.mean, low: p.low, high: p.high } : { mean: p.mean, low: p.low };
    });
    return { decision: this.judge(child, preds.map((p) => p.low), frontier), prediction };
  }

  /** The decision for optimistic costs `low` (in requested-metric order; a missing one: measure) under the settings. */
  private judge(child: Pick<CandidateInfo, 'key' | 'decoder_params'>, low: (number | undefined)[], frontier: readonly CandidateRecord[]): ScreenDecision {
    if (low.some((v) => v === undefined)) return { action: 'measure' };
    const points: ScreenPoint[] = frontier.map((r) => ({ id: r.id, decoder_params: r.decoder_params, costs: this.s.metrics.map((m) => metricValue(r, m)!) }));
    const latencyAt = this.metrics.indexOf('latency');
    return screenDecision({ key: child.key, decoder_params: child.decoder_params, low: low as number[] }, points, {
      margin: this.s.screen_margin ?? SCREEN_DEFAULTS.margin,
      auditShare: this.s.audit_share ?? SCREEN_DEFAULTS.auditShare,
      seed: this.s.seed,
      maxCost: this.s.latency_max_ms !== undefined && latencyAt >= 0 ? [{ index: latencyAt, value: this.s.latency_max_ms }] : undefined,
    });
  }
}

/**
 * How promising a child is for the frontier it was bred from, by its predicted mean costs: for each
 * metric, the prediction over the best cost a measured point with at least its decoder params has
 * (below 1: it would move the frontier; no such point: it would extend it, 0), the smallest over the
 * metrics (one cost that improves is enough). Lower is more promising.
 */
export function promise(decoderParams: number, mean: number[], frontier: readonly { decoder_params: number; costs: number[] }[]): number {
  const above = frontier.filter((q) => q.decoder_params >= decoderParams);
  if (above.length === 0) return 0;
  return Math.min(...mean.map((c, m) => c / Math.min(...above.map((q) => q.costs[m]!))));
}

export interface PredictedChild {
  index: number;
  decoder_params: number;
  /** Predicted mean costs, in the order of the frontier points' costs. */
  mean: number[];
}

/**
 * The `keep` most promising children, chosen one at a time: each pick is the child with the lowest
 * promise() against the frontier plus the predicted points of the children picked before it (ties: the
 * lower index). So a second child predicted to land where a picked one would already be is worth less
 * than one that would move another part of the frontier, and the measurements spread along it instead of
 * piling up on one parent's variations.
 */
export function mostPromising(children: readonly PredictedChild[], frontier: readonly { decoder_params: number; costs: number[] }[], keep: number): number[] {
  const points = [...frontier];
  const left = [...children];
  const picked: number[] = [];
  while (picked.length < keep && left.length > 0) {
    let best = 0;
    let bestScore = Number.POSITIVE_INFINITY;
    left.forEach((c, k) => {
      const score = promise(c.decoder_params, c.mean, points);
      if (score < bestScore || (score === bestScore && c.index < left[best]!.index)) [best, bestScore] = [k, score];
    });
    const c = left.splice(best, 1)[0]!;
    picked.push(c.index);
    points.push({ decoder_params: c.decoder_params, costs: c.mean });
  }
  return picked;
}

/** A measured child's record keeps what the screen said of it: its prediction, and whether it was an audit. */
export function withVerdict(rec: CandidateRecord, v: 'screened' | ScreenVerdict | undefined): CandidateRecord {
  if (v === undefined || v === 'screened') return rec;
  if (v.prediction) rec.prediction = v.prediction;
  if (v.decision.action === 'audit') rec.audit = { screened_by: v.decision.by };
  return rec;
}

/**
 * Audited children that were on the frontier of every feasible record up to and including their
 * generation: the screen would have kept something off the frontier (a false screen).
 */
export function auditOnFrontier(records: readonly CandidateRecord[], isFeasible: (r: CandidateRecord) => boolean, objectives: Objective<CandidateRecord>[]): number {
  let n = 0;
  for (const r of records) {
    if (!r.audit || !isFeasible(r)) continue;
    const upTo = records.filter((q) => q.iteration <= r.iteration && isFeasible(q));
    if (paretoFront(upTo, objectives).includes(r)) n++;
  }
  return n;
}
