// Exact parameter counts of a per-layer family (reference §2). The decoder count is the search's
// accuracy proxy; the total follows the Hugging Face module layout that the exporter builds, so
// `lts params` matches a real model.
import { LtsError } from '../../util/errors.js';
import type { ParamBreakdown } from '../types.js';
import type { LayeredConfig } from './config.js';

/** How a family's layers count, beyond the per-layer FFN and LayerNorms every layered family has. */
export interface LayerCounting<C extends LayeredConfig> {
  attentionParams(cfg: C, d: number, a: number): number;
  finalNorm: boolean;
  learnedPositions: boolean;
}

function activeLayers(cfg: LayeredConfig): { dInner: number[]; nHead: number[] } {
  const n = cfg.n_layer;
  if (!Number.isInteger(n) || n < 1) throw new LtsError(`n_layer must be a positive integer, got ${n}`);
  if (cfg.d_inner.length < n || cfg.n_head.length < n) {
    throw new LtsError(`per-layer lists shorter than n_layer ${n} (d_inner ${cfg.d_inner.length}, n_head ${cfg.n_head.length})`);
  }
  return { dInner: cfg.d_inner.slice(0, n), nHead: cfg.n_head.slice(0, n) };
}

function decoderParts<C extends LayeredConfig>(cfg: C, how: LayerCounting<C>): { attention: number; ffn: number; layernorm: number } {
  const d = cfg.d_model;
  const { dInner, nHead } = activeLayers(cfg);
  let attention = 0;
  let ffn = 0;
  let layernorm = 0;
  for (let i = 0; i < cfg.n_layer; i++) {
    const a = nHead[i]! * Math.floor(d / nHead[i]!);
    const f = dInner[i]!;
    attention += how.attentionParams(cfg, d, a);
    ffn += d * f + f + f * d + d;
    layernorm += 4 * d;
  }
  if (how.finalNorm) layernorm += 2 * d; // ln_f
  return { attention, ffn, layernorm };
}

/** Width of adaptive cluster k (HF: d_embed // div_val**k). */
export function clusterWidth(cfg: LayeredConfig, k: number): number {
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
function embeddingAndOutput(cfg: LayeredConfig, learnedPositions: boolean): { embedding: number; output: number } {
  const d = cfg.d_model;
  const V = cfg.vocab_size;
  const positions = learnedPositions ? cfg.n_positions * d : 0;
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

export function layeredParamBreakdown<C extends LayeredConfig>(cfg: C, how: LayerCounting<C>): ParamBreakdown {
  const parts = decoderParts(cfg, how);
  const eo = embeddingAndOutput(cfg, how.learnedPositions);
  const decoder = parts.attention + parts.ffn + parts.layernorm;
  return { ...parts, ...eo, decoder, total: decoder + eo.embedding + eo.output };
}
