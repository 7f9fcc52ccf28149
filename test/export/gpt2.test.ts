import { describe, expect, it } from 'vitest';
import onnxProto from 'onnx-proto';
import { exportModel } from '../../src/export/index.js';
import type { GraphForm } from '../../src/export/types.js';
import { totalParams } from '../../src/proxy/index.js';
import type { ArchConfig } from '../../src/space/types.js';
import { referenceForward } from './reference.js';
import { concat, idsFeed, maxAbsDiff, runModel, type Feeds } from './run.js';

const SEED = 11;
const SCALE = 5; // std 0.1 matrices: mistakes show well above float32 noise
const TOL = 1e-4;
const FORMS: GraphForm[] = ['ort', 'standard'];

const gpt2: ArchConfig = {
  family: 'gpt2', n_layer: 3, d_model: 24, d_inner: [50, 40, 64], n_head: [1, 2, 4], div_val: 0, d_embed: 24,
  vocab_size: 61, cutoffs: [], n_positions: 16,
};
const CONFIGS: Record<string, ArchConfig> = {
  'gpt2 tied': gpt2,
  'gpt2 adaptive div_val 2, 3 tail clusters': { ...gpt2, div_val: 2, cutoffs: [20, 35, 50] },
  'gpt2 adaptive div_val 1, d_embed != d_model': { ...gpt2, div_val: 1, d_embed: 16, cutoffs: [30, 45] },
  'primer-ez': { ...gpt2, family: 'primer', n_head: [2, 4, 1], primer_square: true, primer_conv: true },
  'primer square only': { ...gpt2, family: 'primer', primer_square: true, primer_conv: false },
  // a = heads * floor(d / heads) < d_model, as the proxy counts it
  'gpt2 heads not dividing d_model': { ...gpt2, n_head: [5, 7, 2], div_val: 0 },
  'primer conv only': { ...gpt2, family: 'primer', n_head: [4, 1, 2], primer_square: false, primer_conv: true },
};

const IDS = [
  [3, 59, 17, 22, 40, 8, 33],
  [0, 49, 60, 21, 35, 19, 50],
];

function shapes(seq: number, context = 0) {
  return { batch: IDS.length, seq, mem_len: 0, context };
}

describe('GPT-2 / Primer prefill graphs', () => {
  for (const [label, cfg] of Object.entries(CONFIGS)) {
    it(`${label}: ort, standard and the reference agree`, async () => {
      const ref = concat(referenceForward(cfg, SEED, SCALE, IDS).logits);
      for (const form of FORMS) {
        const model = exportModel(cfg, { form, mode: 'prefill', shapes: shapes(7), seed: SEED }, { weightScale: SCALE });
        expect(model.outputs[0]).toEqual({ name: 'logits', type: 'float32', dims: [2, cfg.vocab_size] });
        const out = await runModel(model, { input_ids: idsFeed(IDS) });
        expect(maxAbsDiff(out.logits!, ref), form).toBeLessThan(TOL);
      }
    });
  }

  it('a wrong token changes the logits (the comparison can fail)', async () => {
    const ref = concat(referenceForward(gpt2, SEED, SCALE, IDS).logits);
    const moved = IDS.map((r) => [r[0]! + 1, ...r.slice(1)]);
    const model = exportModel(gpt2, { form: 'ort', mode: 'prefill', shapes: shapes(7), seed: SEED }, { weightScale: SCALE });
    const out = await runModel(model, { input_ids: idsFeed(moved) });
    expect(maxAbsDiff(out.logits!, ref)).toBeGreaterThan(100 * TOL);
  });
});

