// A Brainformer candidate as an ONNX graph, in the order of its forward pass:
//   x = wte[ids] + wpe[pos]
//   per sub-layer i (the block repeated `stack` times): x += sublayer_i(ln_i(x))
//     attn: causal multi-head self-attention        ffn: fc2(act(fc1(h)))
//     moe:  p = softmax(h Wr); each token's top-k experts e, weighted by p_e / sum(top-k p):
//           sum_e w_e fc2_e(act(fc1_e(h)))
//   logits = ln_f(x[:, -1]) @ wte^T
// Two forms differ only where a fused op replaces a subgraph:
//   ort:      com.microsoft Attention / MultiHeadAttention, SkipLayerNormalization, FastGelu, and MoE
//             (the kernel does softmax, top-k, normalized weights and per-expert GEMMs on the routed
//             tokens). ORT's MoE has no squared ReLU: those MoE sub-layers use the standard dispatch.
//   standard: ai.onnx opset 17 only. MoE is real sparse dispatch: TopK over the router probabilities,
//             then per expert NonZero finds its tokens, GatherND takes them, its FFN runs on them alone
//             and ScatterND(add) puts the weighted result back: cost follows routed tokens, not experts.
// Routing tie-break (both forms, and the tests' reference): among equal probabilities the higher expert
// index wins, which is what ORT's kernel does (partial_sort of (prob, index) pairs, descending); the
// standard form gets it from TopK (lower index first) over the experts in reverse order.
// Expert weights are stored as ORT's kernel reads them: fc1 [E, f, d], fc2 [E, d, f] (out x in).
// Decode mode: one new token at position `context`; KV caches on the attention sub-layers only,
// `past_key_values.{i}.key/.value` in and `present.{i}.*` out, i the sub-layer's index in the model.
import {
  causalAttention, feedForward, geluTanh, layerNorm, lnWeights, passShapes, skipLayerNorm, type CausalPass,
} from '../../export/blocks/index.js';
import { GraphBuilder } from '../../export/graph.js';
import type { BuildExtras, ExportedModel, ExportOptions } from '../../export/types.js';
import { WeightSource } from '../../export/weights.js';
import { assertStructure, sublayers, type Activation, type BrainformerConfig, type MoeSublayer, type Sublayer } from './config.js';

/** One graph under construction: the pass (shapes, form, cache) and where its weights come from. */
interface Ctx extends CausalPass {
  w: WeightSource;
  d: number;
}

/** A sub-layer's output [B, S, d] and the bias the ort form adds inside SkipLayerNormalization ('' for none). */
interface Out {
  y: string;
  bias: string;
}

const pfx = (i: number): string => `transformer.h.${i}`;
const ln = (c: Ctx, name: string): [string, string] => lnWeights(c.w, name, c.d);

// ---- attention ---------------------------------------------------------------------------------

/** hn = ln_i(x) [B, S, d] -> causal self-attention before c_proj's bias (GPT-2's weights and names). */
function attention(c: Ctx, i: number, h: number, hn: string): Out {
  const { g, d } = c;
  const W = c.w.get(`${pfx(i)}.attn.c_attn.weight`, [d, 3 * d], 'normal'); // columns q | k | v
  const b = c.w.get(`${pfx(i)}.attn.c_attn.bias`, [3 * d], 'bias');
  const Wo = c.w.get(`${pfx(i)}.attn.c_proj.weight`, [d, d], 'normal');
  const bo = c.w.get(`${pfx(i)}.attn.c_proj.bias`, [d], 'bias');
  let y: string; // [B, S, d]
  if (c.form === 'ort' && !c.decode && !c.presentState) {
    y = g.ms('Attention', [hn, W, b], { num_heads: h, unidirectional: 1 }); // projection, causal attention, heads merged
  } else {
    let qkv = g.node('MatMul', [hn, W]); // [B, S, 3d]
    if (c.form === 'standard') qkv = g.node('Add', [qkv, b]); // MultiHeadAttention adds it itself
    const [q, k, v] = g.nodeN('Split', [qkv], 3, { axis: 2 }) as [string, string, string];
    y = causalAttention(c, { i, h, hd: d / h, a: d }, q, k, v, c.form === 'ort' ? b : '');
  }
  return { y: g.node('MatMul', [y, Wo]), bias: bo };
}

