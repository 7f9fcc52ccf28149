// GPT-2 as an ONNX graph, from the shared blocks (src/export/blocks), in the order of the forward pass:
//   x = wte[ids] + wpe[pos]
//   per layer: x += attn(ln_1(x)); x += mlp(ln_2(x))
//   logits = ln_f(x[:, -1]) @ wte^T        (or the adaptive softmax's log-probs when div_val >= 1)
// A variant (Primer) changes the FFN activation and may transform the fused q|k|v before attention.
//
// Two forms differ only where a fused op replaces a subgraph:
//   ort:      com.microsoft Attention (unidirectional) or MultiHeadAttention (Q, K, V given apart: after a
//             q|k|v transform, and for decoding with a cache), SkipLayerNormalization (residual add + bias +
//             the next LayerNorm), FastGelu (with the fc bias).
//   standard: ai.onnx opset 17 only; the causal mask is a constant.
// Decode mode: one new token at position `context`, with the KV cache `past_key_values.{i}.key/.value`
// [batch, heads_i, context, head_dim] in and `present.{i}.key/.value` out.
import {
  adaptiveEmbedding, adaptiveLogSoftmax, causalAttention, feedForward, layerNorm, lnWeights, passShapes, skipLayerNorm,
  type Activation, type CausalPass,
} from '../../export/blocks/index.js';
import { GraphBuilder } from '../../export/graph.js';
import type { BuildExtras, ExportedModel, ExportOptions, TensorSpec } from '../../export/types.js';
import { WeightSource } from '../../export/weights.js';
import { LtsError } from '../../util/errors.js';
import type { LayeredConfig } from '../layered/config.js';

/** Adaptive modules' names for GPT-2/Primer (the embedding sits where HF GPT-2 keeps wte). */
export const GPT2_ADAPTIVE_PREFIXES = { emb: 'transformer.wte', crit: 'crit' } as const;

/** One graph under construction: the pass (shapes, form, cache) and where its weights come from. */
export interface Gpt2Ctx extends CausalPass {
  w: WeightSource;
  cfg: LayeredConfig & { family: string };
}

export interface Gpt2Layer {
  i: number;
  h: number;
  hd: number;
  /** h * hd: attention width. */
  a: number;
  f: number;
}

/** How a family built on GPT-2's blocks differs (Primer's switches); GPT-2 itself is the default. */
export interface Gpt2Variant {
  activation: Activation;
  /** Transforms the biased q|k|v [B, S, 3a] before the heads split (then Q, K, V reach attention apart). */
  qkvTransform?: (c: Gpt2Ctx, L: Gpt2Layer, qkv: string) => string;
}

export const GPT2_VARIANT: Gpt2Variant = { activation: 'gelu_tanh' };

const pfx = (i: number): string => `transformer.h.${i}`;

function layerOf(cfg: LayeredConfig, i: number): Gpt2Layer {
  const h = cfg.n_head[i]!;
  const hd = Math.floor(cfg.d_model / h);
  if (!(hd >= 1)) throw new LtsError(`layer ${i}: n_head ${h} exceeds d_model ${cfg.d_model}`);
  return { i, h, hd, a: h * hd, f: cfg.d_inner[i]! };
}

const ln = (c: Gpt2Ctx, name: string): [string, string] => lnWeights(c.w, name, c.cfg.d_model);

/** ids [B, S] -> x [B, S, d]: token embedding plus learned positions P .. P+S-1. */
function embed(c: Gpt2Ctx, ids: string): string {
  const { g, cfg } = c;
  const d = cfg.d_model;
  const tok = cfg.div_val === 0
    ? g.node('Gather', [c.w.get('transformer.wte.weight', [cfg.vocab_size, d], 'normal'), ids])
    : adaptiveEmbedding(c.w, cfg, ids, GPT2_ADAPTIVE_PREFIXES.emb);
  const wpe = c.w.get('transformer.wpe.weight', [cfg.n_positions, d], 'normal');
  const positions = g.constI64(Array.from({ length: c.S }, (_, t) => c.P + t), [c.S], 'positions');
  return g.node('Add', [tok, g.node('Gather', [wpe, positions])]); // [B, S, d] + [S, d]
}

/** A sublayer's output [B, S, d] before its c_proj bias, which the ort form adds inside SkipLayerNormalization. */
interface Sublayer {
  y: string;
  bias: string;
}

/** h = ln_1(x) [B, S, d] -> attention output before c_proj's bias [B, S, d]. */
function attention(c: Gpt2Ctx, v: Gpt2Variant, L: Gpt2Layer, h: string): Sublayer {
  const { g, cfg } = c;
  const d = cfg.d_model;
  const W = c.w.get(`${pfx(L.i)}.attn.c_attn.weight`, [d, 3 * L.a], 'normal'); // columns q | k | v
  const b = c.w.get(`${pfx(L.i)}.attn.c_attn.bias`, [3 * L.a], 'bias');
  const Wo = c.w.get(`${pfx(L.i)}.attn.c_proj.weight`, [L.a, d], 'normal');
  const bo = c.w.get(`${pfx(L.i)}.attn.c_proj.bias`, [d], 'bias');
  const transform = v.qkvTransform;
  let y: string; // [B, S, a]
  if (c.form === 'ort' && !c.decode && !transform && !c.presentState) {
    // Nothing needs Q, K, V apart: the fused op takes c_attn as is (projection, causal attention, heads merged).
    y = g.ms('Attention', [h, W, b], { num_heads: L.h, unidirectional: 1 });
  } else {
    let qkv = g.node('MatMul', [h, W]); // [B, S, 3a]
    const fuseBias = c.form === 'ort' && !transform; // MHA adds the projection bias itself
    if (!fuseBias) qkv = g.node('Add', [qkv, b]);
    if (transform) qkv = transform(c, L, qkv);
    const [q, k, vv] = g.nodeN('Split', [qkv], 3, { axis: 2 }) as [string, string, string]; // [B, S, a] each
    y = causalAttention(c, L, q, k, vv, fuseBias ? b : '');
  }
  return { y: g.node('MatMul', [y, Wo]), bias: bo }; // [B, S, d]
}

