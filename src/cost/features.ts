// Physical cost features of one candidate, from its config and the measured shapes alone (reference §10:
// on one CPU thread, prefill is dominated by matmuls, and a few FLOP and byte counts per layer type
// explain most of the latency; the output layer is a large fixed share for small models). Every family
// fills the same named vector for a metric (FamilyDefinition.costFeatures), so one model per metric fits
// a `--family all` run; the fitting and the screen know no family by name.
import type { GraphForm } from '../export/types.js';
import { definitionOf } from '../families/index.js';
import type { Metric } from '../profile/types.js';
import type { ArchConfig, ShapeSettings } from '../space/types.js';

/** Feature names per metric, in vector order. Index 0 is always the constant term. */
export const FEATURE_NAMES: Record<Metric, readonly string[]> = {
  // Prefill of batch x seq tokens: dense matmul FLOPs, attention scores/values (grow with seq x keys),
  // softmax and elementwise traffic, a per-layer fixed cost, and the last position's output layer.
  latency: ['const', 'linear_flops', 'attn_flops', 'attn_elems', 'act_elems', 'layers', 'embed_flops', 'output_flops', 'conv_flops'],
  // One token with a cache: reading every weight once dominates; then the cache and the output layer.
  decode: ['const', 'weight_bytes', 'cache_bytes', 'attn_elems', 'layers', 'output_flops', 'conv_flops'],
  // Inference peak: resident weights plus the largest activations alive at once.
  memory: ['const', 'param_bytes', 'act_bytes', 'cache_bytes', 'layers'],
};

/** What the features depend on besides the candidate: the shapes and graph form measured (a device profile has both). */
export interface CostSetting {
  shapes: ShapeSettings;
  graph: GraphForm;
}

/** A family's features for one metric: a vector in FEATURE_NAMES[metric] order, every entry a count of work (>= 0). */
export type CostFeatureFn<C = ArchConfig> = (cfg: C, shapes: ShapeSettings, metric: Metric, form: GraphForm) => number[];

/** The cost features of a candidate for one metric; undefined for a family that provides none (never screened). */
export function costFeatures(cfg: ArchConfig, setting: CostSetting, metric: Metric): number[] | undefined {
  const fn = definitionOf(cfg).costFeatures;
  if (!fn) return undefined;
  const v = fn(cfg, setting.shapes, metric, setting.graph);
  if (v.length !== FEATURE_NAMES[metric].length) throw new Error(`cost features of ${cfg.family} for ${metric}: ${v.length} values, expected ${FEATURE_NAMES[metric].length}`);
  return v;
}
