import { describe, expect, it } from 'vitest';
import * as ort from 'onnxruntime-node';
import onnxProto from 'onnx-proto';
import { exportModel } from '../../src/export/index.js';
import { buildTransfoXl, buildTransfoXlGraph, type TxlGraphShapes } from '../../src/families/transfo-xl/graph.js';
import type { ExportedModel, GraphForm } from '../../src/export/types.js';
import { totalParams } from '../../src/proxy/index.js';
import type { ArchConfig } from '../../src/space/types.js';
import { referenceTxl } from './reference-txl.js';

const TOL = 1e-4;
// Larger-than-default weights so that a wrong shift, mask or tie moves the outputs well above float noise.
const SCALE = 10;
const SEED = 7;

function txl(over: Partial<ArchConfig>): ArchConfig {
  return {
    family: 'transfo-xl',
    n_layer: 3,
    d_model: 24,
    d_inner: [40, 56, 32],
    n_head: [1, 2, 4],
    div_val: 2,
    d_embed: 24,
    vocab_size: 80,
    cutoffs: [20, 40, 60],
    n_positions: 0,
    ...over,
  };
}

// div_val 2, four clusters (widths 24, 12, 6, 3), heads {1, 2, 4}, mixed widths.
const CFG_DIV2 = txl({});
// div_val 1 with d_embed != d_model (one table, projections), heads whose head_dim differs.
const CFG_DIV1 = txl({ n_layer: 2, d_model: 20, d_embed: 16, div_val: 1, n_head: [2, 4], d_inner: [36, 28], vocab_size: 64, cutoffs: [16, 40] });
// Heads that do not divide d_model (18 / 4 -> head_dim 4, attention width 16), div_val 4.
// div_val 0: one plain table tied to the output layer, no adaptive softmax.
const CFG_PLAIN = txl({ n_layer: 2, d_model: 16, d_embed: 16, div_val: 0, n_head: [2, 1], d_inner: [24, 40], vocab_size: 60, cutoffs: [] });
const CFG_ODD = txl({ n_layer: 2, d_model: 18, d_embed: 18, div_val: 4, n_head: [4, 1], d_inner: [30, 44], vocab_size: 60, cutoffs: [10, 30] });

/** Deterministic stand-ins for token ids and memories (a small LCG; not the weights' generator). */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function makeIds(B: number, S: number, V: number, seed: number): number[][] {
  const r = lcg(seed);
  // Cover every cluster: the first tokens walk across the vocabulary, the rest are random.
  return Array.from({ length: B }, (_, b) => Array.from({ length: S }, (_, s) => (s < 3 ? Math.floor(((s + b * 3 + 0.5) / 6) * V) : Math.floor(r() * V))));
}

function makeMems(L: number, B: number, M: number, d: number, seed: number): number[][][][] {
  const r = lcg(seed);
  return Array.from({ length: L }, () => Array.from({ length: B }, () => Array.from({ length: M }, () => Array.from({ length: d }, () => 3 * r() - 1.5))));
}

function initializers(model: ExportedModel): Record<string, Float32Array> {
  const m = onnxProto.onnx.ModelProto.decode(model.bytes);
  const out: Record<string, Float32Array> = {};
  for (const t of m.graph!.initializer!) {
    if (t.dataType !== 1) continue;
    const raw = t.rawData!;
    out[t.name!] = new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
  }
  return out;
}

function paramNames(model: ExportedModel): string[] {
  return Object.keys(initializers(model)).filter((n) => n.startsWith('transformer.') || n.startsWith('crit.'));
}

async function run(model: ExportedModel, ids: number[][], mems: number[][][][]): Promise<Record<string, number[]>> {
  const session = await ort.InferenceSession.create(model.bytes, { intraOpNumThreads: 1, graphOptimizationLevel: 'all', externalData: model.externalData });
  const feeds: Record<string, ort.Tensor> = {
    input_ids: new ort.Tensor('int64', BigInt64Array.from(ids.flat().map(BigInt)), [ids.length, ids[0]!.length]),
  };
  mems.forEach((m, i) => {
    if (m[0]!.length > 0) feeds[`mems.${i}`] = new ort.Tensor('float32', Float32Array.from(m.flat(2)), [m.length, m[0]!.length, m[0]![0]!.length]);
  });
  const out = await session.run(feeds);
  await session.release();
  return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, Array.from(v.data as Float32Array)]));
}