describe('causality, independent of the reference', () => {
  // Changing the last token must leave every earlier position's keys and values as they were (a conv
  // padded on the wrong side, or a mask off by one, would leak the future into them) and change its own.
  for (const label of ['gpt2 tied', 'primer-ez']) {
    it(`${label}: keys and values of positions before t do not depend on token t`, async () => {
      const cfg = CONFIGS[label]!;
      const moved = IDS.map((r) => [...r.slice(0, -1), (r[r.length - 1]! + 1) % cfg.vocab_size]);
      for (const form of FORMS) {
        const model = exportModel(cfg, { form, mode: 'prefill', shapes: shapes(7), seed: SEED }, { weightScale: SCALE, presentState: true });
        const [a, b] = [await runModel(model, { input_ids: idsFeed(IDS) }), await runModel(model, { input_ids: idsFeed(moved) })];
        for (let i = 0; i < cfg.n_layer; i++) for (const kv of ['key', 'value']) {
          const [x, y] = [a[`present.${i}.${kv}`]!, b[`present.${i}.${kv}`]!]; // [B, H, T, hd]
          const hd = Math.floor(cfg.d_model / cfg.n_head[i]!);
          const rows = (t: Float32Array, last: boolean) => Array.from(t).filter((_, j) => (Math.floor(j / hd) % 7 === 6) === last);
          expect(maxAbsDiff(rows(x, false), rows(y, false)), `${form} ${kv} ${i}`).toBeLessThan(1e-6);
          expect(maxAbsDiff(rows(x, true), rows(y, true)), `${form} ${kv} ${i}`).toBeGreaterThan(100 * TOL);
        }
      }
    });
  }
});

/** Decode feeds for N-1 cached positions from the reference forward pass of the prefix. */
function referenceState(cfg: ArchConfig, prefix: number[][]): Feeds {
  const r = referenceForward(cfg, SEED, SCALE, prefix);
  const feeds: Feeds = {};
  const T = prefix[0]!.length;
  for (let i = 0; i < cfg.n_layer; i++) {
    const H = cfg.n_head[i]!;
    const hd = Math.floor(cfg.d_model / H);
    const a = H * hd;
    feeds[`past_key_values.${i}.key`] = { data: Float32Array.from(concat(r.keys[i]!)), dims: [prefix.length, H, T, hd] };
    feeds[`past_key_values.${i}.value`] = { data: Float32Array.from(concat(r.values[i]!)), dims: [prefix.length, H, T, hd] };
    if (cfg.family === 'primer' && cfg.primer_conv) {
      ['q', 'k', 'v'].forEach((p, j) => {
        const data = new Float32Array(prefix.length * 2 * a);
        r.preconv[i]!.forEach((rows, b) => {
          for (let s = 0; s < 2; s++) for (let c = 0; c < a; c++) data[(b * 2 + s) * a + c] = rows[(T - 2 + s) * 3 * a + j * a + c]!;
        });
        feeds[`past_conv.${i}.${p}`] = { data, dims: [prefix.length, 2, a] };
      });
    }
  }
  return feeds;
}

