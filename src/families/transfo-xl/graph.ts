// Transformer-XL (reference §6; Hugging Face TransfoXLLMHeadModel, inference mode) as an ONNX graph.
// Reads like the forward pass: adaptive input -> per layer (relative attention over cat(mems, x), post-LN;
// ReLU FFN, post-LN) -> adaptive log-softmax of the last position. Hidden states are batch-first
// [B, T, d]; the memories `mems.{i}` / `new_mems.{i}` are batch-first too ([B, M, d]) so no transposes
// sit on the measured path. Initializers carry HF state-dict names and HF shapes (Linear weights
// [out, in]); the Transpose/Slice nodes applied to them are constant-folded by ORT at session creation.
import {
  addAndNorm, adaptiveEmbedding, adaptiveLogSoftmax, causalMaskData, feedForward, lnWeights, multiHeadAttention,
  softmaxAttend, splitHeads,
} from '../../export/blocks/index.js';
import { GraphBuilder } from '../../export/graph.js';
import type { BuildExtras, ExportOptions, ExportedModel, GraphForm } from '../../export/types.js';
import { WeightSource } from '../../export/weights.js';
import { LtsError } from '../../util/errors.js';
import type { LayeredConfig } from '../layered/config.js';
import { embeddingViolation } from '../layered/validate.js';

// FUSION_NOTE (ORT 1.30 CPU provider, 1 intra-op thread, batch 1, seq 192, mem_len 192, 8 layers, 8 heads,
// wt103 vocabulary with div_val 4; CPU ms per run, 30-40 interleaved runs on a shared 2-core host, p10 / median):
//   d 512, d_inner 2048: standard 181.5 / 192.8; ort MHA+SkipLN+shift-in-MatMul 177.3 / 186.8;
//                        MHA+SkipLN with Pad 180.9 / 189.3; SkipLN only 183.8 / 192.1; MHA only 178.8 / 190.1
//   d 256, d_inner 1024: standard 67.0 / 71.9;   ort MHA+SkipLN+shift-in-MatMul 63.5 / 68.8;
//                        MHA+SkipLN with Pad 65.9 / 70.1;   SkipLN only 65.8 / 69.7;   MHA only 64.5 / 68.9
// Attention is a small share of the work here (the projections and the FFN dominate) and ORT already fuses
// Add+LayerNormalization into SkipLayerNormalization in the standard graph, so the gains are a few percent;
// MultiHeadAttention with the positional term as attention bias, SkipLayerNormalization, and rel_shift's zero
// column written by the MatMul (a zero row before r, pre-scaled) was the fastest and is the `ort` default.
// Decode (1 token, 192 memory positions, d 512): all variants 34-35 ms p10, within noise.

/** A Transformer-XL config (the family is checked: a caller may hand any config to the graph builder). */
type TxlGraphConfig = LayeredConfig & { family: string };

/** Shapes of one Transformer-XL graph. `memOut` is HF's mem_len (positions kept); `memLen` the positions fed in. */
export interface TxlGraphShapes {
  batch: number;
  seq: number;
  /** Memory positions fed in per layer (HF's mlen); 0 = no memory inputs. */
  memLen: number;
  /** Positions kept in `new_mems.{i}` (HF's config.mem_len); at most memLen + seq; 0 = no memory outputs. */
  memOut: number;
}

export interface TxlBuildOptions {
  form: GraphForm;
  shapes: TxlGraphShapes;
  seed: number;
  /** Multiplies every weight's standard deviation (tests use larger weights so mistakes show). */
  weightScale?: number;
  /** Size past which weights go to external data (tests of that path). */
  protoLimitBytes?: number;
  /** Graph name (defaults to transfo-xl). */
  name?: string;
  /** ort form only: switch single fusions off (all on by default) to compare them; see FUSION_NOTE. */
  fusion?: { mha?: boolean; skipLayerNorm?: boolean; shiftInMatMul?: boolean };
}

/**
 * The exporter entry point for family 'transfo-xl': prefill (seq tokens after mem_len memory positions)
 * or decode (1 token after `context` memory positions). Prefill graphs always return `new_mems.{i}`.
 */
export function buildTransfoXl(cfg: TxlGraphConfig, opts: ExportOptions, extras: BuildExtras = {}): ExportedModel {
  const { batch, seq, mem_len, context } = opts.shapes;
  const shapes: TxlGraphShapes =
    opts.mode === 'decode' ? { batch, seq: 1, memLen: context, memOut: context } : { batch, seq, memLen: mem_len, memOut: mem_len };
  return buildTransfoXlGraph(cfg, {
    form: opts.form,
    shapes,
    seed: opts.seed,
    weightScale: extras.weightScale,
    protoLimitBytes: extras.protoLimitBytes,
    name: `transfo-xl-${opts.mode}`,
  });
}

