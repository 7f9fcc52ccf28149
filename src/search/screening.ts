// The search's side of strategy 'screened': a cost model per requested metric, refitted on the run's
// measurements after every generation, and for each new child the choice to measure it, skip it, or
// measure it anyway as part of the audit. Decisions depend only on the seed, the child and the
// measurements of earlier generations, so a resumed run makes the same ones.
import { fitPredictor, screenDecision, type CostPredictor, type ScreenDecision, type ScreenPoint } from '../cost/index.js';
import type { Objective } from '../pareto/index.js';
import { paretoFront } from '../pareto/index.js';
import type { ShapeSettings } from '../space/types.js';
import { metricValue, requestedMetrics } from './objectives.js';
import type { CandidateInfo, CandidateRecord, CostPredictions, SearchSettings, Strategy } from './types.js';

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

  constructor(
    private readonly s: SearchSettings,
    private readonly shapes: ShapeSettings,
  ) {
    this.metrics = requestedMetrics(s);
  }

  get strategy(): Strategy {
    return this.s.strategy ?? 'exhaustive';
  }

  get active(): boolean {
    return this.strategy === 'screened';
  }

  /** Refits every metric's model on the successful measurements so far. */
  refit(history: readonly CandidateRecord[]): void {
    if (!this.active) return;
    const measured = history.filter((r) => r.measurement.ok).map((r) => ({ config: r.config, costs: this.metrics.map((m) => metricValue(r, m)) }));
    this.predictor = fitPredictor(measured, this.metrics, this.shapes);
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
    const points: ScreenPoint[] = frontier.map((r) => ({ id: r.id, decoder_params: r.decoder_params, costs: this.s.metrics.map((m) => metricValue(r, m)!) }));
    const latencyAt = this.metrics.indexOf('latency');
    const decision = screenDecision(
      { key: child.key, decoder_params: child.decoder_params, low: preds.map((p) => p.low) },
      points,
      {
        margin: this.s.screen_margin ?? SCREEN_DEFAULTS.margin,
        auditShare: this.s.audit_share ?? SCREEN_DEFAULTS.auditShare,
        seed: this.s.seed,
        maxCost: this.s.latency_max_ms !== undefined && latencyAt >= 0 ? [{ index: latencyAt, value: this.s.latency_max_ms }] : undefined,
      },
    );
    return { decision, prediction };
  }
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
