// lts's own per-layer training-config form (schemas/training-config.schema.json), written for every
// layered architecture Hugging Face cannot build; each family says how its block is made.
import { LN_EPS } from '../../export/blocks/norm.js';
import type { ShapeSettings } from '../../space/types.js';
import type { LtsBlockOf, TrainingConfig } from '../types.js';
import type { LayeredConfig } from './config.js';

/** How a family's layers are built, as the per-layer form describes them. */
export interface BlockStyle {
  positions: 'learned' | 'relative-sinusoidal';
  norm: 'pre' | 'post';
  attention: 'causal' | 'relative';
  ffn_activation: string;
  /** Width of a depthwise conv after Q, K and V (0: none). */
  qkv_depthwise_conv: number;
  final_layer_norm: boolean;
  bias: 'all' | 'ffn-only';
  /** A recurrent memory of mem_len positions (trained with it). */
  memory: boolean;
}

/** Why HF cannot describe per-layer head counts or widths, or [] when the layers are uniform. */
export function nonUniformLayers(cfg: LayeredConfig): string[] {
  const uniform = (xs: readonly number[]) => xs.every((x) => x === xs[0]);
  const why: string[] = [];
  if (!uniform(cfg.n_head.slice(0, cfg.n_layer))) why.push('per-layer head counts differ');
  if (!uniform(cfg.d_inner.slice(0, cfg.n_layer))) why.push('per-layer d_inner differ');
  return why;
}

export function perLayerTrainingConfig(c: LayeredConfig & { family: string }, s: ShapeSettings, lts: LtsBlockOf, reason: string, style: BlockStyle): TrainingConfig {
  return {
    family: c.family,
    vocab_size: c.vocab_size,
    d_model: c.d_model,
    n_layer: c.n_layer,
    embedding:
      c.div_val === 0
        ? { kind: 'tied', d_embed: c.d_embed }
        : { kind: 'adaptive', d_embed: c.d_embed, div_val: c.div_val, cutoffs: c.cutoffs, tie_weight: true, tie_projs: [false, ...c.cutoffs.map(() => true)] },
    positions: style.positions === 'relative-sinusoidal' ? { kind: 'relative-sinusoidal', mem_len: s.mem_len } : { kind: 'learned', n_positions: c.n_positions },
    block: {
      norm: style.norm,
      attention: style.attention,
      ffn_activation: style.ffn_activation,
      qkv_depthwise_conv: style.qkv_depthwise_conv,
      final_layer_norm: style.final_layer_norm,
      layer_norm_epsilon: LN_EPS, // the graphs' own
      bias: style.bias,
    },
    layers: Array.from({ length: c.n_layer }, (_, i) => ({ n_head: c.n_head[i]!, d_head: Math.floor(c.d_model / c.n_head[i]!), d_inner: c.d_inner[i]! })),
    training: { seq_len: s.seq, ...(style.memory ? { mem_len: s.mem_len } : {}) },
    lts: lts('per-layer', { reason }),
  };
}
