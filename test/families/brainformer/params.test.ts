import { describe, expect, it } from 'vitest';
import type { BrainformerConfig, Sublayer } from '../../../src/families/brainformer/config.js';
import { denseEquivalent, saturatedExperts } from '../../../src/families/brainformer/dense-equivalent.js';
import { brainformerParams } from '../../../src/families/brainformer/params.js';
import { proxyParams } from '../../../src/families/brainformer/proxy.js';

const cfg = (d: number, layout: Sublayer[], stack = 1): BrainformerConfig => ({ family: 'brainformer', d_model: d, layout, stack, vocab_size: 50257, n_positions: 1024 });

describe('Brainformer parameter counts, by hand', () => {
  it('attn + ffn at d 256: the GPT-2 layer count', () => {
    // GPT-2 layer with d 256, 4 heads, d_inner 1024: 12d^2+13d + 2df+f+d ... written out per part.
    const p = brainformerParams(cfg(256, [{ kind: 'attn', n_head: 4 }, { kind: 'ffn', d_inner: 1024, act: 'gelu' }]));
    const attn = 3 * 256 * 256 + 3 * 256 + 256 * 256 + 256; // 263,168
    const ffn = 256 * 1024 + 1024 + 1024 * 256 + 256; // 525,568
    const ln = 2 * 2 * 256 + 2 * 256; // two sub-layer LNs + ln_f
    expect(p.attention).toBe(263_168);
    expect(p.ffn).toBe(525_568);
    expect(p.decoder).toBe(attn + ffn + ln);
    expect(p.decoder).toBe(790_272);
    expect(p.activated).toBe(p.decoder);
    expect(p.effective).toBe(p.decoder);
    expect(p.total).toBe(p.decoder + 50257 * 256 + 1024 * 256);
  });

  for (const E of [4, 8, 16, 32]) {
    for (const k of [1, 2]) {
      it(`moe ${E} experts, top-${k}, stacked 3x with attn and ffn`, () => {
        const d = 128;
        const f = 384;
        const layout: Sublayer[] = [
          { kind: 'attn', n_head: 8 },
          { kind: 'moe', experts: E, top_k: k, d_inner: f, act: 'relu2' },
          { kind: 'ffn', d_inner: 256, act: 'gelu' },
        ];
        const p = brainformerParams(cfg(d, layout, 3));
        const attn = 4 * d * d + 4 * d;
        const expert = 2 * d * f + f + d;
        const router = d * E;
        const ffn = 2 * d * 256 + 256 + d;
        const lns = 3 * 3 * 2 * d + 2 * d;
        expect(p.decoder).toBe(3 * (attn + router + E * expert + ffn) + lns);
        expect(p.activated).toBe(3 * (attn + router + k * expert + ffn) + lns);
        expect(p.moe).toBe(3 * (router + E * expert));
        expect(p.experts).toBe(E / k);
        expect(p.effective).toBeCloseTo(denseEquivalent(p.activated, E / k), 6);
        expect(p.effective).toBeGreaterThan(p.activated);
      });
    }
  }

  it('a block of several MoE sub-layers: the expansion is stored over activated expert params', () => {
    const d = 64;
    const a: Sublayer = { kind: 'moe', experts: 4, top_k: 1, d_inner: 128, act: 'gelu' };
    const b: Sublayer = { kind: 'moe', experts: 32, top_k: 2, d_inner: 256, act: 'gelu' };
    const p = brainformerParams(cfg(d, [{ kind: 'attn', n_head: 2 }, a, b]));
    const pa = 2 * d * 128 + 128 + d;
    const pb = 2 * d * 256 + 256 + d;
    expect(p.experts).toBeCloseTo((4 * pa + 32 * pb) / (1 * pa + 2 * pb), 12);
  });

  it('heads not dividing d_model count a = heads x floor(d / heads)', () => {
    const p = brainformerParams(cfg(100, [{ kind: 'attn', n_head: 3 }, { kind: 'ffn', d_inner: 200, act: 'gelu' }]));
    const a = 99;
    expect(p.attention).toBe(3 * 100 * a + 3 * a + a * 100 + 100);
  });
});

describe('dense-equivalent size (Clark et al. 2022, S-BASE)', () => {
  it("reproduces the reference's worked values", () => {
    expect(denseEquivalent(100e6, 8) / 1e6).toBeCloseTo(201, 0); // ~201M
    expect(denseEquivalent(5e6, 128) / 1e6).toBeCloseTo(52, 0); // ~52M
  });
  it('is the identity for one expert and grows with the expert count', () => {
    expect(saturatedExperts(1)).toBeCloseTo(1.847, 12);
    expect(denseEquivalent(20e6, 1)).toBeCloseTo(20e6, 3);
    const sizes = [2, 4, 8, 16, 32].map((E) => denseEquivalent(20e6, E));
    sizes.slice(1).forEach((s, i) => expect(s).toBeGreaterThan(sizes[i]!));
  });
  it('the proxy choices pick the matching count', () => {
    const p = brainformerParams(cfg(128, [{ kind: 'attn', n_head: 2 }, { kind: 'moe', experts: 8, top_k: 1, d_inner: 512, act: 'gelu' }]));
    expect(proxyParams(p, 'total')).toBe(p.decoder);
    expect(proxyParams(p, 'activated')).toBe(p.activated);
    expect(proxyParams(p, 'effective')).toBe(Math.round(p.effective));
    expect(p.activated).toBeLessThan(p.effective);
    expect(p.effective).toBeLessThan(p.decoder);
  });
});
