import { describe, expect, it } from 'vitest';
import onnxProto from 'onnx-proto';
import type { BrainformerConfig } from '../../../src/families/brainformer/config.js';
import { buildBrainformer, buildSublayer } from '../../../src/families/brainformer/graph.js';
import { Params, gelu, linearT } from '../../export/reference.js';
import type { GraphForm } from '../../../src/export/types.js';
import { concat, idsFeed, maxAbsDiff, runModel, type Feeds } from '../../export/run.js';
import { brainformerReference, topK } from './reference.js';

const SEED = 5;
const SCALE = 5; // std 0.1 matrices: mistakes show well above float32 noise
const TOL = 1e-4;
const FORMS: GraphForm[] = ['ort', 'standard'];

const base = { family: 'brainformer' as const, d_model: 24, vocab_size: 61, n_positions: 16 };
const CONFIGS: Record<string, BrainformerConfig> = {
  // Several MoE sub-layers of different expert counts, top-1 and top-2, both activations, stacked twice.
  mixed: {
    ...base, stack: 2, layout: [
      { kind: 'attn', n_head: 2 },
      { kind: 'moe', experts: 4, top_k: 2, d_inner: 48, act: 'gelu' },
      { kind: 'ffn', d_inner: 40, act: 'relu2' },
      { kind: 'attn', n_head: 4 },
      { kind: 'moe', experts: 8, top_k: 1, d_inner: 44, act: 'relu2' },
    ],
  },
  // 16 experts, top-1, over 14 tokens: some experts get none, some several.
  sparse: {
    ...base, stack: 1, layout: [
      { kind: 'moe', experts: 16, top_k: 1, d_inner: 40, act: 'gelu' },
      { kind: 'attn', n_head: 3 },
      { kind: 'moe', experts: 32, top_k: 2, d_inner: 36, act: 'gelu' },
      { kind: 'ffn', d_inner: 50, act: 'gelu' },
    ],
  },
};

const IDS = [
  [3, 59, 17, 22, 40, 8, 33],
  [0, 49, 60, 21, 35, 19, 50],
];

const shapes = (seq: number, context = 0) => ({ batch: IDS.length, seq, mem_len: 0, context });

describe('Brainformer prefill graphs', () => {
  for (const [label, cfg] of Object.entries(CONFIGS)) {
    it(`${label}: ort, standard and the reference agree`, async () => {
      const ref = brainformerReference(cfg, SEED, SCALE, IDS);
      for (const form of FORMS) {
        const model = buildBrainformer(cfg, { form, mode: 'prefill', shapes: shapes(7), seed: SEED }, { weightScale: SCALE });
        const out = await runModel(model, { input_ids: idsFeed(IDS) });
        expect(maxAbsDiff(out.logits!, concat(ref.logits)), form).toBeLessThan(TOL);
      }
    });
  }

  it('the routing is uneven: some experts get no token, some several', () => {
    const load = brainformerReference(CONFIGS.sparse!, SEED, SCALE, IDS).load.get(0)!;
    expect(load.reduce((a, b) => a + b)).toBe(14);
    expect(Math.min(...load)).toBe(0);
    expect(Math.max(...load)).toBeGreaterThan(1);
  });

  it('a wrong token changes the logits (the comparison can fail)', async () => {
    const cfg = CONFIGS.mixed!;
    const ref = concat(brainformerReference(cfg, SEED, SCALE, IDS).logits);
    const moved = IDS.map((r) => [r[0]! + 1, ...r.slice(1)]);
    const model = buildBrainformer(cfg, { form: 'standard', mode: 'prefill', shapes: shapes(7), seed: SEED }, { weightScale: SCALE });
    const out = await runModel(model, { input_ids: idsFeed(moved) });
    expect(maxAbsDiff(out.logits!, ref)).toBeGreaterThan(100 * TOL);
  });
});

