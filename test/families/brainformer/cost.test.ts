// Brainformer's cost features: the same named vector as the per-layer families, counting what its graphs
// run (routed experts only, every expert resident, the dispatch's nodes), and enough for the cost model.
import onnxProto from 'onnx-proto';
import { describe, expect, it } from 'vitest';
import { costFeatures, FEATURE_NAMES, fitPredictor, type CostSetting } from '../../../src/cost/index.js';
import type { BrainformerConfig, MoeSublayer } from '../../../src/families/brainformer/config.js';
import { buildBrainformer } from '../../../src/families/brainformer/graph.js';
import type { GraphForm } from '../../../src/export/types.js';
import type { Metric } from '../../../src/profile/types.js';
import { getSpace, parseConfig, Rng } from '../../../src/space/index.js';

const METRICS: Metric[] = ['latency', 'decode', 'memory'];
const FORMS: GraphForm[] = ['ort', 'standard'];
const shapes = { batch: 1, seq: 192, mem_len: 192, context: 192 };
const at = (graph: GraphForm): CostSetting => ({ shapes, graph });

const moe = (over: Partial<MoeSublayer> = {}): MoeSublayer => ({ kind: 'moe', experts: 8, top_k: 1, d_inner: 512, act: 'gelu', ...over });
const cfgWith = (m: MoeSublayer, over: Partial<BrainformerConfig> = {}): BrainformerConfig =>
  parseConfig({ family: 'brainformer', d_model: 256, stack: 2, layout: [{ kind: 'attn', n_head: 4 }, m, { kind: 'ffn', d_inner: 1024, act: 'relu2' }], ...over }) as BrainformerConfig;

const named = (cfg: BrainformerConfig, metric: Metric, graph: GraphForm = 'ort'): Record<string, number> =>
  Object.fromEntries(FEATURE_NAMES[metric].map((n, i) => [n, costFeatures(cfg, at(graph), metric)![i]!]));

