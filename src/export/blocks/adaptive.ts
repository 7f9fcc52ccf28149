// Adaptive input embedding and adaptive softmax (Baevski & Auli; Grave et al.) as Hugging Face's
// Transformer-XL builds them (AdaptiveEmbedding, ProjectedAdaptiveLogSoftmax with tie_weight and
// tie_projs = [false, true, ...]), shared by every family with div_val >= 1. Only ai.onnx ops: the
// `ort` and `standard` forms use the same subgraph. The parameter layout matches src/proxy totalParams.
//
// HF names, under a caller-chosen prefix (Transformer-XL: `transformer.word_emb` and `crit`):
//   {emb}.emb_layers.{k}.weight  [n_k, w_k]   cluster k's table, w_k = d_embed / div_val^k
//   {emb}.emb_projs.{k}          [d_model, w_k]  (embedding: e @ proj^T; output: h @ proj)
//   {crit}.out_layers.{k}.bias   [n_k]  (div_val 1: one out_layers.0.bias [vocab])
//   {crit}.out_projs.0           [d_model, d_embed]  untied head projection
//   {crit}.cluster_weight [n_clusters, d_embed], {crit}.cluster_bias [n_clusters]
// Output weights are tied to the embedding tables, tail projections to the embedding projections.
import type { LayeredConfig } from '../../families/layered/config.js';
import { embeddingViolation } from '../../families/layered/validate.js';
import { LtsError } from '../../util/errors.js';
import type { GraphBuilder } from '../graph.js';
import type { WeightSource } from '../weights.js';

/** The embedding settings of a config (every per-layer family has them). */
export type AdaptiveSettings = Pick<LayeredConfig, 'd_model' | 'd_embed' | 'div_val' | 'cutoffs' | 'vocab_size'>;

export interface AdaptivePrefixes {
  /** Prefix of the embedding module, e.g. `transformer.word_emb`. */
  emb: string;
  /** Prefix of the adaptive softmax module, e.g. `crit`. */
  crit: string;
}

export interface Cluster {
  start: number;
  end: number;
  /** Embedding width of the cluster (d_embed for every cluster when div_val is 1). */
  width: number;
}

/** Token ranges and widths of the clusters: [0, c0), [c0, c1), ..., [c_last, vocab). */
export function adaptiveClusters(cfg: AdaptiveSettings): Cluster[] {
  if (cfg.div_val < 1) throw new LtsError(`adaptive embedding needs div_val >= 1, got ${cfg.div_val}`);
  // The cutoff and width rules are the config's (checked in one place, the family's validation).
  const v = embeddingViolation(cfg);
  if (v) throw new LtsError(`${v.field}: ${v.detail}`);
  const ends = [0, ...cfg.cutoffs, cfg.vocab_size];
  return ends.slice(1).map((end, k) => ({ start: ends[k]!, end, width: cfg.div_val === 1 ? cfg.d_embed : Math.floor(cfg.d_embed / cfg.div_val ** k) }));
}

function slice(g: GraphBuilder, x: string, start: number, end: number, axis: number): string {
  return g.node('Slice', [x, g.constI64([start]), g.constI64([end]), g.constI64([axis])]);
}

/**
 * Adaptive input embedding of `ids` (int64 [...dims]) -> float32 [...dims, d_model], scaled by
 * sqrt(d_model) as HF does.
 */
export function adaptiveEmbedding(w: WeightSource, cfg: AdaptiveSettings, ids: string, prefix: string): string {
  const g = w.g;
  const d = cfg.d_model;
  const clusters = adaptiveClusters(cfg);
  let embed: string;
  if (cfg.div_val === 1) {
    // One full-vocabulary table; a projection only when widths differ.
    const table = w.get(`${prefix}.emb_layers.0.weight`, [cfg.vocab_size, cfg.d_embed], 'normal');
    embed = g.node('Gather', [table, ids]); // [..., d_embed]
    if (cfg.d_embed !== d) {
      const proj = w.get(`${prefix}.emb_projs.0`, [d, cfg.d_embed], 'normal');
      embed = g.node('MatMul', [embed, g.node('Transpose', [proj], { perm: [1, 0] })]); // [..., d]
    }
  } else {
    // Each token is looked up in its own cluster (index clamped to 0 elsewhere) and the other
    // clusters' rows are zeroed; the sum over clusters is the embedding.
    const zeroI = g.constI64([0], [], 'zero_i64');
    const zeroF = g.constF32([0], [], 'zero_f32');
    const parts: string[] = [];
    clusters.forEach((c, k) => {
      const table = w.get(`${prefix}.emb_layers.${k}.weight`, [c.end - c.start, c.width], 'normal');
      const proj = w.get(`${prefix}.emb_projs.${k}`, [d, c.width], 'normal');
      const lo = g.constI64([c.start], [], 'cluster_start');
      const hi = g.constI64([c.end], [], 'cluster_end');
      const inside = g.node('And', [g.node('GreaterOrEqual', [ids, lo]), g.node('Less', [ids, hi])]); // [...]
      const local = g.node('Where', [inside, g.node('Sub', [ids, lo]), zeroI]);
      const e = g.node('Gather', [table, local]); // [..., w_k]
      const p = g.node('MatMul', [e, g.node('Transpose', [proj], { perm: [1, 0] })]); // [..., d]
      parts.push(g.node('Where', [g.node('Unsqueeze', [inside, g.constI64([-1])]), p, zeroF]));
    });
    embed = parts.length === 1 ? parts[0]! : g.node('Sum', parts);
  }
  return g.node('Mul', [embed, g.constF32([Math.sqrt(d)], [], 'emb_scale')]);
}

