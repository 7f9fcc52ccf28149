// Public face of src/cost: predicting a candidate's costs from its config, learned on the run itself,
// and deciding from those predictions whether it is worth measuring.
import { median } from 'simple-statistics';
import type { Metric } from '../profile/types.js';
import type { ArchConfig } from '../space/types.js';
import { costFeatures, type CostSetting } from './features.js';
import { fitCostModel, type CostModel, type CostPrediction, type FitOptions } from './model.js';

export { costFeatures, FEATURE_NAMES, type CostFeatureFn, type CostSetting } from './features.js';
export { fitCostModel, type CostModel, type CostPrediction, type CostSample, type FitOptions } from './model.js';
export { auditDraw, dominatedBy, screenDecision, type ScreenChild, type ScreenDecision, type ScreenOptions, type ScreenPoint } from './screen.js';

/** A measured candidate: its config and its cost per metric (undefined where not measured). */
export interface MeasuredConfig {
  config: ArchConfig;
  costs: (number | undefined)[];
}

/** One cost model per metric, fitted on the same measurements. */
export interface CostPredictor {
  metrics: readonly Metric[];
  models: (CostModel | undefined)[];
  /** Per metric, the factor every prediction is multiplied by (1 unless levelled, see withRecentLevel). */
  levels: number[];
  /** Predictions in metric order, or undefined while any metric lacks a model. */
  predict(cfg: ArchConfig): CostPrediction[] | undefined;
}

/** Fits every metric's model on the measurements so far (called once per generation). */
export function fitPredictor(measured: readonly MeasuredConfig[], metrics: readonly Metric[], setting: CostSetting, opts: FitOptions = {}): CostPredictor {
  const models = metrics.map((metric, m) =>
    fitCostModel(
      measured.flatMap((r) => {
        const features = costFeatures(r.config, setting, metric);
        return features && r.costs[m] !== undefined ? [{ features, y: r.costs[m]! }] : [];
      }),
      opts,
    ),
  );
  return {
    metrics,
    models,
    levels: metrics.map(() => 1),
    predict(cfg: ArchConfig): CostPrediction[] | undefined {
      if (models.some((x) => x === undefined)) return undefined;
      const features = metrics.map((metric) => costFeatures(cfg, setting, metric));
      if (features.some((f) => f === undefined)) return undefined;
      return models.map((model, m) => model!.predict(features[m]!));
    },
  };
}

/** Fewer recent measurements than this: the level stays 1. */
export const LEVEL_MIN_SAMPLES = 5;

/**
 * The predictor with each time metric's level set by the most recent measurements: predictions times
 * the median of measured / predicted over `recent` (the last generation). The model is fitted on the
 * whole run, so it learns the relative costs of architectures from many points, but a machine whose
 * speed drifts over minutes moves every new cost by the same factor, and the last generation says
 * where the level is now. Replayed on the benchmark runs that measured every child the margin left
 * (bench/cost-level, README) it cut the latency generations whose median error exceeds 5 % from 22 to
 * 16 of 90; decode's error is the model's own and barely moved. A memory peak does not drift with the
 * machine's speed, so memory keeps level 1.
 */
export function withRecentLevel(p: CostPredictor, recent: readonly MeasuredConfig[]): CostPredictor {
  const levels = p.metrics.map((metric, m) => {
    if (metric === 'memory') return 1;
    const ratios = recent.flatMap((r) => {
      const cost = r.costs[m];
      const pred = cost !== undefined ? p.predict(r.config)?.[m]?.mean : undefined;
      return cost !== undefined && pred !== undefined && pred > 0 ? [cost / pred] : [];
    });
    return ratios.length >= LEVEL_MIN_SAMPLES ? median(ratios) : 1;
  });
  return {
    ...p,
    levels: levels.map((l, m) => l * p.levels[m]!),
    predict(cfg: ArchConfig): CostPrediction[] | undefined {
      return p.predict(cfg)?.map((x, m) => ({ mean: x.mean * levels[m]!, low: x.low * levels[m]!, high: x.high * levels[m]! }));
    },
  };
}