function check(cfg: TxlGraphConfig, s: TxlGraphShapes): void {
  const int = (v: number, min: number) => Number.isInteger(v) && v >= min;
  if (cfg.family !== 'transfo-xl') throw new LtsError(`buildTransfoXl: family must be transfo-xl, got ${cfg.family}`);
  if (!int(cfg.n_layer, 1)) throw new LtsError(`n_layer must be a positive integer, got ${cfg.n_layer}`);
  if (!int(cfg.d_model, 2) || cfg.d_model % 2 !== 0) throw new LtsError(`transfo-xl d_model must be even (sinusoidal positions), got ${cfg.d_model}`);
  for (let i = 0; i < cfg.n_layer; i++) {
    const h = cfg.n_head[i];
    const f = cfg.d_inner[i];
    if (h === undefined || !int(h, 1) || h > cfg.d_model) throw new LtsError(`n_head[${i}] must be an integer in 1..d_model, got ${h}`);
    if (f === undefined || !int(f, 1)) throw new LtsError(`d_inner[${i}] must be a positive integer, got ${f}`);
  }
  // The adaptive-embedding rules are the config's, checked in one place.
  const v = embeddingViolation(cfg);
  if (v) throw new LtsError(`${v.field}: ${v.detail}`);
  if (!int(s.batch, 1) || !int(s.seq, 1)) throw new LtsError(`batch and seq must be positive integers, got ${s.batch}, ${s.seq}`);
  if (!int(s.memLen, 0) || !int(s.memOut, 0) || s.memOut > s.memLen + s.seq) {
    throw new LtsError(`memory lengths must be integers >= 0 with kept <= fed + seq, got fed ${s.memLen}, kept ${s.memOut}, seq ${s.seq}`);
  }
}

/** Builds the graph for explicit shapes (buildTransfoXl maps ExportOptions onto this). */
export function buildTransfoXlGraph(cfg: TxlGraphConfig, o: TxlBuildOptions): ExportedModel {
  check(cfg, o.shapes);
  const { batch: B, seq: S, memLen: M, memOut } = o.shapes;
  const d = cfg.d_model;
  const K = M + S;
  const g = new GraphBuilder(o.name ?? 'transfo-xl');
  const w = new WeightSource(g, o.seed, o.weightScale ?? 1);
  const ortForm = o.form === 'ort';
  const fusion = {
    mha: ortForm && (o.fusion?.mha ?? true),
    skipLayerNorm: ortForm && (o.fusion?.skipLayerNorm ?? true),
    shiftInMatMul: ortForm && (o.fusion?.shiftInMatMul ?? true),
  };
  const c: TxlCtx = { g, w, cfg, form: o.form, fusion, d, B, S, M, K };

  const ids = g.input('input_ids', 'int64', [B, S]);
  const mems = Array.from({ length: cfg.n_layer }, (_, i) => (M > 0 ? g.input(`mems.${i}`, 'float32', [B, M, d]) : null));

  let h = embedTokens(c, ids); // [B, S, d]
  const posEmb = g.constTensor([K, d], positionalEmbedding(K, d), 'pos_emb'); // [K, d], p = K-1 .. 0
  const mask = g.constTensor([S, K], causalMaskData(S, M), 'attn_mask'); // [S, K], j > i + M masked
  for (let i = 0; i < cfg.n_layer; i++) {
    const cat = mems[i] ? g.node('Concat', [mems[i]!, h], { axis: 1 }) : h; // [B, K, d]
    if (memOut > 0) {
      const kept = g.node('Slice', [cat, g.constI64([K - memOut]), g.constI64([K]), g.constI64([1])]); // [B, memOut, d]
      g.output(kept, `new_mems.${i}`, 'float32', [B, memOut, d]);
    }
    h = relAttention(c, i, h, cat, posEmb, mask); // h = LN(h + attn(h, cat)): [B, S, d]
    h = positionwiseFF(c, i, h); // h = LN(h + ffn(h)): [B, S, d]
  }
  const last = g.node('Gather', [h, g.constI64([S - 1], [])], { axis: 1 }); // [B, d]
  g.output(lmHead(c, last), 'logits', 'float32', [B, cfg.vocab_size]);
  return g.build(o.protoLimitBytes);
}

/** pos_emb[t] = [sin(p * inv_freq) | cos(p * inv_freq)] with p = klen-1-t and inv_freq_j = 10000^(-2j/d). */
export function positionalEmbedding(klen: number, d: number): Float32Array {
  const half = d / 2;
  const invFreq = Array.from({ length: half }, (_, j) => 10000 ** ((-2 * j) / d));
  const out = new Float32Array(klen * d);
  for (let t = 0; t < klen; t++) {
    const p = klen - 1 - t;
    for (let j = 0; j < half; j++) {
      const x = p * invFreq[j]!;
      out[t * d + j] = Math.sin(x);
      out[t * d + half + j] = Math.cos(x);
    }
  }
  return out;
}