describe('Brainformer decode graphs', () => {
  const N = 7;
  for (const [label, cfg] of Object.entries(CONFIGS)) {
    it(`${label}: N-1 cached positions + 1 decode step = prefill of N`, async () => {
      const full = concat(brainformerReference(cfg, SEED, SCALE, IDS).logits);
      const past = brainformerReference(cfg, SEED, SCALE, IDS.map((r) => r.slice(0, N - 1)));
      for (const form of FORMS) {
        const model = buildBrainformer(cfg, { form, mode: 'decode', shapes: shapes(1, N - 1), seed: SEED }, { weightScale: SCALE });
        const feeds: Feeds = { input_ids: idsFeed(IDS.map((r) => [r[N - 1]!])) };
        for (const spec of model.inputs.filter((s) => s.name.startsWith('past_key_values.'))) {
          const [, i, kv] = spec.name.split('.');
          const src = (kv === 'key' ? past.keys : past.values).get(Number(i))!;
          feeds[spec.name] = { data: Float32Array.from(concat(src)), dims: spec.dims };
        }
        expect(Object.keys(feeds).length, 'one cache pair per attention sub-layer').toBe(1 + 2 * cfg.stack * cfg.layout.filter((s) => s.kind === 'attn').length);
        const out = await runModel(model, feeds);
        expect(maxAbsDiff(out.logits!, full), form).toBeLessThan(TOL);
      }
    });

    it(`${label}: a prefill graph's present state continues in the decode graph`, async () => {
      const full = concat(brainformerReference(cfg, SEED, SCALE, IDS).logits);
      for (const form of FORMS) {
        const opts = { form, seed: SEED };
        const pre = buildBrainformer(cfg, { ...opts, mode: 'prefill', shapes: shapes(N - 1) }, { weightScale: SCALE, presentState: true });
        const state = await runModel(pre, { input_ids: idsFeed(IDS.map((r) => r.slice(0, N - 1))) });
        const dec = buildBrainformer(cfg, { ...opts, mode: 'decode', shapes: shapes(1, N - 1) }, { weightScale: SCALE });
        const feeds: Feeds = { input_ids: idsFeed(IDS.map((r) => [r[N - 1]!])) };
        for (const spec of dec.inputs.slice(1)) feeds[spec.name] = { data: state[spec.name.replace('past_key_values', 'present')]!, dims: spec.dims };
        const out = await runModel(dec, feeds);
        expect(maxAbsDiff(out.logits!, full), form).toBeLessThan(TOL);
      }
    });
  }
});

describe('what each form contains', () => {
  const ops = (bytes: Uint8Array) => onnxProto.onnx.ModelProto.decode(bytes).graph!.node!.map((n) => `${n.domain || 'ai.onnx'}:${n.opType}`);
  const cfg = CONFIGS.mixed!;
  it('ort uses com.microsoft.MoE for GELU experts; standard is ai.onnx only and dispatches sparsely', () => {
    const ort = ops(buildBrainformer(cfg, { form: 'ort', mode: 'prefill', shapes: shapes(7), seed: 1 }).bytes);
    expect(ort.filter((o) => o === 'com.microsoft:MoE')).toHaveLength(2); // the GELU MoE sub-layer, twice stacked
    const std = ops(buildBrainformer(cfg, { form: 'standard', mode: 'prefill', shapes: shapes(7), seed: 1 }).bytes);
    expect(std.every((o) => o.startsWith('ai.onnx:'))).toBe(true);
    // One gather / FFN / scatter per expert: (4 + 8) experts x 2 stacked blocks.
    expect(std.filter((o) => o === 'ai.onnx:ScatterND')).toHaveLength(24);
    expect(std.filter((o) => o === 'ai.onnx:NonZero')).toHaveLength(24);
  });

  it('a structurally invalid layout is refused with the rule', () => {
    const bad = { ...cfg, layout: cfg.layout.filter((s) => s.kind !== 'attn') };
    expect(() => buildBrainformer(bad, { form: 'ort', mode: 'prefill', shapes: shapes(7), seed: 1 })).toThrow(/at least one attn/);
  });
});

describe('routing ties', () => {
  it('equal router probabilities go to the higher expert indices, in both forms', async () => {
    // A zero input gives zero router logits: every expert ties. Expected: experts 7 and 6, weight 1/2 each.
    const d = 8;
    const f = 20;
    const m = { kind: 'moe' as const, experts: 8, top_k: 2, d_inner: f, act: 'gelu' as const };
    expect(topK([0.25, 0.25, 0.25, 0.25], 2)).toEqual([3, 2]);
    const p = new Params(SEED, SCALE);
    const b1 = p.get('transformer.h.0.moe.fc1.bias', 'bias', 8 * f);
    const fc2 = p.get('transformer.h.0.moe.fc2.weight', 'normal', 8 * d * f);
    const b2 = p.get('transformer.h.0.moe.fc2.bias', 'bias', 8 * d);
    const want = new Float64Array(d);
    for (const e of [7, 6]) {
      const a = Float64Array.from({ length: f }, (_, r) => gelu(b1[e * f + r]!));
      linearT(a, fc2, d, e * d).forEach((v, j) => (want[j] += 0.5 * (v + b2[e * d + j]!)));
    }
    for (const form of FORMS) {
      const model = buildSublayer(m, d, { form, mode: 'prefill', shapes: { batch: 1, seq: 3, mem_len: 0, context: 0 }, seed: SEED }, { weightScale: SCALE });
      const out = await runModel(model, { x: { data: new Float32Array(3 * d), dims: [1, 3, d] } });
      expect(maxAbsDiff(out.y!.subarray(0, d), want), form).toBeLessThan(1e-5);
    }
  });
});
