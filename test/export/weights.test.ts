import { describe, expect, it } from 'vitest';
import { initWeight, ScaledPools } from '../../src/export/weights.js';

function stats(x: Float32Array) {
  let m = 0;
  for (const v of x) m += v;
  m /= x.length;
  let s = 0;
  for (const v of x) s += (v - m) ** 2;
  return { mean: m, std: Math.sqrt(s / x.length) };
}

describe('initWeight', () => {
  it('has GPT-2 scale per initializer kind', () => {
    const n = 200_000;
    const w = stats(initWeight(1, 'w', 'normal', n));
    expect(Math.abs(w.mean)).toBeLessThan(1e-3);
    expect(w.std).toBeGreaterThan(0.0195);
    expect(w.std).toBeLessThan(0.0205);
    const g = stats(initWeight(1, 'g', 'ln_scale', n));
    expect(g.mean).toBeCloseTo(1, 3);
    const b = stats(initWeight(1, 'b', 'bias', n));
    expect(b.std).toBeGreaterThan(0.009);
    expect(b.std).toBeLessThan(0.011);
    expect(stats(initWeight(1, 'w', 'normal', n, 10)).std).toBeCloseTo(0.2, 2);
  });

  it('is deterministic in (seed, name) and differs across both', () => {
    const a = initWeight(7, 'transformer.wte.weight', 'normal', 1001);
    expect(initWeight(7, 'transformer.wte.weight', 'normal', 1001)).toEqual(a);
    expect(initWeight(8, 'transformer.wte.weight', 'normal', 1001)).not.toEqual(a);
    expect(initWeight(7, 'transformer.wpe.weight', 'normal', 1001)).not.toEqual(a);
    expect(a.length).toBe(1001);
    expect(Number.isFinite(a[1000]!)).toBe(true);
  });

  it('never produces denormals, NaN or infinities', () => {
    for (const kind of ['normal', 'ln_scale', 'ln_shift', 'bias', 'conv'] as const) {
      const x = initWeight(3, kind, kind, 500_000);
      let bad = 0;
      for (const v of x) if (!Number.isFinite(v) || (v !== 0 && Math.abs(v) < 1.1754943508222875e-38)) bad++;
      expect(bad, kind).toBe(0);
    }
  });

  it('fills large tensors from scaled pool copies with exactly the same values', () => {
    const pools = new ScaledPools();
    for (const kind of ['normal', 'ln_scale', 'ln_shift', 'bias', 'conv'] as const) for (const scale of [1, 3]) {
      const size = 300_001; // past the block-copy threshold, not a whole number of chunks
      const fast = initWeight(4, `t.${kind}`, kind, size, scale, pools);
      const slow = initWeight(4, `t.${kind}`, kind, size, scale);
      expect(Buffer.from(fast.buffer).equals(Buffer.from(slow.buffer)), `${kind} x${scale}`).toBe(true);
    }
  });

  it('Primer conv taps sit around a pass-through filter (current-token tap last)', () => {
    const x = initWeight(3, 'c', 'conv', 3 * 10_000);
    let last = 0;
    let first = 0;
    for (let c = 0; c < 10_000; c++) {
      first += x[c * 3]!;
      last += x[c * 3 + 2]!;
    }
    expect(last / 10_000).toBeCloseTo(1, 1);
    expect(first / 10_000).toBeCloseTo(0, 1);
  });
});