/** One Transformer-XL graph under construction: what every block of it needs. */
interface TxlCtx {
  g: GraphBuilder;
  w: WeightSource;
  cfg: TxlGraphConfig;
  form: GraphForm;
  fusion: { mha: boolean; skipLayerNorm: boolean; shiftInMatMul: boolean };
  d: number;
  B: number;
  /** New tokens. */
  S: number;
  /** Memory positions fed in. */
  M: number;
  /** Keys per query: M + S. */
  K: number;
}

/** x @ W^T for an HF Linear weight W [out, in] (the Transpose is folded at session creation). */
function linear(g: GraphBuilder, x: string, W: string): string {
  return g.node('MatMul', [x, g.node('Transpose', [W], { perm: [1, 0] })]);
}

/** Rows [from, to) of a 2-D tensor (axis 0). */
function rows(g: GraphBuilder, x: string, from: number, to: number): string {
  return g.node('Slice', [x, g.constI64([from]), g.constI64([to]), g.constI64([0])]);
}

/** HF AdaptiveEmbedding: per-cluster lookup, projection to d, scaled by sqrt(d). ids [B, S] -> [B, S, d]. */
function embedTokens(c: TxlCtx, ids: string): string {
  const { g, w, cfg, d } = c;
  if (cfg.div_val >= 1) return adaptiveEmbedding(w, cfg, ids, 'transformer.word_emb');
  // div_val 0: one plain table, tied to the output layer; HF's sqrt(d) scale is kept.
  const table = w.get('transformer.word_emb.emb_layers.0.weight', [cfg.vocab_size, d], 'normal');
  return g.node('Mul', [g.node('Gather', [table, ids], { axis: 0 }), g.constF32([Math.sqrt(d)], [])]);
}

/** LN(x + sublayer(x)) with the sublayer's trailing bias (if any) folded into the fused op in the ort form. */
function postLN(c: TxlCtx, x: string, y: string, prefix: string, bias?: string): string {
  return addAndNorm(c.g, x, y, lnWeights(c.w, prefix, c.d), bias, c.fusion.skipLayerNorm);
}

/** The rest of rel_shift once the zero column is there: [B, H, S, K+1] -> [B, H, S, K]. */
function relShiftPadded(c: TxlCtx, padded: string, H: number): string {
  const { g, B, S, K } = c;
  const tall = g.node('Reshape', [padded, g.constI64([B, H, K + 1, S])]); // [B, H, K+1, S]
  const cut = g.node('Slice', [tall, g.constI64([1]), g.constI64([K + 1]), g.constI64([2])]); // [B, H, K, S]
  return g.node('Reshape', [cut, g.constI64([B, H, S, K])]); // [B, H, S, K]
}

/** rel_shift in [B, H, S, K]: pad a zero column on the left, view [B, H, K+1, S], drop row 0, view [B, H, S, K]. */
function relShift(c: TxlCtx, x: string, H: number): string {
  const padded = c.g.node('Pad', [x, c.g.constI64([0, 0, 0, 1, 0, 0, 0, 0])]); // [B, H, S, K+1]
  return relShiftPadded(c, padded, H);
}

/**
 * The positional term rel_shift((q + v) r^T) / sqrt(hd) [B, H, S, K], with r = r_net(pos_emb) [K, a]
 * and qv = q + v [B, S, a].
 */
function positionalScores(c: TxlCtx, i: number, qv: string, posEmb: string, H: number, hd: number, scaleT: string): string {
  const { g, w, d, S, K } = c;
  const a = H * hd;
  const rNet = () => w.get(`transformer.layers.${i}.dec_attn.r_net.weight`, [a, d], 'normal');
  // r [T, a] -> per head, transposed: [H, hd, T]
  const headsT = (r: string, T: number) => g.node('Transpose', [g.node('Reshape', [r, g.constI64([T, H, hd])])], { perm: [1, 2, 0] });
  if (c.fusion.shiftInMatMul) {
    // r_net of a zero row is zero, so [0 ; r] / sqrt(hd) (constant-folded) makes the MatMul write the
    // left-padded, pre-scaled scores in one pass: no Pad and no Mul over [B, H, S, K].
    const zeroRowThen = g.node('Concat', [g.constF32(new Array<number>(d).fill(0), [1, d]), posEmb], { axis: 0 }); // [K+1, d]
    const rPadded = linear(g, zeroRowThen, rNet()); // [K+1, a]
    const rTs = g.node('Mul', [headsT(rPadded, K + 1), scaleT]); // [H, hd, K+1]
    return relShiftPadded(c, g.node('MatMul', [splitHeads(g, qv, c.B, S, H, hd), rTs]), H); // [B, H, S, K]
  }
  const rT = headsT(linear(g, posEmb, rNet()), K); // [H, hd, K]
  const bd = g.node('MatMul', [splitHeads(g, qv, c.B, S, H, hd), rT]); // [B, H, S, K]
  return g.node('Mul', [relShift(c, bd, H), scaleT]);
}