describe('Brainformer cost features', () => {
  it('fill every metric\'s vector with finite, non-negative counts, in both graph forms', () => {
    const rng = new Rng(9);
    const space = getSpace('brainformer');
    for (let i = 0; i < 20; i++) {
      const cfg = space.sample(rng);
      for (const graph of FORMS) {
        for (const metric of METRICS) {
          const v = costFeatures(cfg, at(graph), metric);
          expect(v).toHaveLength(FEATURE_NAMES[metric].length);
          expect(v!.every((x) => Number.isFinite(x) && x >= 0), `${metric} ${graph}`).toBe(true);
        }
      }
    }
  });

  it('grow with the model: a wider expert, a deeper stack', () => {
    const base = cfgWith(moe());
    for (const bigger of [cfgWith(moe({ d_inner: 1024 })), cfgWith(moe(), { stack: 3 })]) {
      expect(named(bigger, 'latency').linear_flops).toBeGreaterThan(named(base, 'latency').linear_flops!);
      expect(named(bigger, 'latency').act_elems).toBeGreaterThan(named(base, 'latency').act_elems!);
      expect(named(bigger, 'decode').weight_bytes).toBeGreaterThan(named(base, 'decode').weight_bytes!);
      expect(named(bigger, 'memory').param_bytes).toBeGreaterThan(named(base, 'memory').param_bytes!);
    }
    expect(named(cfgWith(moe(), { stack: 3 }), 'latency').layers).toBeGreaterThan(named(base, 'latency').layers!);
  });

  it('more experts at top-1: every expert resident, but only the router\'s FLOPs grow', () => {
    const [few, many] = [cfgWith(moe({ experts: 4 })), cfgWith(moe({ experts: 32 }))];
    const tokens = 192;
    const d = 256;
    const stack = 2;
    // 28 more experts of 2 d f weights each, resident in both stacked copies.
    expect(named(many, 'memory').param_bytes! - named(few, 'memory').param_bytes!).toBe(4 * stack * (28 * (2 * d * 512 + 512 + d) + 28 * d));
    // Executed matmuls: the router's d x E grows, the experts' tokens x k x 2 d f does not.
    expect(named(many, 'latency').linear_flops! - named(few, 'latency').linear_flops!).toBe(2 * tokens * stack * d * 28);
    // One decode step reads the router and the one expert its token chose.
    expect(named(many, 'decode').weight_bytes! - named(few, 'decode').weight_bytes!).toBe(4 * stack * d * 28);
  });

  it('a higher top-k runs k experts per token', () => {
    const [k1, k2] = [cfgWith(moe({ top_k: 1 })), cfgWith(moe({ top_k: 2 }))];
    expect(named(k2, 'latency').linear_flops! - named(k1, 'latency').linear_flops!).toBe(2 * 192 * 2 * (2 * 256 * 512));
    expect(named(k2, 'decode').weight_bytes! - named(k1, 'decode').weight_bytes!).toBe(4 * 2 * (2 * 256 * 512));
    expect(named(k2, 'latency').act_elems).toBeGreaterThan(named(k1, 'latency').act_elems!);
  });

  it('count attention like the per-layer families: a GPT-2 layer\'s attention and FFN give the same terms', () => {
    const bf = parseConfig({ family: 'brainformer', d_model: 256, stack: 1, layout: [{ kind: 'attn', n_head: 4 }, { kind: 'ffn', d_inner: 1024, act: 'gelu' }, { kind: 'attn', n_head: 8 }, { kind: 'ffn', d_inner: 512, act: 'gelu' }] });
    const gpt2 = parseConfig({ family: 'gpt2', n_layer: 2, d_model: 256, d_inner: [1024, 512], n_head: [4, 8], div_val: 0 });
    for (const metric of ['latency', 'decode'] as const) {
      for (const name of ['linear_flops', 'attn_flops', 'attn_elems', 'act_elems', 'layers', 'output_flops', 'weight_bytes', 'cache_bytes']) {
        const g = Object.fromEntries(FEATURE_NAMES[metric].map((n, i) => [n, costFeatures(gpt2, at('ort'), metric)![i]!]));
        if (name in g) expect(named(bf as BrainformerConfig, metric)[name], `${metric} ${name}`).toBe(g[name]);
      }
    }
  });

  it('count layers as the nodes the graphs run, in units of an attention + FFN pair', () => {
    const nodes = (cfg: BrainformerConfig, form: GraphForm, mode: 'prefill' | 'decode') =>
      onnxProto.onnx.ModelProto.decode(buildBrainformer(cfg, { form, mode, shapes: { batch: 2, seq: 7, mem_len: 0, context: 5 }, seed: 1 }).bytes).graph!.node!.length;
    const tiny = { family: 'brainformer' as const, d_model: 24, vocab_size: 61, n_positions: 16 };
    const pair = (stack: number): BrainformerConfig => ({ ...tiny, stack, layout: [{ kind: 'attn', n_head: 2 }, { kind: 'ffn', d_inner: 48, act: 'gelu' }, { kind: 'attn', n_head: 4 }] });
    const mixed: BrainformerConfig = {
      ...tiny, stack: 2, layout: [
        { kind: 'attn', n_head: 2 }, moe({ experts: 4, top_k: 2, d_inner: 48 }), { kind: 'ffn', d_inner: 40, act: 'relu2' },
        { kind: 'attn', n_head: 4 }, moe({ experts: 8, top_k: 1, d_inner: 44, act: 'relu2' }),
      ],
    };
    for (const form of FORMS) {
      for (const mode of ['prefill', 'decode'] as const) {
        const metric = mode === 'decode' ? 'decode' : 'latency';
        const layers = (cfg: BrainformerConfig) => named(cfg, metric, form).layers!;
        // Two graphs give a layer's nodes and the fixed rest (embedding, output layer).
        const unit = (nodes(pair(2), form, mode) - nodes(pair(1), form, mode)) / (layers(pair(2)) - layers(pair(1)));
        const fixed = nodes(pair(1), form, mode) - layers(pair(1)) * unit;
        expect(fixed, `${form} ${mode}`).toBeGreaterThan(0);
        expect(fixed + layers(mixed) * unit, `${form} ${mode}`).toBeCloseTo(nodes(mixed, form, mode), 6);
      }
    }
    // ort's MoE kernel is one node whatever the expert count; the standard form dispatches every expert.
    const [few, many] = [cfgWith(moe({ experts: 4 })), cfgWith(moe({ experts: 32 }))];
    expect(named(many, 'latency', 'ort').layers).toBe(named(few, 'latency', 'ort').layers);
    expect(named(many, 'latency', 'standard').layers! - named(few, 'latency', 'standard').layers!).toBeGreaterThan(5);
  });
});

describe('the cost model on Brainformer children', () => {
  it('predicts a Brainformer child once enough of them are measured', () => {
    const rng = new Rng(4);
    const space = getSpace('brainformer');
    // A synthetic device whose costs are known non-negative combinations of the features.
    const truth = (cfg: BrainformerConfig, metric: Metric): number => {
      const f = named(cfg, metric);
      if (metric === 'latency') return 2 + 1e-9 * f.linear_flops! + 2e-9 * f.attn_flops! + 1e-7 * f.act_elems! + 0.3 * f.layers! + 2e-8 * f.output_flops!;
      if (metric === 'decode') return 0.5 + 2e-9 * f.weight_bytes! + 1e-9 * f.cache_bytes! + 0.05 * f.layers! + 2e-8 * f.output_flops!;
      return 30 + f.param_bytes! / 2 ** 20 + f.act_bytes! / 2 ** 20;
    };
    const sample = (): BrainformerConfig => space.sample(rng) as BrainformerConfig;
    const measured = (n: number) => Array.from({ length: n }, () => {
      const config = sample();
      return { config, costs: METRICS.map((m) => truth(config, m)) };
    });
    const child = sample();
    expect(fitPredictor(measured(5), METRICS, at('ort')).predict(child)).toBeUndefined();
    const predictor = fitPredictor(measured(30), METRICS, at('ort'));
    const p = predictor.predict(child);
    expect(p).toHaveLength(3);
    METRICS.forEach((m, i) => {
      expect(p![i]!.low).toBeLessThanOrEqual(p![i]!.mean);
      expect(Math.abs(p![i]!.mean / truth(child, m) - 1), m).toBeLessThan(0.05);
    });
  });
});
