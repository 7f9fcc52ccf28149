// GPT-2 and Primer-EZ as ONNX graphs, one function per block in the order of the forward pass:
//   x = wte[ids] + wpe[pos]
//   per layer: x += attn(ln_1(x)); x += mlp(ln_2(x))
//   logits = ln_f(x[:, -1]) @ wte^T        (or the adaptive softmax's log-probs when div_val >= 1)
// Primer (family 'primer') switches: primer_square (FFN relu(x)^2 instead of gelu_tanh) and primer_conv
// (a causal depthwise conv of width 3 after each of Q, K, V).
//
// Two forms differ only where a fused op replaces a subgraph:
//   ort:      com.microsoft Attention (unidirectional) or MultiHeadAttention (Q, K, V given apart: after
//             Primer's conv, and for decoding with a cache), SkipLayerNormalization (residual add + bias +
//             the next LayerNorm), FastGelu (with the fc bias).
//   standard: ai.onnx opset 17 only; the causal mask is a constant.
// Decode mode: one new token at position `context`, with the KV cache `past_key_values.{i}.key/.value`
// [batch, heads_i, context, head_dim] in and `present.{i}.key/.value` out; Primer's conv adds its state,
// the last 2 pre-conv rows of Q, K, V: `past_conv.{i}.q/.k/.v` [batch, 2, a_i] in, `present_conv.{i}.*` out.
import type { ArchConfig } from '../space/types.js';
import { LtsError } from '../util/errors.js';
import { adaptiveEmbedding, adaptiveLogSoftmax } from './adaptive.js';
import { GraphBuilder } from './graph.js';
import type { BuildExtras, ExportedModel, ExportOptions, GraphForm, TensorSpec } from './types.js';

export type { BuildExtras } from './types.js';
import { WeightSource } from './weights.js';

const LN_EPS = 1e-5;
// Additive mask value; exp underflows to exactly 0 in float32 as with ORT's mask_filter_value.
const MASKED = -1e4;

/** Adaptive modules' names for GPT-2/Primer (the embedding sits where HF GPT-2 keeps wte). */
export const GPT2_ADAPTIVE_PREFIXES = { emb: 'transformer.wte', crit: 'crit' } as const;

interface Ctx {
  g: GraphBuilder;
  w: WeightSource;
  cfg: ArchConfig;
  form: GraphForm;
  B: number;
  /** New tokens in this pass. */
  S: number;
  /** Cached past positions (0 in prefill). */
  P: number;
  decode: boolean;
  presentState: boolean;
  conv: boolean;
  square: boolean;
  /** Standard form: the [S, P+S] causal mask, one constant shared by every layer (set on first use). */
  causalMask?: string;
}

interface Layer {
  i: number;
  h: number;
  hd: number;
  /** h * hd: attention width. */
  a: number;
  f: number;
}

function layerOf(cfg: ArchConfig, i: number): Layer {
  const h = cfg.n_head[i]!;
  const hd = Math.floor(cfg.d_model / h);
  if (!(hd >= 1)) throw new LtsError(`layer ${i}: n_head ${h} exceeds d_model ${cfg.d_model}`);
  return { i, h, hd, a: h * hd, f: cfg.d_inner[i]! };
}

const pfx = (i: number): string => `transformer.h.${i}`;

function lnParams(c: Ctx, name: string): [string, string] {
  const d = c.cfg.d_model;
  return [c.w.get(`${name}.weight`, [d], 'ln_scale'), c.w.get(`${name}.bias`, [d], 'ln_shift')];
}

function layerNorm(c: Ctx, x: string, name: string): string {
  return c.g.node('LayerNormalization', [x, ...lnParams(c, name)], { axis: -1, epsilon: { float: LN_EPS } });
}

/** ort form: residual + bias + LayerNorm in one op; returns [normalized, residual sum]. */
function skipLayerNorm(c: Ctx, sub: string, residual: string, bias: string, lnName: string): [string, string] {
  const [normed, , , sum] = c.g.nodeN('SkipLayerNormalization', [sub, residual, ...lnParams(c, lnName), bias],
    [c.g.fresh('skipln'), '', '', c.g.fresh('residual')], { epsilon: { float: LN_EPS } }, 'com.microsoft');
  return [normed!, sum!];
}

