// LayerNorm and residual + LayerNorm, in both graph forms. One epsilon for every family (HF's 1e-5).
import type { GraphBuilder } from '../graph.js';
import type { WeightSource } from '../weights.js';

export const LN_EPS = 1e-5;

/** A LayerNorm's gain and shift [d], under HF's `<prefix>.weight` / `<prefix>.bias`. */
export function lnWeights(w: WeightSource, prefix: string, d: number): [string, string] {
  return [w.get(`${prefix}.weight`, [d], 'ln_scale'), w.get(`${prefix}.bias`, [d], 'ln_shift')];
}

/** LayerNorm over the last axis. */
export function layerNorm(g: GraphBuilder, x: string, [gamma, beta]: [string, string]): string {
  return g.node('LayerNormalization', [x, gamma, beta], { axis: -1, epsilon: { float: LN_EPS } });
}

/**
 * `ort` form: com.microsoft SkipLayerNormalization, LN(sub + residual + bias) in one op. With `sum` it
 * also returns the residual sum (what a pre-LN stack carries on); else [normed].
 */
export function skipLayerNorm(g: GraphBuilder, sub: string, residual: string, ln: [string, string], bias: string | undefined, sum: boolean): string[] {
  const inputs = [sub, residual, ...ln, ...(bias ? [bias] : [])];
  if (!sum) return [g.ms('SkipLayerNormalization', inputs, { epsilon: { float: LN_EPS } })];
  const [normed, , , s] = g.nodeN('SkipLayerNormalization', inputs, [g.fresh('skipln'), '', '', g.fresh('residual')], { epsilon: { float: LN_EPS } }, 'com.microsoft');
  return [normed!, s!];
}

/** Post-LN residual (Transformer-XL): LN(x + sub + bias), fused into one op or written out. */
export function addAndNorm(g: GraphBuilder, x: string, sub: string, ln: [string, string], bias: string | undefined, fused: boolean): string {
  if (fused) return skipLayerNorm(g, sub, x, ln, bias, false)[0]!;
  const sb = bias ? g.node('Add', [sub, bias]) : sub;
  return layerNorm(g, g.node('Add', [x, sb]), ln);
}