// ---- feed-forward ------------------------------------------------------------------------------

const ACT = { gelu: 'gelu_tanh', relu2: 'relu_squared' } as const;

/** The activation of an expert's pre-activation z (Gemm has added the bias): written out in either form. */
function activate(c: Ctx, z: string, act: Activation): string {
  if (act === 'gelu') return geluTanh(c.g, z);
  const r = c.g.node('Relu', [z]);
  return c.g.node('Mul', [r, r]); // relu(z)^2
}

/** Dense FFN: hn [B, S, d] -> fc2(act(fc1(hn))) before fc2's bias. */
function ffn(c: Ctx, i: number, f: number, act: Activation, hn: string): Out {
  const { g, d } = c;
  const W1 = c.w.get(`${pfx(i)}.mlp.c_fc.weight`, [d, f], 'normal');
  const b1 = c.w.get(`${pfx(i)}.mlp.c_fc.bias`, [f], 'bias');
  const W2 = c.w.get(`${pfx(i)}.mlp.c_proj.weight`, [f, d], 'normal');
  const b2 = c.w.get(`${pfx(i)}.mlp.c_proj.bias`, [d], 'bias');
  const y = feedForward(g, hn, { fc: (x) => g.node('MatMul', [x, W1]), fcBias: b1, proj: (x) => g.node('MatMul', [x, W2]) }, ACT[act], c.form);
  return { y, bias: b2 };
}

type Stacked = 'router' | 'fc1' | 'b1' | 'fc2' | 'b2';

/** The MoE sub-layer's weights: name, dims and init, stacked per expert in the layout ORT's kernel reads. */
function expertSpecs(c: Ctx, i: number, m: MoeSublayer): Record<Stacked, { name: string; dims: number[]; kind: 'normal' | 'bias' }> {
  const { d } = c;
  const { experts: E, d_inner: f } = m;
  const n = `${pfx(i)}.moe`;
  return {
    router: { name: `${n}.router.weight`, dims: [d, E], kind: 'normal' },
    fc1: { name: `${n}.fc1.weight`, dims: [E, f, d], kind: 'normal' },
    b1: { name: `${n}.fc1.bias`, dims: [E, f], kind: 'bias' },
    fc2: { name: `${n}.fc2.weight`, dims: [E, d, f], kind: 'normal' },
    b2: { name: `${n}.fc2.bias`, dims: [E, d], kind: 'bias' },
  };
}

/**
 * Per expert, its slices of the stacked weights as initializers of their own that view the same values
 * (no copy; the stacked tensors themselves are not added): [fc1 [f, d], b1 [f], fc2 [d, f], b2 [d]].
 */
function expertSlices(c: Ctx, i: number, m: MoeSublayer): string[][] {
  const specs = expertSpecs(c, i, m);
  const parts = (['fc1', 'b1', 'fc2', 'b2'] as const).map((key) => {
    const s = specs[key];
    return { s, data: c.w.values(s.name, s.dims, s.kind), each: s.dims.slice(1) };
  });
  return Array.from({ length: m.experts }, (_, e) => parts.map(({ s, data, each }) => {
    const size = each.reduce((a, b) => a * b, 1);
    return c.g.weight(`${s.name}.${e}`, each, data.subarray(e * size, (e + 1) * size));
  }));
}

/**
 * Sparse dispatch in ai.onnx ops. x2 [N, d] -> [N, d]. Each expert runs on the tokens routed to it only:
 * NonZero over its column of the top-k indices gives their rows; an expert no token chose runs on an
 * empty batch.
 */