/**
 * Log-probabilities over the whole vocabulary from the last hidden state `hidden` (float32 [batch,
 * d_model]) -> [batch, vocab]. Head = first cluster + one logit per tail cluster; tail cluster k's
 * log-prob = head log-prob of column c0 + k - 1 + log_softmax of the tail logits.
 */
export function adaptiveLogSoftmax(w: WeightSource, cfg: AdaptiveSettings, hidden: string, prefixes: AdaptivePrefixes): string {
  const g = w.g;
  const d = cfg.d_model;
  const de = cfg.d_embed;
  const { emb, crit } = prefixes;
  const clusters = adaptiveClusters(cfg);
  const nClusters = clusters.length - 1;

  // Per-cluster output weight, bias and projection (null: no projection).
  const outputOf = (k: number): { weight: string; bias: string; proj: string | null } => {
    const c = clusters[k]!;
    if (cfg.div_val === 1) {
      const table = w.get(`${emb}.emb_layers.0.weight`, [cfg.vocab_size, de], 'normal');
      const bias = w.get(`${crit}.out_layers.0.bias`, [cfg.vocab_size], 'bias');
      const whole = nClusters === 0;
      let proj: string | null = null;
      if (de !== d) proj = k === 0 ? w.get(`${crit}.out_projs.0`, [d, de], 'normal') : w.get(`${emb}.emb_projs.0`, [d, de], 'normal');
      return {
        weight: whole ? table : slice(g, table, c.start, c.end, 0),
        bias: whole ? bias : slice(g, bias, c.start, c.end, 0),
        proj,
      };
    }
    const weight = w.get(`${emb}.emb_layers.${k}.weight`, [c.end - c.start, c.width], 'normal');
    const bias = w.get(`${crit}.out_layers.${k}.bias`, [c.end - c.start], 'bias');
    const proj = k === 0 ? w.get(`${crit}.out_projs.0`, [d, de], 'normal') : w.get(`${emb}.emb_projs.${k}`, [d, c.width], 'normal');
    return { weight, bias, proj };
  };
  // logits = (h @ proj) @ W^T + b: [batch, n_k]
  const logitsOf = (k: number): string => {
    const o = outputOf(k);
    const h = o.proj ? g.node('MatMul', [hidden, o.proj]) : hidden; // [batch, w_k]
    return g.node('Gemm', [h, o.weight, o.bias], { transB: 1 });
  };

  if (nClusters === 0) return g.node('LogSoftmax', [logitsOf(0)], { axis: 1 });

  const head0 = outputOf(0);
  const hHead = head0.proj ? g.node('MatMul', [hidden, head0.proj]) : hidden; // [batch, d_embed]
  const clusterW = w.get(`${crit}.cluster_weight`, [nClusters, de], 'normal');
  const clusterB = w.get(`${crit}.cluster_bias`, [nClusters], 'bias');
  const headLogits = g.node('Concat', [
    g.node('Gemm', [hHead, head0.weight, head0.bias], { transB: 1 }), // [batch, c0]
    g.node('Gemm', [hHead, clusterW, clusterB], { transB: 1 }), // [batch, n_clusters]
  ], { axis: 1 });
  const headLp = g.node('LogSoftmax', [headLogits], { axis: 1 }); // [batch, c0 + n_clusters]
  const c0 = clusters[0]!.end;
  const parts = [slice(g, headLp, 0, c0, 1)];
  for (let k = 1; k <= nClusters; k++) {
    const tailLp = g.node('LogSoftmax', [logitsOf(k)], { axis: 1 }); // [batch, n_k]
    parts.push(g.node('Add', [tailLp, slice(g, headLp, c0 + k - 1, c0 + k, 1)]));
  }
  return g.node('Concat', parts, { axis: 1 }); // [batch, vocab]
}