// ---- embeddings --------------------------------------------------------------------------------

/** ids [B, S] -> x [B, S, d]: token embedding plus learned positions P .. P+S-1. */
function embed(c: Ctx, ids: string): string {
  const { g, cfg } = c;
  const d = cfg.d_model;
  const tok = cfg.div_val === 0
    ? g.node('Gather', [c.w.get('transformer.wte.weight', [cfg.vocab_size, d], 'normal'), ids])
    : adaptiveEmbedding(c.w, cfg, ids, GPT2_ADAPTIVE_PREFIXES.emb);
  const wpe = c.w.get('transformer.wpe.weight', [cfg.n_positions, d], 'normal');
  const positions = g.constI64(Array.from({ length: c.S }, (_, t) => c.P + t), [c.S], 'positions');
  return g.node('Add', [tok, g.node('Gather', [wpe, positions])]); // [B, S, d] + [S, d]
}

// ---- attention ---------------------------------------------------------------------------------

/** A sublayer's output [B, S, d] before its c_proj bias, which the ort form adds inside SkipLayerNormalization. */
interface Sublayer {
  y: string;
  bias: string;
}

/** Primer: causal depthwise conv of width 3 over time on the fused q|k|v [B, S, 3a]. */
function qkvConv(c: Ctx, L: Layer, qkv: string): string {
  const { g } = c;
  const C = 3 * L.a;
  const weight = g.node('Concat', (['q', 'k', 'v'] as const).map((p) =>
    c.w.get(`${pfx(L.i)}.attn.${p}_dconv.weight`, [L.a, 1, 3], 'conv')), { axis: 0 }); // [3a, 1, 3]
  if (!c.decode) {
    const xt = g.node('Transpose', [qkv], { perm: [0, 2, 1] }); // [B, 3a, S]
    const y = g.node('Conv', [xt, weight], { group: C, kernel_shape: [3], pads: [2, 0] }); // zeros before t=0
    return g.node('Transpose', [y], { perm: [0, 2, 1] }); // [B, S, 3a]
  }
  // Decode: the window is the 2 cached pre-conv rows followed by the new row.
  const past = (['q', 'k', 'v'] as const).map((p) => g.input(`past_conv.${L.i}.${p}`, 'float32', [c.B, 2, L.a]));
  const win = g.node('Concat', [g.node('Concat', past, { axis: 2 }), qkv], { axis: 1 }); // [B, 3, 3a]
  const present = g.nodeN('Split', [g.node('Slice', [win, g.constI64([1]), g.constI64([3]), g.constI64([1])])], 3, { axis: 2 });
  present.forEach((t, j) => g.output(t, `present_conv.${L.i}.${'qkv'[j]}`, 'float32', [c.B, 2, L.a]));
  const y = g.node('Conv', [g.node('Transpose', [win], { perm: [0, 2, 1] }), weight], { group: C, kernel_shape: [3] }); // [B, 3a, 1]
  return g.node('Transpose', [y], { perm: [0, 2, 1] }); // [B, 1, 3a]
}

/** Prefill with presentState: the conv state is the last 2 pre-conv rows (zeros before the start). */
function convStateOut(c: Ctx, L: Layer, qkv: string): void {
  const { g } = c;
  let rows = qkv; // [B, S, 3a]
  if (c.S < 2) rows = g.node('Pad', [qkv, g.constI64([0, 2 - c.S, 0, 0, 0, 0])]);
  const last2 = g.node('Slice', [rows, g.constI64([-2]), g.constI64([2 ** 31 - 1]), g.constI64([1])]);
  g.nodeN('Split', [last2], 3, { axis: 2 }).forEach((t, j) =>
    g.output(t, `present_conv.${L.i}.${'qkv'[j]}`, 'float32', [c.B, 2, L.a]));
}

