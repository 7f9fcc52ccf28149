// Cost features of a Brainformer candidate (src/cost's FEATURE_NAMES, per metric), in the terms the
// per-layer families use (../block-cost.ts), so that one cost model fits a `--family all` run:
//   attn  as a layer's attention half;   ffn  as a layer's feed-forward half;
//   moe   what runs (graph.ts): the router for every token, then k experts per token, so N x k expert
//         FLOPs whatever the expert count, plus moving the routed rows out and back (gather/scatter).
//         Every expert's weights are resident (memory), but one decode step reads only the experts its
//         tokens chose.
// `layers`, the per-layer fixed cost, counts the ONNX nodes graph.ts writes in units of an attention +
// feed-forward pair of the same form: a fused MoE is about an FFN, but the standard dispatch runs ~15
// nodes per expert, an expert no token chose included, which is what a small model's latency feels.
import type { GraphForm } from '../../export/types.js';
import type { Metric } from '../../profile/types.js';
import type { ShapeSettings } from '../../space/types.js';
import {
  attnActElems, attnScoreFlops, attnSoftmaxElems, attnWeights, F32, ffnActElems, ffnWeights, kvCacheElems, plainOutputFlops,
} from '../block-cost.js';
import { sublayers, type Activation, type BrainformerConfig, type MoeSublayer, type Sublayer } from './config.js';
import { brainformerParams } from './params.js';

/** ORT's MoE kernel takes GELU experts only; others are dispatched in ai.onnx ops in either form. */
const fused = (m: MoeSublayer, form: GraphForm): boolean => form === 'ort' && m.act === 'gelu';

/** Nodes an activation is written as: the ort form's FastGelu fuses GELU; an expert's is written out (geluTanh) in both. */
const actNodes = (act: Activation, fusedGelu: boolean): number => (act === 'relu2' ? 2 : fusedGelu ? 1 : 8);

/**
 * Nodes graph.ts writes for one sub-layer, its LayerNorm and residual included (ort: one
 * SkipLayerNormalization; standard: LayerNormalization, the residual Add and a bias Add where the
 * sub-layer has an output bias). Decode: attention reads and writes its cache.
 */
function sublayerNodes(s: Sublayer, form: GraphForm, decode: boolean): number {
  const ort = form === 'ort';
  const norm = ort ? 1 : 2;
  if (s.kind === 'attn') {
    // ort: Attention + c_proj (decode: q|k|v MatMul, Split, MultiHeadAttention, c_proj). standard: the
    // projection, bias and split (3), heads split, scaled and merged (10), scores, causal mask, softmax
    // and weighted values (4; decode: the two cache Concats instead of the mask, 5), c_proj and its bias
    // (2). Decode also names the present key and value (2 Identity nodes).
    if (ort) return norm + (decode ? 4 + 2 : 2);
    return norm + 3 + 10 + (decode ? 5 + 2 : 4) + 2;
  }
  if (s.kind === 'ffn') {
    // fc, its bias (inside FastGelu in the ort form with GELU), the activation, proj (+ its bias, standard).
    const bias = ort && s.act === 'gelu' ? 0 : 1;
    return norm + 2 + bias + actNodes(s.act, ort) + (ort ? 0 : 1);
  }
  // Reshape in and out; the fused kernel after the router's MatMul, or the dispatch: the router
  // (MatMul, Softmax, Slice, TopK, Sub, ReduceSum, Div) and per expert 14 nodes and its activation.
  if (fused(s, form)) return norm + 2 + 2;
  return norm + 2 + 7 + s.experts * (14 + actNodes(s.act, false));
}

/** Nodes of an attention + GELU feed-forward pair: one layer of the per-layer families, the unit of `layers`. */
function layerUnit(form: GraphForm, decode: boolean): number {
  return sublayerNodes({ kind: 'attn', n_head: 1 }, form, decode) + sublayerNodes({ kind: 'ffn', d_inner: 1, act: 'gelu' }, form, decode);
}