/** h = ln_2(x) [B, S, d] -> c_proj(act(c_fc(h))) before c_proj's bias [B, S, d]. */
function mlp(c: Gpt2Ctx, v: Gpt2Variant, L: Gpt2Layer, h: string): Sublayer {
  const { g, cfg } = c;
  const d = cfg.d_model;
  const Wfc = c.w.get(`${pfx(L.i)}.mlp.c_fc.weight`, [d, L.f], 'normal');
  const bfc = c.w.get(`${pfx(L.i)}.mlp.c_fc.bias`, [L.f], 'bias');
  const Wp = c.w.get(`${pfx(L.i)}.mlp.c_proj.weight`, [L.f, d], 'normal');
  const bp = c.w.get(`${pfx(L.i)}.mlp.c_proj.bias`, [d], 'bias');
  const y = feedForward(g, h, { fc: (x) => g.node('MatMul', [x, Wfc]), fcBias: bfc, proj: (x) => g.node('MatMul', [x, Wp]) }, v.activation, c.form);
  return { y, bias: bp }; // [B, S, d]
}

/** Residual stream through every block (GPT-2's Block.forward); returns ln_f(x) at the last position [B, d]. */
function decoderStack(c: Gpt2Ctx, v: Gpt2Variant, x0: string, layers: Gpt2Layer[]): string {
  const { g } = c;
  const lastPos = (t: string): string => g.node('Gather', [t, g.constI64([c.S - 1], [], 'last')], { axis: 1 }); // [B, d]
  if (c.form === 'standard') {
    let x = x0; // [B, S, d]
    for (const L of layers) {
      const a = attention(c, v, L, layerNorm(g, x, ln(c, `${pfx(L.i)}.ln_1`)));
      x = g.node('Add', [x, g.node('Add', [a.y, a.bias])]); // x + attn(ln_1(x))
      const m = mlp(c, v, L, layerNorm(g, x, ln(c, `${pfx(L.i)}.ln_2`)));
      x = g.node('Add', [x, g.node('Add', [m.y, m.bias])]); // x + mlp(ln_2(x))
    }
    return layerNorm(g, lastPos(x), ln(c, 'transformer.ln_f'));
  }
  // ort: each sublayer's residual add + bias is fused with the LayerNorm that follows it.
  let x = x0;
  let h = layerNorm(g, x, ln(c, `${pfx(0)}.ln_1`)); // [B, S, d]
  layers.forEach((L, j) => {
    const a = attention(c, v, L, h);
    [h, x] = skipLayerNorm(g, a.y, x, ln(c, `${pfx(L.i)}.ln_2`), a.bias, true) as [string, string]; // h = ln_2(x += attn)
    const m = mlp(c, v, L, h);
    const next = j + 1 < layers.length ? `${pfx(L.i + 1)}.ln_1` : 'transformer.ln_f';
    [h, x] = skipLayerNorm(g, m.y, x, ln(c, next), m.bias, true) as [string, string]; // h = next LN(x += mlp)
  });
  return lastPos(h);
}

/** Next-token logits [B, vocab] (log-probs with the adaptive softmax) from h [B, d]. */
function lmHead(c: Gpt2Ctx, h: string): string {
  const { g, cfg } = c;
  if (cfg.div_val >= 1) return adaptiveLogSoftmax(c.w, cfg, h, GPT2_ADAPTIVE_PREFIXES);
  // Tied to wte, stored once: Gemm reads it transposed in place.
  return g.node('Gemm', [h, c.w.get('transformer.wte.weight', [cfg.vocab_size, cfg.d_model], 'normal')], { transB: 1 });
}

/** GPT-2's graph (or a variant's) for the shapes and mode of `opts`. */
export function buildGpt2Graph(cfg: LayeredConfig & { family: string }, opts: ExportOptions, extras: BuildExtras = {}, variant: Gpt2Variant = GPT2_VARIANT): ExportedModel {
  const pass = passShapes(opts, extras, cfg.n_positions);
  const g = new GraphBuilder(`${cfg.family}_${opts.form}_${opts.mode}`);
  const c: Gpt2Ctx = { g, w: new WeightSource(g, opts.seed, extras.weightScale ?? 1), cfg, form: opts.form, ...pass };
  const { B, S } = c;
  const layers = Array.from({ length: cfg.n_layer }, (_, i) => layerOf(cfg, i));
  const ids = g.input('input_ids', 'int64', [B, S]);
  const h = decoderStack(c, variant, embed(c, ids), layers); // [B, d]
  g.output(lmHead(c, h), 'logits', 'float32', [B, cfg.vocab_size]);
  const model = g.build(extras.protoLimitBytes);
  // Inputs/outputs in a stable order: ids and logits first, then the state per layer.
  return { ...model, inputs: sortSpecs(model.inputs), outputs: sortSpecs(model.outputs) };
}

function sortSpecs(specs: TensorSpec[]): TensorSpec[] {
  const rank = (n: string): number => (n === 'input_ids' || n === 'logits' ? 0 : 1);
  return [...specs].sort((a, b) => rank(a.name) - rank(b.name));
}