function kvSpec(c: Ctx, L: Layer, T: number): number[] {
  return [c.B, L.h, T, L.hd];
}

/** [B, S, a] -> [B, H, S, hd] */
function splitHeads(c: Ctx, L: Layer, x: string): string {
  const r = c.g.node('Reshape', [x, c.g.constI64([c.B, c.S, L.h, L.hd])]);
  return c.g.node('Transpose', [r], { perm: [0, 2, 1, 3] });
}

/** [S, T] additive mask: query s (at position P + s) sees keys 0 .. P + s. Built once per graph. */
function causalMask(c: Ctx): string {
  if (c.causalMask) return c.causalMask;
  const T = c.P + c.S;
  const mask = new Float32Array(c.S * T);
  for (let s = 0; s < c.S; s++) mask.fill(MASKED, s * T + c.P + s + 1, (s + 1) * T);
  c.causalMask = c.g.constTensor([c.S, T], mask, 'causal_mask');
  return c.causalMask;
}

/** Standard form: softmax(q k^T / sqrt(hd) + causal) v, written out. */
function attentionStandard(c: Ctx, L: Layer, q: string, k: string, v: string): string {
  const { g } = c;
  const T = c.P + c.S;
  const qh = g.node('Mul', [splitHeads(c, L, q), g.constF32([1 / Math.sqrt(L.hd)], [], 'attn_scale')]); // [B, H, S, hd]
  let kh = splitHeads(c, L, k); // [B, H, S, hd]
  let vh = splitHeads(c, L, v);
  if (c.decode) {
    kh = g.node('Concat', [g.input(`past_key_values.${L.i}.key`, 'float32', kvSpec(c, L, c.P)), kh], { axis: 2 }); // [B, H, T, hd]
    vh = g.node('Concat', [g.input(`past_key_values.${L.i}.value`, 'float32', kvSpec(c, L, c.P)), vh], { axis: 2 });
  }
  if (c.decode || c.presentState) {
    g.output(kh, `present.${L.i}.key`, 'float32', kvSpec(c, L, T));
    g.output(vh, `present.${L.i}.value`, 'float32', kvSpec(c, L, T));
  }
  let scores = g.node('MatMul', [qh, g.node('Transpose', [kh], { perm: [0, 1, 3, 2] })]); // [B, H, S, T]
  if (c.S > 1) scores = g.node('Add', [scores, causalMask(c)]); // a single new token sees every key
  const probs = g.node('Softmax', [scores], { axis: -1 });
  const y = g.node('Transpose', [g.node('MatMul', [probs, vh])], { perm: [0, 2, 1, 3] }); // [B, S, H, hd]
  return g.node('Reshape', [y, g.constI64([c.B, c.S, L.a])]); // [B, S, a]
}

/** ort form with Q, K, V apart: MultiHeadAttention (causal, with the cache when decoding). */
function attentionMha(c: Ctx, L: Layer, q: string, k: string, v: string, bias: string): string {
  const { g } = c;
  const T = c.P + c.S;
  const inputs = [q, k, v, bias, '', ''];
  if (c.decode) {
    inputs.push(g.input(`past_key_values.${L.i}.key`, 'float32', kvSpec(c, L, c.P)));
    inputs.push(g.input(`past_key_values.${L.i}.value`, 'float32', kvSpec(c, L, c.P)));
  }
  const wantPresent = c.decode || c.presentState;
  const outs = g.nodeN('MultiHeadAttention', inputs, wantPresent ? 3 : 1,
    { num_heads: L.h, unidirectional: 1 }, 'com.microsoft');
  if (wantPresent) {
    g.output(outs[1]!, `present.${L.i}.key`, 'float32', kvSpec(c, L, T));
    g.output(outs[2]!, `present.${L.i}.value`, 'float32', kvSpec(c, L, T));
  }
  return outs[0]!; // [B, S, a]
}

