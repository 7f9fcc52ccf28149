// configs/<id>.json for a Brainformer frontier point: lts's per-layer description
// (schemas/training-config.schema.json), every sub-layer of the stacked model in order, plus the block
// and stack it came from. Hugging Face has no config that builds a heterogeneous attention / FFN / MoE stack.
import type { ShapeSettings } from '../../space/types.js';
import type { LtsBlockOf, TrainingConfig } from '../types.js';
import { canonicalBrainformer, sublayers, type Activation, type BrainformerConfig, type Sublayer } from './config.js';

const ACT_NAME: Record<Activation, string> = { gelu: 'gelu_tanh', relu2: 'relu_squared' };

function layerEntry(s: Sublayer, d: number): Record<string, unknown> {
  if (s.kind === 'attn') return { kind: 'attn', n_head: s.n_head, d_head: d / s.n_head };
  if (s.kind === 'ffn') return { kind: 'ffn', d_inner: s.d_inner, activation: ACT_NAME[s.act] };
  return {
    kind: 'moe', experts: s.experts, top_k: s.top_k, d_inner: s.d_inner, activation: ACT_NAME[s.act],
    routing: 'token-choice', router: 'softmax', normalize_routing_weights: true, capacity_factor: null,
  };
}

export function brainformerTrainingConfig(cfg: BrainformerConfig, shapes: ShapeSettings, lts: LtsBlockOf): TrainingConfig {
  const d = cfg.d_model;
  const all = sublayers(cfg);
  const c = canonicalBrainformer(cfg);
  return {
    family: 'brainformer',
    vocab_size: cfg.vocab_size,
    d_model: d,
    n_layer: all.length,
    embedding: { kind: 'tied', d_embed: d },
    positions: { kind: 'learned', n_positions: cfg.n_positions },
    block: {
      norm: 'pre', attention: 'causal', ffn_activation: 'per-layer', qkv_depthwise_conv: 0,
      final_layer_norm: true, layer_norm_epsilon: 1e-5, bias: 'all',
    },
    layers: all.map((s) => layerEntry(s, d)),
    brainformer: { layout: c.layout, stack: c.stack },
    training: { seq_len: shapes.seq },
    lts: lts('per-layer', {
      reason: 'Hugging Face has no config for a heterogeneous stack of attention, dense FFN and mixture-of-experts sub-layers',
      note: 'MoE sub-layers: token-choice top-k over a softmax router (no bias), weights normalized over the top-k, no capacity limit; expert weights fc1 [experts, d_inner, d_model], fc2 [experts, d_model, d_inner]. Expert-choice routing (Brainformer\'s own) is not searched: ONNX Runtime has no kernel for it.',
    }),
  };
}
