import { describe, expect, it } from 'vitest';
import { fitCostModel, type CostSample } from '../../src/cost/index.js';
import { Rng } from '../../src/util/rng.js';

/** Samples of y = 2 + 3e-6 a + 0 b + 5e-3 c, times (1 + noise), with features spanning orders of magnitude. */
function samples(n: number, noise: number, seed = 1): CostSample[] {
  const rng = new Rng(seed);
  return Array.from({ length: n }, () => {
    const features = [1, rng.int(1e5, 1e7), rng.int(1, 1e6), rng.int(1, 100)];
    const y = (2 + 3e-6 * features[1]! + 5e-3 * features[3]!) * (1 + noise * (2 * rng.next() - 1));
    return { features, y };
  });
}

describe('cost model', () => {
  it('recovers exact coefficients from noiseless data, all non-negative, with a tight interval', () => {
    const m = fitCostModel(samples(30, 0))!;
    expect(m.coef[0]).toBeCloseTo(2, 4);
    expect(m.coef[1]! / 3e-6).toBeCloseTo(1, 4);
    expect(m.coef[2]! * 1e6).toBeLessThan(1e-4); // at most 0.1 us of a 2-32 ms cost
    expect(m.coef[3]! / 5e-3).toBeCloseTo(1, 3);
    const p = m.predict([1, 5e6, 10, 50]);
    expect(p.mean).toBeCloseTo(2 + 15 + 0.25, 3);
    expect(p.low).toBeLessThanOrEqual(p.mean);
    expect(p.high).toBeGreaterThanOrEqual(p.mean);
    expect((p.high - p.low) / p.mean).toBeLessThan(1e-3);
  });

  it('keeps a feature that only helps negatively at zero instead of subtracting it', () => {
    const data = samples(30, 0).map((s) => ({ features: s.features, y: Math.max(0.5, s.y - 1e-6 * s.features[2]!) }));
    const m = fitCostModel(data)!;
    expect(m.coef.every((c) => c >= 0)).toBe(true);
  });

  it('gives intervals that cover held-out measurements at about the stated level', () => {
    const m = fitCostModel(samples(60, 0.1, 2))!;
    const test = samples(400, 0.1, 3);
    const covered = test.filter((s) => {
      const p = m.predict(s.features);
      return s.y >= p.low && s.y <= p.high;
    }).length;
    // alpha 0.05 each side: 90 % nominal; CV+ guarantees at least 80 %.
    expect(covered / test.length).toBeGreaterThan(0.85);
    const p = m.predict(test[0]!.features);
    expect((p.high - p.low) / p.mean).toBeGreaterThan(0.1);
    expect((p.high - p.low) / p.mean).toBeLessThan(0.5);
  });

  it('is undefined with too few samples, and the same samples give the same model', () => {
    expect(fitCostModel(samples(9, 0.05))).toBeUndefined();
    const a = fitCostModel(samples(20, 0.05))!;
    const b = fitCostModel(samples(20, 0.05))!;
    expect(a.coef).toEqual(b.coef);
    expect(a.predict([1, 1e6, 1, 1])).toEqual(b.predict([1, 1e6, 1, 1]));
  });
});