function moeDispatch(c: Ctx, i: number, m: MoeSublayer, router: string, x2: string, N: number): string {
  const { g, d } = c;
  const { experts: E, top_k: k } = m;
  const probs = g.node('Softmax', [g.node('MatMul', [x2, router])], { axis: -1 }); // [N, E]
  // Experts in reverse order, so that TopK's lower-index-first tie-break picks the higher expert index.
  const rev = g.node('Slice', [probs, g.constI64([E - 1]), g.constI64([-E - 1]), g.constI64([1]), g.constI64([-1])]);
  const [topP, topRev] = g.nodeN('TopK', [rev, g.constI64([k])], 2, { axis: -1, largest: 1, sorted: 1 }); // [N, k]
  const topIdx = g.node('Sub', [g.constI64([E - 1], []), topRev!]); // [N, k] expert ids
  const weights = g.node('Div', [topP!, g.node('ReduceSum', [topP!, g.constI64([1])], { keepdims: 1 })]); // [N, k]
  const zeroW = g.constF32([0], []);
  let y = g.constTensor([N, d], new Float32Array(N * d), 'moe_zeros');
  expertSlices(c, i, m).forEach(([fc1, b1, fc2, b2], e) => {
    const hit = g.node('Equal', [topIdx, g.constI64([e], [])]); // [N, k]
    const we = g.node('ReduceSum', [g.node('Where', [hit, weights, zeroW]), g.constI64([1])], { keepdims: 0 }); // [N]
    const chosen = g.node('ReduceMax', [g.node('Cast', [hit], { to: 1 })], { axes: [1], keepdims: 0 }); // [N] 1 where routed
    const idx = g.node('Transpose', [g.node('NonZero', [chosen])], { perm: [1, 0] }); // [n_e, 1] its token rows
    const xe = g.node('GatherND', [x2, idx]); // [n_e, d]
    const z = g.node('Gemm', [xe, fc1!, b1!], { transB: 1 }); // [n_e, f]
    const ye = g.node('Gemm', [activate(c, z, m.act), fc2!, b2!], { transB: 1 }); // [n_e, d]
    const weighted = g.node('Mul', [ye, g.node('Unsqueeze', [g.node('GatherND', [we, idx]), g.constI64([1])])]);
    y = g.node('ScatterND', [y, idx, weighted], { reduction: 'add' }); // [N, d]
  });
  return y;
}

/** MoE sub-layer: hn [B, S, d] -> the weighted sum of its tokens' experts [B, S, d] (biases inside). */
function moe(c: Ctx, i: number, m: MoeSublayer, hn: string): Out {
  const { g, d } = c;
  const N = c.B * c.S;
  const spec = expertSpecs(c, i, m);
  const router = c.w.get(spec.router.name, spec.router.dims, spec.router.kind);
  const x2 = g.node('Reshape', [hn, g.constI64([N, d])]); // [N, d]
  let y: string;
  if (c.form === 'ort' && m.act === 'gelu') {
    const [fc1, b1, fc2, b2] = (['fc1', 'b1', 'fc2', 'b2'] as const).map((key) => c.w.get(spec[key].name, spec[key].dims, spec[key].kind));
    const logits = g.node('MatMul', [x2, router]); // [N, E]: the kernel applies softmax and top-k itself
    y = g.ms('MoE', [x2, logits, fc1!, b1!, fc2!, b2!], { k: m.top_k, activation_type: 'gelu', normalize_routing_weights: 1 });
  } else {
    y = moeDispatch(c, i, m, router, x2, N);
  }
  return { y: g.node('Reshape', [y, g.constI64([c.B, c.S, d])]), bias: '' };
}

function sublayer(c: Ctx, i: number, s: Sublayer, hn: string): Out {
  if (s.kind === 'attn') return attention(c, i, s.n_head, hn);
  if (s.kind === 'ffn') return ffn(c, i, s.d_inner, s.act, hn);
  return moe(c, i, s, hn);
}

// ---- model -------------------------------------------------------------------------------------