function maxDiff(a: number[], b: number[]): number {
  expect(a.length).toBe(b.length);
  return a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0);
}

function graph(cfg: ArchConfig, form: GraphForm, shapes: TxlGraphShapes): ExportedModel {
  return buildTransfoXlGraph(cfg, { form, shapes, seed: SEED, weightScale: SCALE });
}

describe('Transformer-XL export agrees with the reference forward pass', () => {
  for (const [label, cfg] of [
    ['div_val 2, 4 clusters, heads {1,2,4}', CFG_DIV2],
    ['div_val 1 with projections', CFG_DIV1],
    ['heads not dividing d_model, div_val 4', CFG_ODD],
    ['div_val 0, plain tied embedding', CFG_PLAIN],
  ] as const) {
    it(`${label}: ort, standard and reference agree (logits and new_mems, memory 4)`, async () => {
      const shapes = { batch: 2, seq: 5, memLen: 4, memOut: 4 };
      const ids = makeIds(2, 5, cfg.vocab_size, 1);
      const mems = makeMems(cfg.n_layer, 2, 4, cfg.d_model, 2);
      const std = graph(cfg, 'standard', shapes);
      const ortForm = graph(cfg, 'ort', shapes);
      const ref = referenceTxl(cfg, initializers(std), ids, mems, 4);
      const [a, b] = [await run(std, ids, mems), await run(ortForm, ids, mems)];
      const refLogits = ref.logits.flat();
      expect(maxDiff(a.logits!, refLogits)).toBeLessThan(TOL);
      expect(maxDiff(b.logits!, refLogits)).toBeLessThan(TOL);
      for (let i = 0; i < cfg.n_layer; i++) {
        const refMem = ref.newMems[i]!.flat(2);
        expect(maxDiff(a[`new_mems.${i}`]!, refMem)).toBeLessThan(TOL);
        expect(maxDiff(b[`new_mems.${i}`]!, refMem)).toBeLessThan(TOL);
      }
      // Full-vocabulary log-probabilities: each row sums to 1.
      for (let r = 0; r < 2; r++) {
        const row = a.logits!.slice(r * cfg.vocab_size, (r + 1) * cfg.vocab_size);
        expect(Math.abs(row.reduce((s, v) => s + Math.exp(v), 0) - 1)).toBeLessThan(1e-4);
      }
    });
  }

  it('standard is plain opset 17; ort uses MultiHeadAttention and SkipLayerNormalization', () => {
    const shapes = { batch: 1, seq: 4, memLen: 3, memOut: 3 };
    const ops = (form: GraphForm) => {
      const m = onnxProto.onnx.ModelProto.decode(graph(CFG_DIV2, form, shapes).bytes);
      return { opsets: m.opsetImport!.map((o) => `${o.domain}:${o.version}`), ms: m.graph!.node!.filter((n) => n.domain === 'com.microsoft').map((n) => n.opType!) };
    };
    expect(ops('standard')).toEqual({ opsets: [':17'], ms: [] });
    const o = ops('ort');
    expect(o.ms.filter((t) => t === 'MultiHeadAttention')).toHaveLength(3);
    expect(o.ms.filter((t) => t === 'SkipLayerNormalization')).toHaveLength(6);
  });

  it('every ort fusion switch gives the same model', async () => {
    const shapes = { batch: 2, seq: 5, memLen: 4, memOut: 4 };
    const ids = makeIds(2, 5, CFG_DIV2.vocab_size, 21);
    const mems = makeMems(3, 2, 4, 24, 22);
    const ref = referenceTxl(CFG_DIV2, initializers(graph(CFG_DIV2, 'standard', shapes)), ids, mems, 4).logits.flat();
    for (const fusion of [{ mha: false }, { skipLayerNorm: false }, { shiftInMatMul: false }, { mha: false, shiftInMatMul: false }]) {
      const m = buildTransfoXlGraph(CFG_DIV2, { form: 'ort', shapes, seed: SEED, weightScale: SCALE, fusion });
      expect(maxDiff((await run(m, ids, mems)).logits!, ref)).toBeLessThan(TOL);
    }
  });

  it('the memory and the relative positions matter (the comparison can fail)', async () => {
    const shapes = { batch: 1, seq: 4, memLen: 3, memOut: 3 };
    const ids = makeIds(1, 4, CFG_DIV2.vocab_size, 3);
    const m = graph(CFG_DIV2, 'standard', shapes);
    const base = await run(m, ids, makeMems(3, 1, 3, 24, 4));
    const other = await run(m, ids, makeMems(3, 1, 3, 24, 5));
    expect(maxDiff(base.logits!, other.logits!)).toBeGreaterThan(100 * TOL);
    // Same tokens and memory, but a different head layout (so a different split of the positional term).
    const reshaped = { ...CFG_DIV2, n_head: [2, 2, 2] };
    const ref = referenceTxl(reshaped, initializers(graph(reshaped, 'standard', shapes)), ids, makeMems(3, 1, 3, 24, 4), 3);
    expect(maxDiff(base.logits!, ref.logits.flat())).toBeGreaterThan(100 * TOL);
  });
});