/** h = ln_1(x) [B, S, d] -> attention output before c_proj's bias [B, S, d]. */
function attention(c: Ctx, L: Layer, h: string): Sublayer {
  const { g, cfg } = c;
  const d = cfg.d_model;
  const W = c.w.get(`${pfx(L.i)}.attn.c_attn.weight`, [d, 3 * L.a], 'normal'); // columns q | k | v
  const b = c.w.get(`${pfx(L.i)}.attn.c_attn.bias`, [3 * L.a], 'bias');
  const Wo = c.w.get(`${pfx(L.i)}.attn.c_proj.weight`, [L.a, d], 'normal');
  const bo = c.w.get(`${pfx(L.i)}.attn.c_proj.bias`, [d], 'bias');
  let y: string; // [B, S, a]
  if (c.form === 'ort' && !c.decode && !c.conv && !c.presentState) {
    // Nothing needs Q, K, V apart: the fused op takes c_attn as is (projection, causal attention, heads merged).
    y = g.ms('Attention', [h, W, b], { num_heads: L.h, unidirectional: 1 });
  } else {
    let qkv = g.node('MatMul', [h, W]); // [B, S, 3a]
    const fuseBias = c.form === 'ort' && !c.conv; // MHA adds the projection bias itself
    if (!fuseBias) qkv = g.node('Add', [qkv, b]);
    if (c.conv) {
      if (c.presentState) convStateOut(c, L, qkv);
      qkv = qkvConv(c, L, qkv);
    }
    const [q, k, v] = g.nodeN('Split', [qkv], 3, { axis: 2 }) as [string, string, string]; // [B, S, a] each
    y = c.form === 'ort' ? attentionMha(c, L, q, k, v, fuseBias ? b : '') : attentionStandard(c, L, q, k, v);
  }
  return { y: g.node('MatMul', [y, Wo]), bias: bo }; // [B, S, d]
}

// ---- feed-forward ------------------------------------------------------------------------------

/** gelu_tanh(x) = 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))), written out for the standard form. */
function geluTanh(c: Ctx, x: string): string {
  const { g } = c;
  const x3 = g.node('Pow', [x, g.constF32([3], [])]); // HF's torch export pattern, which ORT fuses to FastGelu
  const inner = g.node('Mul', [g.node('Add', [x, g.node('Mul', [x3, g.constF32([0.044715], [])])]), g.constF32([0.7978845608], [])]);
  const t = g.node('Add', [g.node('Tanh', [inner]), g.constF32([1], [])]);
  return g.node('Mul', [g.node('Mul', [x, g.constF32([0.5], [])]), t]);
}

/** h = ln_2(x) [B, S, d] -> fc2(act(fc1(h))) before fc2's bias [B, S, d]. */
function mlp(c: Ctx, L: Layer, h: string): Sublayer {
  const { g, cfg } = c;
  const d = cfg.d_model;
  const Wfc = c.w.get(`${pfx(L.i)}.mlp.c_fc.weight`, [d, L.f], 'normal');
  const bfc = c.w.get(`${pfx(L.i)}.mlp.c_fc.bias`, [L.f], 'bias');
  const Wp = c.w.get(`${pfx(L.i)}.mlp.c_proj.weight`, [L.f, d], 'normal');
  const bp = c.w.get(`${pfx(L.i)}.mlp.c_proj.bias`, [d], 'bias');
  const fc = g.node('MatMul', [h, Wfc]); // [B, S, f]
  let act: string;
  if (c.square) {
    const r = g.node('Relu', [g.node('Add', [fc, bfc])]);
    act = g.node('Mul', [r, r]); // relu(x)^2
  } else if (c.form === 'ort') {
    act = g.ms('FastGelu', [fc, bfc]);
  } else {
    act = geluTanh(c, g.node('Add', [fc, bfc]));
  }
  return { y: g.node('MatMul', [act, Wp]), bias: bp }; // [B, S, d]
}

// ---- model -------------------------------------------------------------------------------------