describe('decode graphs', () => {
  const N = 7;
  const prefix = IDS.map((r) => r.slice(0, N - 1));
  const last = IDS.map((r) => [r[N - 1]!]);
  const decodeCases = ['gpt2 tied', 'gpt2 adaptive div_val 2, 3 tail clusters', 'primer-ez', 'primer conv only'];
  for (const label of decodeCases) {
    const cfg = CONFIGS[label]!;
    it(`${label}: N-1 cached positions + 1 decode step = prefill of N (cache from the reference)`, async () => {
      const full = referenceForward(cfg, SEED, SCALE, IDS);
      const state = referenceState(cfg, prefix);
      for (const form of FORMS) {
        const model = exportModel(cfg, { form, mode: 'decode', shapes: shapes(7, N - 1), seed: SEED }, { weightScale: SCALE });
        expect(model.inputs.map((s) => s.name).sort()).toEqual(['input_ids', ...Object.keys(state)].sort());
        const out = await runModel(model, { input_ids: idsFeed(last), ...state });
        expect(maxAbsDiff(out.logits!, concat(full.logits)), form).toBeLessThan(TOL);
        for (let i = 0; i < cfg.n_layer; i++) {
          expect(maxAbsDiff(out[`present.${i}.key`]!, concat(full.keys[i]!)), `${form} key ${i}`).toBeLessThan(TOL);
          expect(maxAbsDiff(out[`present.${i}.value`]!, concat(full.values[i]!)), `${form} value ${i}`).toBeLessThan(TOL);
        }
      }
    });

    it(`${label}: a prefill graph's present state continues in the decode graph`, async () => {
      for (const form of FORMS) {
        const opts = { form, seed: SEED };
        const pre = exportModel(cfg, { ...opts, mode: 'prefill', shapes: shapes(N - 1) }, { weightScale: SCALE, presentState: true });
        const state = await runModel(pre, { input_ids: idsFeed(prefix) });
        const dec = exportModel(cfg, { ...opts, mode: 'decode', shapes: shapes(N, N - 1) }, { weightScale: SCALE });
        const feeds: Feeds = { input_ids: idsFeed(last) };
        for (const s of dec.inputs) {
          if (s.name === 'input_ids') continue;
          const from = s.name.replace('past_key_values.', 'present.').replace('past_conv.', 'present_conv.');
          feeds[s.name] = { data: state[from]!, dims: s.dims };
        }
        const step = await runModel(dec, feeds);
        const fullModel = exportModel(cfg, { ...opts, mode: 'prefill', shapes: shapes(N) }, { weightScale: SCALE });
        const full = await runModel(fullModel, { input_ids: idsFeed(IDS) });
        expect(maxAbsDiff(step.logits!, full.logits!), form).toBeLessThan(TOL);
      }
    });
  }
});

function initializers(bytes: Uint8Array) {
  const m = onnxProto.onnx.ModelProto.decode(bytes);
  return m.graph!.initializer!.map((t) => ({ name: t.name!, size: (t.dims ?? []).reduce<number>((a, b) => a * Number(b), 1) }));
}

describe('exported initializers', () => {
  const isParam = (n: string) => n.startsWith('transformer.') || n.startsWith('crit.');
  for (const [label, cfg] of Object.entries(CONFIGS)) {
    it(`${label}: HF-named parameters add up to totalParams; everything else is a small graph constant`, () => {
      for (const form of FORMS) for (const mode of ['prefill', 'decode'] as const) {
        const inits = initializers(exportModel(cfg, { form, mode, shapes: shapes(7, 5), seed: SEED }).bytes);
        const params = inits.filter((t) => isParam(t.name));
        expect(params.reduce((s, t) => s + t.size, 0), `${form} ${mode}`).toBe(totalParams(cfg));
        for (const t of inits.filter((t) => !isParam(t.name))) {
          expect(t.name).toMatch(/^[a-z0-9_]+_\d+$/);
          expect(t.size).toBeLessThanOrEqual(7 * 7);
        }
      }
    });
  }

  it('gpt2: exactly the Hugging Face GPT-2 state-dict names (lm_head tied to wte)', () => {
    const names = initializers(exportModel(gpt2, { form: 'ort', mode: 'prefill', shapes: shapes(7), seed: SEED }).bytes)
      .map((t) => t.name).filter(isParam).sort();
    const expected = ['transformer.wte.weight', 'transformer.wpe.weight', 'transformer.ln_f.weight', 'transformer.ln_f.bias'];
    for (let i = 0; i < gpt2.n_layer; i++) {
      for (const m of ['ln_1', 'attn.c_attn', 'attn.c_proj', 'ln_2', 'mlp.c_fc', 'mlp.c_proj']) {
        expected.push(`transformer.h.${i}.${m}.weight`, `transformer.h.${i}.${m}.bias`);
      }
    }
    expect(names).toEqual(expected.sort());
  });

  it('primer conv weights are named per projection, [a, 1, 3]', () => {
    const cfg = CONFIGS['primer-ez']!;
    const inits = initializers(exportModel(cfg, { form: 'standard', mode: 'prefill', shapes: shapes(7), seed: SEED }).bytes);
    for (const p of ['q', 'k', 'v']) expect(inits.find((t) => t.name === `transformer.h.0.attn.${p}_dconv.weight`)?.size).toBe(24 * 3);
  });

  it('weights are deterministic from the seed', () => {
    const opts = { form: 'ort' as const, mode: 'prefill' as const, shapes: shapes(7) };
    const a = exportModel(gpt2, { ...opts, seed: 3 }).bytes;
    expect(Buffer.from(exportModel(gpt2, { ...opts, seed: 3 }).bytes).equals(Buffer.from(a))).toBe(true);
    expect(Buffer.from(exportModel(gpt2, { ...opts, seed: 4 }).bytes).equals(Buffer.from(a))).toBe(false);
  });
});

