// Public face of src/cost: predicting a candidate's costs from its config, learned on the run itself,
// and deciding from those predictions whether it is worth measuring.
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
    predict(cfg: ArchConfig): CostPrediction[] | undefined {
      if (models.some((x) => x === undefined)) return undefined;
      const features = metrics.map((metric) => costFeatures(cfg, setting, metric));
      if (features.some((f) => f === undefined)) return undefined;
      return models.map((model, m) => model!.predict(features[m]!));
    },
  };
}