describe('Transformer-XL decode graph', () => {
  it('one decode step after N-1 prefilled tokens matches the full prefill of N tokens', async () => {
    const cfg = CFG_DIV2;
    const [B, N, M] = [2, 6, 3];
    const C = M + N - 1; // the decode cache holds the whole history, so the step is exact
    const ids = makeIds(B, N, cfg.vocab_size, 11);
    const mems = makeMems(cfg.n_layer, B, M, cfg.d_model, 12);
    for (const form of ['ort', 'standard'] as const) {
      const full = await run(graph(cfg, form, { batch: B, seq: N, memLen: M, memOut: C }), ids, mems);
      const prefix = await run(
        graph(cfg, form, { batch: B, seq: N - 1, memLen: M, memOut: C }),
        ids.map((r) => r.slice(0, N - 1)),
        mems,
      );
      const cache = Array.from({ length: cfg.n_layer }, (_, i) => {
        const flat = prefix[`new_mems.${i}`]!;
        return Array.from({ length: B }, (_, b) => Array.from({ length: C }, (_, t) => flat.slice((b * C + t) * cfg.d_model, (b * C + t + 1) * cfg.d_model)));
      });
      const decode = buildTransfoXl(cfg, { form, mode: 'decode', seed: SEED, shapes: { batch: B, seq: N, mem_len: M, context: C } }, { weightScale: SCALE });
      const step = await run(decode, ids.map((r) => [r[N - 1]!]), cache);
      expect(maxDiff(step.logits!, full.logits!)).toBeLessThan(TOL);
      for (let i = 0; i < cfg.n_layer; i++) expect(maxDiff(step[`new_mems.${i}`]!, full[`new_mems.${i}`]!)).toBeLessThan(TOL);
    }
  });

  it('exportModel dispatches transfo-xl here: prefill takes mem_len memory positions per layer', () => {
    const m = exportModel(CFG_DIV2, { form: 'standard', mode: 'prefill', seed: 1, shapes: { batch: 2, seq: 6, mem_len: 5, context: 9 } });
    expect(m.inputs.map((t) => `${t.name}:${t.dims.join('x')}`)).toEqual(['input_ids:2x6', 'mems.0:2x5x24', 'mems.1:2x5x24', 'mems.2:2x5x24']);
    expect(m.outputs.find((t) => t.name === 'new_mems.2')?.dims).toEqual([2, 5, 24]);
  });

  it('decode mode takes one token and a context-long memory per layer', () => {
    const m = buildTransfoXl(CFG_DIV2, { form: 'ort', mode: 'decode', seed: 1, shapes: { batch: 1, seq: 192, mem_len: 192, context: 7 } });
    expect(m.inputs).toEqual([
      { name: 'input_ids', type: 'int64', dims: [1, 1] },
      ...[0, 1, 2].map((i) => ({ name: `mems.${i}`, type: 'float32', dims: [1, 7, 24] })),
    ]);
    expect(m.outputs.map((o) => `${o.name}:${o.dims.join('x')}`).sort()).toEqual(['logits:1x80', 'new_mems.0:1x7x24', 'new_mems.1:1x7x24', 'new_mems.2:1x7x24']);
  });
});