/** Residual stream through every sub-layer; returns ln_f(x) at the last position [B, d]. */
function decoderStack(c: Ctx, x0: string, subs: Sublayer[]): string {
  const { g } = c;
  const lastPos = (t: string): string => g.node('Gather', [t, g.constI64([c.S - 1], [], 'last')], { axis: 1 });
  const lnName = (i: number) => (i < subs.length ? `${pfx(i)}.ln` : 'transformer.ln_f');
  let x = x0;
  if (c.form === 'standard') {
    subs.forEach((s, i) => {
      const o = sublayer(c, i, s, layerNorm(g, x, ln(c, lnName(i))));
      x = g.node('Add', [x, o.bias ? g.node('Add', [o.y, o.bias]) : o.y]); // x + sublayer(ln_i(x))
    });
    return layerNorm(g, lastPos(x), ln(c, 'transformer.ln_f'));
  }
  // ort: each sub-layer's residual add (+ bias) is fused with the LayerNorm that follows it.
  let h = layerNorm(g, x, ln(c, lnName(0)));
  subs.forEach((s, i) => {
    const o = sublayer(c, i, s, h);
    [h, x] = skipLayerNorm(g, o.y, x, ln(c, lnName(i + 1)), o.bias || undefined, true) as [string, string];
  });
  return lastPos(h);
}

export function buildBrainformer(cfg: BrainformerConfig, opts: ExportOptions, extras: BuildExtras = {}): ExportedModel {
  assertStructure(cfg);
  const pass = passShapes(opts, extras, cfg.n_positions);
  const g = new GraphBuilder(`brainformer_${opts.form}_${opts.mode}`);
  const d = cfg.d_model;
  const c: Ctx = { g, w: new WeightSource(g, opts.seed, extras.weightScale ?? 1), d, form: opts.form, ...pass };
  const { B, S, P } = c;
  const ids = g.input('input_ids', 'int64', [B, S]);
  const wte = c.w.get('transformer.wte.weight', [cfg.vocab_size, d], 'normal');
  const wpe = c.w.get('transformer.wpe.weight', [cfg.n_positions, d], 'normal');
  const positions = g.constI64(Array.from({ length: S }, (_, t) => P + t), [S], 'positions');
  const x = g.node('Add', [g.node('Gather', [wte, ids]), g.node('Gather', [wpe, positions])]); // [B, S, d]
  const h = decoderStack(c, x, sublayers(cfg));
  g.output(g.node('Gemm', [h, wte], { transB: 1 }), 'logits', 'float32', [B, cfg.vocab_size]); // tied output layer
  const model = g.build(extras.protoLimitBytes);
  const rank = (n: string): number => (n === 'input_ids' || n === 'logits' ? 0 : 1);
  return {
    ...model,
    inputs: [...model.inputs].sort((a, b) => rank(a.name) - rank(b.name)),
    outputs: [...model.outputs].sort((a, b) => rank(a.name) - rank(b.name)),
  };
}

/**
 * One sub-layer alone as a model: `x` [batch, seq, d] in, `y` = sublayer(x) (bias included) out, no
 * LayerNorm, embedding or output layer. For benchmarks of a single MoE or FFN and for routing tests.
 */
export function buildSublayer(s: Sublayer, d: number, opts: ExportOptions, extras: BuildExtras = {}): ExportedModel {
  const { batch: B, seq: S } = opts.shapes;
  const g = new GraphBuilder(`brainformer_${s.kind}_${opts.form}`);
  const c: Ctx = { g, w: new WeightSource(g, opts.seed, extras.weightScale ?? 1), d, form: opts.form, B, S, P: 0, decode: false, presentState: false };
  const o = sublayer(c, 0, s, g.input('x', 'float32', [B, S, d]));
  g.output(o.bias ? g.node('Add', [o.y, o.bias]) : o.y, 'y', 'float32', [B, S, d]);
  return g.build(extras.protoLimitBytes);
}
