import { describe, expect, it } from 'vitest';
import { costFeatures, FEATURE_NAMES } from '../../src/cost/index.js';
import { parseConfig } from '../../src/space/index.js';

const setting = { shapes: { batch: 1, seq: 192, mem_len: 192, context: 192 }, graph: 'ort' as const };
const named = (cfg: Parameters<typeof costFeatures>[0], metric: 'latency' | 'decode' | 'memory') =>
  Object.fromEntries(FEATURE_NAMES[metric].map((n, i) => [n, costFeatures(cfg, setting, metric)![i]!]));

describe('cost features', () => {
  const gpt2 = parseConfig({ family: 'gpt2', n_layer: 2, d_model: 256, d_inner: [1024, 512], n_head: [4, 8], div_val: 0 });

  it('count the prefill matmuls, attention and the last position\'s tied output layer of GPT-2 by hand', () => {
    const f = named(gpt2, 'latency');
    const d = 256;
    // Q, K, V, O (4 d^2) and the FFN (2 d f) per layer, 2 FLOPs per multiply-add, 192 tokens.
    expect(f.linear_flops).toBe(2 * 192 * (4 * d * d + 2 * d * 1024 + 4 * d * d + 2 * d * 512));
    expect(f.attn_flops).toBe(4 * 192 * 192 * (d + d));
    expect(f.attn_elems).toBe(192 * 192 * (4 + 8));
    expect(f.layers).toBe(2);
    expect(f.output_flops).toBe(2 * 50257 * d);
    expect(f.embed_flops).toBe(0);
    expect(f.conv_flops).toBe(0);
    expect(f.const).toBe(1);
  });

  it('grow with what costs time: wider FFN, longer sequence, Primer conv, Transformer-XL memory', () => {
    const wide = parseConfig({ ...gpt2, d_inner: [2048, 512] });
    expect(named(wide, 'latency').linear_flops).toBeGreaterThan(named(gpt2, 'latency').linear_flops!);
    const primer = parseConfig({ ...gpt2, family: 'primer', primer_conv: true, primer_square: true });
    expect(named(primer, 'latency').conv_flops).toBeGreaterThan(0);
    const txl = parseConfig({ family: 'transfo-xl', n_layer: 2, d_model: 256, d_inner: [1024, 512], n_head: [4, 8], div_val: 4 });
    // Queries over memory + segment: twice GPT-2's keys at mem_len = seq.
    expect(named(txl, 'latency').attn_elems).toBe(2 * named(gpt2, 'latency').attn_elems!);
    expect(named(txl, 'latency').embed_flops).toBeGreaterThan(0);
  });

  it('decode reads every layer weight and the cache once per token', () => {
    const f = named(gpt2, 'decode');
    expect(f.weight_bytes).toBe(4 * (4 * 256 * 256 + 2 * 256 * 1024 + 4 * 256 * 256 + 2 * 256 * 512));
    expect(f.cache_bytes).toBe(4 * 2 * 193 * (256 + 256));
  });

  it('every family fills every metric\'s vector', () => {
    for (const family of ['gpt2', 'primer', 'transfo-xl'] as const) {
      const cfg = parseConfig({ family, n_layer: 3, d_model: 128, d_inner: 512, n_head: 4 });
      for (const metric of ['latency', 'decode', 'memory'] as const) {
        const v = costFeatures(cfg, setting, metric)!;
        expect(v).toHaveLength(FEATURE_NAMES[metric].length);
        expect(v.every((x) => Number.isFinite(x) && x >= 0)).toBe(true);
      }
    }
  });
});