/** Residual stream through every block; returns ln_f(x) at the last position [B, d]. */
function decoderStack(c: Ctx, x0: string, layers: Layer[]): string {
  const { g } = c;
  const lastPos = (t: string): string => g.node('Gather', [t, g.constI64([c.S - 1], [], 'last')], { axis: 1 }); // [B, d]
  if (c.form === 'standard') {
    let x = x0;
    for (const L of layers) {
      const a = attention(c, L, layerNorm(c, x, `${pfx(L.i)}.ln_1`));
      x = g.node('Add', [x, g.node('Add', [a.y, a.bias])]);
      const m = mlp(c, L, layerNorm(c, x, `${pfx(L.i)}.ln_2`));
      x = g.node('Add', [x, g.node('Add', [m.y, m.bias])]);
    }
    return layerNorm(c, lastPos(x), 'transformer.ln_f');
  }
  // ort: each sublayer's residual add + bias is fused with the LayerNorm that follows it.
  let x = x0;
  let h = layerNorm(c, x, `${pfx(0)}.ln_1`);
  layers.forEach((L, j) => {
    const a = attention(c, L, h);
    [h, x] = skipLayerNorm(c, a.y, x, a.bias, `${pfx(L.i)}.ln_2`);
    const m = mlp(c, L, h);
    const next = j + 1 < layers.length ? `${pfx(L.i + 1)}.ln_1` : 'transformer.ln_f';
    [h, x] = skipLayerNorm(c, m.y, x, m.bias, next);
  });
  return lastPos(h);
}

/** Next-token logits [B, vocab] (log-probs with the adaptive softmax) from h [B, d]. */
function lmHead(c: Ctx, h: string): string {
  const { g, cfg } = c;
  if (cfg.div_val >= 1) return adaptiveLogSoftmax(c.w, cfg, h, GPT2_ADAPTIVE_PREFIXES);
  // Tied to wte, stored once: Gemm reads it transposed in place.
  return g.node('Gemm', [h, c.w.get('transformer.wte.weight', [cfg.vocab_size, cfg.d_model], 'normal')], { transB: 1 });
}

export function buildGpt2(cfg: ArchConfig, opts: ExportOptions, extras: BuildExtras = {}): ExportedModel {
  if (cfg.family !== 'gpt2' && cfg.family !== 'primer') throw new LtsError(`buildGpt2 exports gpt2 and primer, not ${cfg.family}`);
  const decode = opts.mode === 'decode';
  const B = opts.shapes.batch;
  const S = decode ? 1 : opts.shapes.seq;
  const P = decode ? opts.shapes.context : 0;
  if (!(B >= 1 && S >= 1 && P >= 0)) throw new LtsError(`bad shapes: batch ${B}, seq ${S}, context ${P}`);
  if (P + S > cfg.n_positions) throw new LtsError(`${P + S} positions exceed n_positions ${cfg.n_positions}`);
  if (decode && extras.presentState) throw new LtsError('presentState applies to prefill graphs only');
  const g = new GraphBuilder(`${cfg.family}_${opts.form}_${opts.mode}`);
  const primer = cfg.family === 'primer';
  const c: Ctx = {
    g, w: new WeightSource(g, opts.seed, extras.weightScale ?? 1), cfg, form: opts.form, B, S, P, decode,
    presentState: extras.presentState ?? false, conv: primer && !!cfg.primer_conv, square: primer && !!cfg.primer_square,
  };
  const layers = Array.from({ length: cfg.n_layer }, (_, i) => layerOf(cfg, i));
  const ids = g.input('input_ids', 'int64', [B, S]);
  const h = decoderStack(c, embed(c, ids), layers);
  g.output(lmHead(c, h), 'logits', 'float32', [B, cfg.vocab_size]);
  const model = g.build(extras.protoLimitBytes);
  // Inputs/outputs in a stable order: ids and logits first, then the state per layer.
  return { ...model, inputs: sortSpecs(model.inputs), outputs: sortSpecs(model.outputs) };
}

function sortSpecs(specs: TensorSpec[]): TensorSpec[] {
  const rank = (n: string): number => (n === 'input_ids' || n === 'logits' ? 0 : 1);
  return [...specs].sort((a, b) => rank(a.name) - rank(b.name));
}