describe('graph forms', () => {
  const ops = (bytes: Uint8Array) => onnxProto.onnx.ModelProto.decode(bytes).graph!.node!.map((n) => `${n.domain || 'ai.onnx'}:${n.opType}`);
  it('ort uses the fused com.microsoft ops; standard uses ai.onnx only', () => {
    const o = (cfg: ArchConfig, form: GraphForm, mode: 'prefill' | 'decode' = 'prefill') =>
      new Set(ops(exportModel(cfg, { form, mode, shapes: shapes(7, 5), seed: 1 }).bytes));
    const gp = o(gpt2, 'ort');
    for (const op of ['Attention', 'SkipLayerNormalization', 'FastGelu']) expect(gp.has(`com.microsoft:${op}`), op).toBe(true);
    expect(o(gpt2, 'ort', 'decode').has('com.microsoft:MultiHeadAttention')).toBe(true);
    const pr = o(CONFIGS['primer-ez']!, 'ort');
    expect(pr.has('com.microsoft:MultiHeadAttention')).toBe(true);
    expect(pr.has('ai.onnx:Conv')).toBe(true);
    for (const cfg of Object.values(CONFIGS)) for (const mode of ['prefill', 'decode'] as const) {
      expect([...o(cfg, 'standard', mode)].filter((n) => !n.startsWith('ai.onnx:'))).toEqual([]);
    }
  });
});

describe('graph constants', () => {
  it('standard prefill: one causal mask for all layers, not one per layer', () => {
    const inits = initializers(exportModel(gpt2, { form: 'standard', mode: 'prefill', shapes: shapes(7), seed: SEED }).bytes);
    expect(inits.filter((t) => t.name.startsWith('causal_mask')).map((t) => t.size)).toEqual([7 * 7]);
  });
});

describe('external data', () => {
  it('weights past the protobuf limit go to external data and the model still runs the same', async () => {
    const opts = { form: 'ort' as const, mode: 'prefill' as const, shapes: shapes(7), seed: SEED };
    const inline = exportModel(gpt2, opts, { weightScale: SCALE });
    const split = exportModel(gpt2, opts, { weightScale: SCALE, protoLimitBytes: 8 * 1024 });
    expect(inline.externalData).toEqual([]);
    expect(split.externalData.length).toBeGreaterThan(0);
    expect(split.bytes.length).toBeLessThan(inline.bytes.length);
    const a = await runModel(inline, { input_ids: idsFeed(IDS) });
    const b = await runModel(split, { input_ids: idsFeed(IDS) });
    expect(maxAbsDiff(a.logits!, b.logits!)).toBe(0);
  });
});

describe('bad input', () => {
  it('rejects shapes past n_positions and unknown families', () => {
    expect(() => exportModel(gpt2, { form: 'ort', mode: 'prefill', shapes: shapes(17), seed: 1 })).toThrow(/n_positions/);
    expect(() => exportModel(gpt2, { form: 'ort', mode: 'decode', shapes: shapes(1, 16), seed: 1 })).toThrow(/n_positions/);
  });
});
