// Exact parameter counts (reference §2). The decoder count is the search's accuracy proxy; the total
// follows the Hugging Face module layout that the exporter builds, so `lts params` matches a real model.
import type { ArchConfig } from '../space/types.js';
import { LtsError } from '../util/errors.js';

export interface ParamBreakdown {
  /** Attention projections, their biases, Transformer-XL's r_net and u/v biases, Primer's Q/K/V convs. */
  attention: number;
  /** FFN weights and biases. */
  ffn: number;
  /** Per-layer LayerNorms plus GPT-2's final ln_f. */
  layernorm: number;
  /** Token embedding (plain, or adaptive clusters plus their projections) and learned positions. */
  embedding: number;
  /** Output-layer parameters not tied to the embedding (adaptive softmax biases, head cluster, untied projection). */
  output: number;
  /** attention + ffn + layernorm: the proxy. */
  decoder: number;
  /** Every distinct parameter of the model. */
  total: number;
}

function activeLayers(cfg: ArchConfig): { dInner: number[]; nHead: number[] } {
  const n = cfg.n_layer;
  if (!Number.isInteger(n) || n < 1) throw new LtsError(`n_layer must be a positive integer, got ${n}`);
  if (cfg.d_inner.length < n || cfg.n_head.length < n) {
    throw new LtsError(`per-layer lists shorter than n_layer ${n} (d_inner ${cfg.d_inner.length}, n_head ${cfg.n_head.length})`);
  }
  return { dInner: cfg.d_inner.slice(0, n), nHead: cfg.n_head.slice(0, n) };
}

function decoderParts(cfg: ArchConfig): { attention: number; ffn: number; layernorm: number } {
  const d = cfg.d_model;
  const { dInner, nHead } = activeLayers(cfg);
  let attention = 0;
  let ffn = 0;
  let layernorm = 0;
  for (let i = 0; i < cfg.n_layer; i++) {
    const a = nHead[i]! * Math.floor(d / nHead[i]!);
    const f = dInner[i]!;
    if (cfg.family === 'transfo-xl') {
      // qkv (no bias) + r_net + o_net + r_w_bias + r_r_bias
      attention += 3 * d * a + d * a + a * d + 2 * a;
    } else {
      attention += 3 * d * a + 3 * a + a * d + d;
      // Three depthwise width-3 convs (Q, K, V), one kernel per channel, no bias.
      if (cfg.family === 'primer' && cfg.primer_conv) attention += 9 * a;
    }
    ffn += d * f + f + f * d + d;
    layernorm += 4 * d;
  }
  if (cfg.family !== 'transfo-xl') layernorm += 2 * d; // ln_f
  return { attention, ffn, layernorm };
}

/** Non-embedding parameters: every attention and FFN weight and bias and every LayerNorm. */
export function decoderParams(cfg: ArchConfig): number {
  const p = decoderParts(cfg);
  return p.attention + p.ffn + p.layernorm;
}

/** Width of adaptive cluster k (HF: d_embed // div_val**k). */
export function clusterWidth(cfg: ArchConfig, k: number): number {
  return Math.floor(cfg.d_embed / cfg.div_val ** k);
}

/**
 * Embedding and output parameters. div_val 0: one vocab x d_model table, the output tied to it with no
 * bias (HF GPT-2). div_val >= 1: HF AdaptiveEmbedding + ProjectedAdaptiveLogSoftmax with tie_weight
 * (each output cluster's weight is its embedding cluster) and tie_projs = [false, true, ...] (HF wt103):
 * out_projs[0] is its own d_model x d_embed matrix, the tail clusters reuse the embedding projections.
 * What is left in the output: one bias per token, the head's cluster logits (n_clusters x d_embed + n_clusters),
 * and that untied first projection. This reproduces HF Transformer-XL wt103 = 285,205,322.
 */
function embeddingAndOutput(cfg: ArchConfig): { embedding: number; output: number } {
  const d = cfg.d_model;
  const V = cfg.vocab_size;
  const positions = cfg.family === 'transfo-xl' ? 0 : cfg.n_positions * d; // Transformer-XL positions are sinusoidal
  if (cfg.div_val === 0) return { embedding: V * d + positions, output: 0 };
  const ends = [0, ...cfg.cutoffs, V];
  const nClusters = cfg.cutoffs.length;
  const de = cfg.d_embed;
  let embedding = positions;
  if (cfg.div_val === 1) {
    // HF keeps a single full-vocab table and projects only when widths differ.
    embedding += V * de;
    if (de !== d) embedding += d * de;
  } else {
    for (let k = 0; k <= nClusters; k++) {
      const w = clusterWidth(cfg, k);
      embedding += (ends[k + 1]! - ends[k]!) * w + d * w;
    }
  }
  let output = V;
  if (nClusters > 0) output += nClusters * de + nClusters;
  // out_projs[0] exists (untied) whenever a projection is needed: always for div_val > 1, and for div_val 1 when d_embed != d_model.
  if (cfg.div_val > 1 || de !== d) output += d * de;
  return { embedding, output };
}

export function paramBreakdown(cfg: ArchConfig): ParamBreakdown {
  const parts = decoderParts(cfg);
  const eo = embeddingAndOutput(cfg);
  const decoder = parts.attention + parts.ffn + parts.layernorm;
  return { ...parts, ...eo, decoder, total: decoder + eo.embedding + eo.output };
}

export function totalParams(cfg: ArchConfig): number {
  return paramBreakdown(cfg).total;
}
