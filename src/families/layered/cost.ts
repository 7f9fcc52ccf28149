// Cost features of a per-layer family's candidate (src/cost's FEATURE_NAMES, per metric), from its
// config and the measured shapes alone: FLOPs and bytes per layer type, the layer count, and the last
// position's output layer (reference §10). A layer is an attention and a feed-forward, counted by the
// terms every family shares (../block-cost.ts).
import type { Metric } from '../../profile/types.js';
import type { ShapeSettings } from '../../space/types.js';
import {
  attnActElems, attnScoreFlops, attnSoftmaxElems, attnWeights, F32, ffnActElems, ffnWeights, kvCacheElems, plainOutputFlops,
} from '../block-cost.js';
import type { LayeredConfig } from './config.js';

/** What sets a family's layers apart, as far as cost goes. */
export interface LayeredCostKind {
  /** Relative attention over a memory of mem_len (prefill) / context (decode) past positions. */
  memory: boolean;
  /** Three depthwise width-3 convs after Q, K and V in every layer. */
  qkvConv: boolean;
}

/** Adaptive clusters as [tokens, width]; a single [vocab, d_embed] table when div_val is 0 or 1. */
function clusters(cfg: LayeredConfig): [number, number][] {
  if (cfg.div_val <= 1) return [[cfg.vocab_size, cfg.d_embed]];
  const ends = [0, ...cfg.cutoffs, cfg.vocab_size];
  return ends.slice(1).map((end, k) => [end - ends[k]!, Math.max(1, Math.floor(cfg.d_embed / cfg.div_val ** k))]);
}

/** FLOPs of the output layer for one position per batch row (only the last position's logits are computed). */
function outputFlops(cfg: LayeredConfig, batch: number): number {
  const d = cfg.d_model;
  const cs = clusters(cfg);
  if (cfg.div_val === 0) return plainOutputFlops(batch, cfg.vocab_size, d);
  let f = 0;
  cs.forEach(([n, w], k) => {
    const proj = k === 0 ? (cfg.div_val > 1 || cfg.d_embed !== d ? d * cfg.d_embed : 0) : cfg.div_val > 1 ? d * w : 0;
    f += 2 * batch * (proj + n * w);
  });
  if (cs.length > 1) f += 2 * batch * (cs.length - 1) * cfg.d_embed; // cluster logits of the head
  return f;
}

/** FLOPs of the adaptive input projections for `tokens` tokens (every cluster projects every token). */
function embedFlops(cfg: LayeredConfig, tokens: number): number {
  if (cfg.div_val === 0 || (cfg.div_val === 1 && cfg.d_embed === cfg.d_model)) return 0;
  return clusters(cfg).reduce((s, [, w]) => s + 2 * tokens * w * cfg.d_model, 0);
}

interface Layer {
  /** Attention width: heads x head_dim. */
  a: number;
  heads: number;
  f: number;
}

function layers(cfg: LayeredConfig): Layer[] {
  const out: Layer[] = [];
  for (let i = 0; i < cfg.n_layer; i++) {
    const heads = cfg.n_head[i]!;
    out.push({ a: heads * Math.floor(cfg.d_model / heads), heads, f: cfg.d_inner[i]! });
  }
  return out;
}

/** Weights every token passes through in a layer (projections and FFN), excluding biases. */
const layerWeights = (d: number, l: Layer, relative: boolean): number => attnWeights(d, l.a) + ffnWeights(d, l.f) + (relative ? d * l.a : 0);

/**
 * The per-layer families share the decoder-block structure; they differ in which keys a query sees
 * (memory + segment, with a positional projection over all of them, for relative attention over a
 * memory) and in extra per-layer work (depthwise Q/K/V convs). Values in FEATURE_NAMES[metric] order.
 */
export function layeredCostFeatures(cfg: LayeredConfig, shapes: ShapeSettings, metric: Metric, kind: LayeredCostKind): number[] {
  const d = cfg.d_model;
  const B = shapes.batch;
  const txl = kind.memory;
  const conv = kind.qkvConv;
  const ls = layers(cfg);
  const sum = (fn: (l: Layer) => number): number => ls.reduce((s, l) => s + fn(l), 0);
  const L = ls.length;
  const out = outputFlops(cfg, B);

  if (metric === 'decode') {
    // One query over the cache (`context` past positions, or Transformer-XL memory) plus itself.
    const keys = shapes.context + 1;
    const weightBytes = F32 * sum((l) => layerWeights(d, l, txl));
    const cacheBytes = F32 * sum((l) => (txl ? B * (keys * d + keys * l.a) : kvCacheElems(B, keys, l.a)));
    const attnElems = sum((l) => attnSoftmaxElems(B, 1, keys, l.heads));
    const convFlops = conv ? B * sum((l) => 2 * 3 * 3 * l.a) : 0;
    return [1, weightBytes, cacheBytes, attnElems, L, out, convFlops];
  }

  const S = shapes.seq;
  const T = txl ? S + shapes.mem_len : S;
  const tokens = B * S;
  if (metric === 'memory') {
    const vocabTable = clusters(cfg).reduce((s, [n, w]) => s + n * w, 0);
    const paramBytes = F32 * (sum((l) => layerWeights(d, l, txl) + l.f + 4 * l.a + 5 * d) + vocabTable + (txl ? 0 : cfg.n_positions * d));
    // The widest intermediate of a layer: the FFN hidden state, or the attention probabilities.
    const actBytes = F32 * Math.max(...ls.map((l) => Math.max(tokens * l.f, attnSoftmaxElems(B, S, T, l.heads), tokens * 3 * l.a)));
    const cacheBytes = F32 * sum((l) => (txl ? B * shapes.mem_len * d : kvCacheElems(B, S, l.a)));
    return [1, paramBytes, actBytes, cacheBytes, L];
  }

  // latency (prefill)
  const linearFlops = 2 * tokens * sum((l) => layerWeights(d, l, false)) + (txl ? 2 * B * T * sum((l) => d * l.a) : 0);
  const attnFlops = sum((l) => attnScoreFlops(B, S, T, l.a));
  const attnElems = sum((l) => attnSoftmaxElems(B, S, T, l.heads));
  const actElems = tokens * sum((l) => attnActElems(d, l.a) + ffnActElems(d, l.f));
  const convFlops = conv ? 2 * 3 * tokens * sum((l) => 3 * l.a) : 0;
  return [1, linearFlops, attnFlops, attnElems, actElems, L, embedFlops(cfg, tokens), out, convFlops];
}