describe('Transformer-XL initializers', () => {
  const prefill = (cfg: ArchConfig, seed = 1) =>
    buildTransfoXl(cfg, { form: 'standard', mode: 'prefill', seed, shapes: { batch: 1, seq: 4, mem_len: 3, context: 8 } });

  it('hold exactly totalParams(cfg) parameters', () => {
    for (const cfg of [CFG_DIV2, CFG_DIV1, CFG_ODD, CFG_PLAIN, txl({ div_val: 1, d_embed: 24 }), txl({ div_val: 2, cutoffs: [] })]) {
      const ws = initializers(prefill(cfg));
      const n = paramNames(prefill(cfg)).reduce((s, k) => s + ws[k]!.length, 0);
      expect(n).toBe(totalParams(cfg));
    }
  });

  it('follow the Hugging Face TransfoXL state-dict names (output layers tied to the embedding)', () => {
    const names = new Set(paramNames(prefill(CFG_DIV2)));
    const expected = [
      ...[0, 1, 2, 3].flatMap((k) => [`transformer.word_emb.emb_layers.${k}.weight`, `transformer.word_emb.emb_projs.${k}`, `crit.out_layers.${k}.bias`]),
      'crit.out_projs.0',
      'crit.cluster_weight',
      'crit.cluster_bias',
      ...[0, 1, 2].flatMap((i) =>
        [
          'dec_attn.qkv_net.weight',
          'dec_attn.r_net.weight',
          'dec_attn.o_net.weight',
          'dec_attn.layer_norm.weight',
          'dec_attn.layer_norm.bias',
          'dec_attn.r_w_bias',
          'dec_attn.r_r_bias',
          'pos_ff.CoreNet.0.weight',
          'pos_ff.CoreNet.0.bias',
          'pos_ff.CoreNet.3.weight',
          'pos_ff.CoreNet.3.bias',
          'pos_ff.layer_norm.weight',
          'pos_ff.layer_norm.bias',
        ].map((s) => `transformer.layers.${i}.${s}`),
      ),
    ];
    expect([...names].sort()).toEqual(expected.sort());
    const ws = initializers(prefill(CFG_DIV2));
    expect(ws['transformer.layers.2.dec_attn.qkv_net.weight']!.length).toBe(3 * 24 * 24);
    expect(ws['transformer.layers.1.dec_attn.r_w_bias']!.length).toBe(24);
    expect(ws['transformer.word_emb.emb_layers.3.weight']!.length).toBe(20 * 3);
  });

  it('are deterministic from the seed', () => {
    expect(Buffer.from(prefill(CFG_DIV2, 5).bytes).equals(Buffer.from(prefill(CFG_DIV2, 5).bytes))).toBe(true);
    const [a, b] = [initializers(prefill(CFG_DIV2, 5)), initializers(prefill(CFG_DIV2, 6))];
    expect(maxDiff(Array.from(a['transformer.layers.0.dec_attn.qkv_net.weight']!), Array.from(b['transformer.layers.0.dec_attn.qkv_net.weight']!))).toBeGreaterThan(0);
  });

  it('moves weights to external data past the protobuf limit and still runs the same', async () => {
    const opts = { form: 'ort', mode: 'prefill', seed: 3, shapes: { batch: 1, seq: 4, mem_len: 3, context: 8 } } as const;
    const inline = buildTransfoXl(CFG_DIV2, opts);
    const split = buildTransfoXl(CFG_DIV2, opts, { protoLimitBytes: 4096 });
    expect(inline.externalData).toEqual([]);
    expect(split.externalData.length).toBeGreaterThan(0);
    const ids = makeIds(1, 4, CFG_DIV2.vocab_size, 9);
    const mems = makeMems(3, 1, 3, 24, 10);
    const [a, b] = [await run(inline, ids, mems), await run(split, ids, mems)];
    expect(maxDiff(a.logits!, b.logits!)).toBe(0);
  });

  it('rejects configs it cannot build', () => {
    expect(() => prefill(txl({ d_model: 25, d_embed: 25 }))).toThrow(/even/);
    expect(() => prefill(txl({ cutoffs: [40, 20] }))).toThrow(/cutoffs/);
    expect(() => prefill({ ...CFG_DIV2, family: 'gpt2' })).toThrow(/family/);
  });
});