/**
 * Relative multi-head attention (HF RelPartialLearnableMultiHeadAttn, post-LN): the shared attention
 * core with Transformer-XL's scores, ((q + u) k^T + rel_shift((q + v) r^T)) / sqrt(hd), masked
 * j > i + M; out = LN(x + o_net(attn)). x [B, S, d] is the current segment; cat [B, K, d] = cat(mems, x).
 */
function relAttention(c: TxlCtx, i: number, x: string, cat: string, posEmb: string, mask: string): string {
  const { g, w, d, B, S, K } = c;
  const H = c.cfg.n_head[i]!;
  const hd = Math.floor(d / H);
  const a = H * hd;
  const p = `transformer.layers.${i}.dec_attn`;
  const qkvW = w.get(`${p}.qkv_net.weight`, [3 * a, d], 'normal'); // rows q | k | v
  // Queries only for the current segment; keys and values over memory + segment.
  const q = linear(g, x, rows(g, qkvW, 0, a)); // [B, S, a]
  const [k, v] = g.nodeN('Split', [linear(g, cat, rows(g, qkvW, a, 3 * a)), g.constI64([a, a])], 2, { axis: 2 }) as [string, string]; // [B, K, a] x2
  const flat = (name: string) => g.node('Reshape', [w.get(name, [H, hd], 'bias'), g.constI64([a])]); // [H, hd] -> [a]
  const qu = g.node('Add', [q, flat(`${p}.r_w_bias`)]); // q + u: [B, S, a]
  const qv = g.node('Add', [q, flat(`${p}.r_r_bias`)]); // q + v: [B, S, a]
  const scale = 1 / Math.sqrt(hd);
  const scaleT = g.constF32([scale], []);
  const bdScaled = positionalScores(c, i, qv, posEmb, H, hd, scaleT); // [B, H, S, K]

  let ctx: string; // [B, S, a]
  if (c.fusion.mha) {
    // MHA computes softmax(scale * (q+u) k^T + bias) v; the positional term and the mask ride in the bias.
    const bias = g.node('Add', [bdScaled, mask]); // [B, H, S, K]
    ctx = multiHeadAttention(g, { q: qu, k, v, heads: H, attentionBias: bias, scale })[0]!;
  } else {
    const ac = g.node('MatMul', [splitHeads(g, qu, B, S, H, hd), splitHeads(g, k, B, K, H, hd, true)]); // [B, H, S, K]
    const score = g.node('Add', [g.node('Add', [g.node('Mul', [ac, scaleT]), bdScaled]), mask]);
    ctx = softmaxAttend(g, score, splitHeads(g, v, B, K, H, hd), B, S, a);
  }
  const o = linear(g, ctx, w.get(`${p}.o_net.weight`, [d, a], 'normal')); // [B, S, d]
  return postLN(c, x, o, `${p}.layer_norm`);
}

/** HF PositionwiseFF (post-LN): LN(x + W2 relu(W1 x + b1) + b2). */
function positionwiseFF(c: TxlCtx, i: number, x: string): string {
  const { g, w, d } = c;
  const f = c.cfg.d_inner[i]!;
  const p = `transformer.layers.${i}.pos_ff`;
  const y = feedForward(g, x, {
    fc: (h) => linear(g, h, w.get(`${p}.CoreNet.0.weight`, [f, d], 'normal')), // [B, S, f]
    fcBias: w.get(`${p}.CoreNet.0.bias`, [f], 'bias'),
    proj: (h) => linear(g, h, w.get(`${p}.CoreNet.3.weight`, [d, f], 'normal')), // [B, S, d]
  }, 'relu', c.form);
  return postLN(c, x, y, `${p}.layer_norm`, w.get(`${p}.CoreNet.3.bias`, [d], 'bias'));
}

/**
 * HF ProjectedAdaptiveLogSoftmax with labels=None, tied as HF's wt103 config ties it (tie_weight,
 * tie_projs = [false, true, ...]): last [B, d] -> full-vocabulary log-probs [B, V].
 */
function lmHead(c: TxlCtx, last: string): string {
  const { g, w, cfg, d } = c;
  if (cfg.div_val >= 1) return adaptiveLogSoftmax(w, cfg, last, { emb: 'transformer.word_emb', crit: 'crit' });
  const table = w.get('transformer.word_emb.emb_layers.0.weight', [cfg.vocab_size, d], 'normal');
  return g.node('LogSoftmax', [g.node('Gemm', [last, table], { transB: 1 })], { axis: -1 }); // [B, V]
}