/** Attention width: heads x head_dim. */
const widthOf = (n_head: number, d: number): number => n_head * Math.floor(d / n_head);

/** Elements a token's MoE sub-layer writes outside the matmuls. */
function moeActElems(d: number, m: MoeSublayer, form: GraphForm): number {
  const { experts: E, top_k: k } = m;
  // LayerNorm and residual, the k hidden states, router probabilities, each routed row out and back.
  const common = ffnActElems(d, k * m.d_inner) + E + 2 * k * d;
  // The dispatch scans the [N, k] choices for every expert (Equal, Where, Cast, two reductions) and
  // ScatterND writes a whole new [N, d] output per expert.
  return fused(m, form) ? common : common + E * (d + 3 * k + 2);
}

/** Values in FEATURE_NAMES[metric] order. */
export function brainformerCostFeatures(cfg: BrainformerConfig, shapes: ShapeSettings, metric: Metric, form: GraphForm): number[] {
  const d = cfg.d_model;
  const B = shapes.batch;
  const subs = sublayers(cfg);
  const sum = (fn: (s: Sublayer) => number): number => subs.reduce((t, s) => t + fn(s), 0);
  const layers = (decode: boolean): number => sum((s) => sublayerNodes(s, form, decode)) / layerUnit(form, decode);
  const out = plainOutputFlops(B, cfg.vocab_size, d); // tied to the embedding

  if (metric === 'decode') {
    const keys = shapes.context + 1;
    const weights = sum((s) => {
      if (s.kind === 'attn') return attnWeights(d, widthOf(s.n_head, d));
      if (s.kind === 'ffn') return ffnWeights(d, s.d_inner);
      return d * s.experts + Math.min(s.experts, B * s.top_k) * ffnWeights(d, s.d_inner); // the router, the chosen experts
    });
    const cacheBytes = F32 * sum((s) => (s.kind === 'attn' ? kvCacheElems(B, keys, widthOf(s.n_head, d)) : 0));
    const attnElems = sum((s) => (s.kind === 'attn' ? attnSoftmaxElems(B, 1, keys, s.n_head) : 0));
    return [1, F32 * weights, cacheBytes, attnElems, layers(true), out, 0];
  }

  const S = shapes.seq;
  const N = B * S;
  if (metric === 'memory') {
    const paramBytes = F32 * brainformerParams(cfg).total; // every expert resident
    const widest = Math.max(...subs.map((s) => {
      if (s.kind === 'attn') return Math.max(attnSoftmaxElems(B, S, S, s.n_head), N * 3 * widthOf(s.n_head, d));
      if (s.kind === 'ffn') return N * s.d_inner;
      return N * Math.max(s.top_k * s.d_inner, s.experts);
    }));
    const cacheBytes = F32 * sum((s) => (s.kind === 'attn' ? kvCacheElems(B, S, widthOf(s.n_head, d)) : 0));
    return [1, paramBytes, F32 * widest, cacheBytes, layers(false)];
  }

  // latency (prefill)
  const linearFlops = 2 * N * sum((s) => {
    if (s.kind === 'attn') return attnWeights(d, widthOf(s.n_head, d));
    if (s.kind === 'ffn') return ffnWeights(d, s.d_inner);
    return d * s.experts + s.top_k * ffnWeights(d, s.d_inner); // router, then k experts per token
  });
  const attnFlops = sum((s) => (s.kind === 'attn' ? attnScoreFlops(B, S, S, widthOf(s.n_head, d)) : 0));
  const attnElems = sum((s) => (s.kind === 'attn' ? attnSoftmaxElems(B, S, S, s.n_head) : 0));
  const actElems = N * sum((s) => {
    if (s.kind === 'attn') return attnActElems(d, widthOf(s.n_head, d));
    if (s.kind === 'ffn') return ffnActElems(d, s.d_inner);
    return moeActElems(d, s, form);
  });
  return [1, linearFlops, attnFlops, attnElems, actElems, layers(false), 0, out, 0];
}
