import { describe, expect, it } from 'vitest';
import {
  binomHalfCdf,
  ciConverged,
  medianCi,
  medianCiRanks,
  runProtocol,
  spearman,
  stopReason,
  summarize,
  trimmedMean,
  warmupSettled,
} from '../../src/profile/stats.js';
import type { MeasureProtocol } from '../../src/profile/types.js';

const P: MeasureProtocol = { warmupMin: 3, warmupMax: 20, minRuns: 10, maxRuns: 200, maxSeconds: 20, targetRelCi: 0.02 };

/** A scripted run-time sequence and a clock that advances by each run's time. */
function scripted(times: number[]): { run: () => Promise<number>; now: () => number; calls: () => number } {
  let i = 0;
  let clock = 0;
  return {
    run: async () => {
      const t = times[Math.min(i, times.length - 1)]!;
      i++;
      clock += t / 1000;
      return t;
    },
    now: () => clock,
    calls: () => i,
  };
}

describe('binomial order-statistic CI of the median', () => {
  it('binomial CDF matches exact values', () => {
    expect(binomHalfCdf(10, 5)).toBeCloseTo(638 / 1024, 12);
    expect(binomHalfCdf(10, 1)).toBeCloseTo(11 / 1024, 12);
    expect(binomHalfCdf(10, -1)).toBe(0);
    expect(binomHalfCdf(10, 10)).toBe(1);
    // large n must not underflow to 0 or NaN
    expect(binomHalfCdf(2000, 1000)).toBeGreaterThan(0.5);
  });

  it('ranks match the textbook table', () => {
    expect(medianCiRanks(6)).toEqual({ lo: 1, hi: 6, exact: true });
    expect(medianCiRanks(10)).toEqual({ lo: 2, hi: 9, exact: true });
    expect(medianCiRanks(20)).toEqual({ lo: 6, hi: 15, exact: true });
    expect(medianCiRanks(100)).toEqual({ lo: 40, hi: 61, exact: true });
    expect(medianCiRanks(5).exact).toBe(false);
  });

  it('every interval covers >= 95 % and is the narrowest that does', () => {
    for (let n = 6; n <= 300; n++) {
      const { lo, hi } = medianCiRanks(n);
      expect(hi).toBe(n - lo + 1);
      expect(1 - 2 * binomHalfCdf(n, lo - 1)).toBeGreaterThanOrEqual(0.95);
      expect(1 - 2 * binomHalfCdf(n, lo)).toBeLessThan(0.95);
    }
  });

  it('long protocols get the same ranks, without recomputing the CDF per rank', () => {
    for (let n = 301; n <= 1300; n += 97) {
      const { lo } = medianCiRanks(n);
      expect(1 - 2 * binomHalfCdf(n, lo - 1)).toBeGreaterThanOrEqual(0.95);
      expect(1 - 2 * binomHalfCdf(n, lo)).toBeLessThan(0.95);
    }
    // Normal approximation: n/2 - 1.96 sqrt(n)/2. The cubic version needed ~10 s for n = 3000 alone.
    expect(medianCiRanks(3000)).toEqual({ lo: 1446, hi: 1555, exact: true });
    expect(medianCiRanks(100_000)).toEqual({ lo: 49690, hi: 50311, exact: true });
  });

  it('medianCi picks the order statistics of unsorted samples', () => {
    const xs = [10, 3, 7, 1, 9, 2, 8, 4, 6, 5]; // sorted 1..10, n=10 -> ranks 2 and 9
    expect(medianCi(xs)).toEqual({ low: 2, high: 9, exact: true });
  });
});

describe('summary statistics', () => {
  it('summarize reports the documented fields', () => {
    const xs = [5, 1, 4, 2, 3, 100, 6, 7, 8, 9];
    const s = summarize(xs, 4, 'ci');
    expect(s.median_ms).toBe(5.5);
    expect(s.mean_ms).toBeCloseTo(14.5, 12);
    expect(s.trimmed_mean_ms).toBeCloseTo((2 + 3 + 4 + 5 + 6 + 7 + 8 + 9) / 8, 12);
    expect(s.min_ms).toBe(1);
    expect(s.p90_ms).toBeCloseTo(9 + 0.1 * (100 - 9), 9); // linear interpolation, as numpy
    expect(s.std_ms).toBeGreaterThan(29);
    expect([s.ci95_low_ms, s.ci95_high_ms]).toEqual([2, 9]);
    expect(s.runs).toBe(10);
    expect(s.warmup_runs).toBe(4);
    expect(s.samples_ms).toEqual(xs); // in run order
    expect(s.stopped_by).toBe('ci');
  });

  it('trimmed mean drops floor(10 %) from each end', () => {
    expect(trimmedMean([1, 2, 3, 4, 5, 6, 7, 8, 9, 1000])).toBeCloseTo(5.5 - 0.5 + 0.5, 12); // drops 1 and 1000
    expect(trimmedMean([1, 2, 3])).toBe(2);
  });

  it('spearman: identical, reversed, ties', () => {
    expect(spearman([1, 2, 3, 4], [10, 20, 30, 40])).toBeCloseTo(1, 12);
    expect(spearman([1, 2, 3, 4], [4, 3, 2, 1])).toBeCloseTo(-1, 12);
    expect(spearman([1, 2, 2, 3], [1, 2, 2, 3])).toBeCloseTo(1, 12);
    expect(spearman([1, 2, 3, 4, 5], [2, 1, 4, 3, 5])).toBeCloseTo(0.8, 12);
  });
});

describe('stopping rules', () => {
  it('warm-up settles on a flat window, not on a falling one', () => {
    expect(warmupSettled([10, 10], P)).toBe(false);
    expect(warmupSettled([10, 10, 10], P)).toBe(true);
    expect(warmupSettled([30, 20, 10], P)).toBe(false);
    expect(warmupSettled([10, 10, 10, 10], { warmupMin: 5 })).toBe(false);
  });

  it('timed phase: needs minRuns, stops on CI, run cap or time cap', () => {
    const flat = Array(10).fill(5);
    expect(stopReason(flat.slice(0, 9), 0, P)).toBeNull();
    expect(stopReason(flat, 0, P)).toBe('ci');
    const noisy = Array.from({ length: 10 }, (_, i) => 1 + (i % 2));
    expect(ciConverged(noisy, 0.02)).toBe(false);
    expect(stopReason(noisy, 1, P)).toBeNull();
    expect(stopReason(noisy, 21, P)).toBe('max_seconds');
    expect(stopReason(noisy, 0, { ...P, maxRuns: 10 })).toBe('max_runs');
  });

  it('a steady model stops at minRuns once warm', async () => {
    const s = scripted([50, 20, 12, 10, 10, 10, 10]);
    const st = await runProtocol(s.run, P, s.now);
    expect(st.warmup_runs).toBe(6); // 50 20 12 10 10 10: the first flat window of 3
    expect(st.runs).toBe(10);
    expect(st.stopped_by).toBe('ci');
    expect(st.median_ms).toBe(10);
  });

  it('warm-up stops at warmupMax when times never settle', async () => {
    const alternating = Array.from({ length: 400 }, (_, i) => (i % 2 ? 1 : 3));
    const s = scripted(alternating);
    const st = await runProtocol(s.run, { ...P, warmupMax: 7, maxSeconds: 1e9 }, s.now);
    expect(st.warmup_runs).toBe(7);
    expect(st.runs).toBe(200);
    expect(st.stopped_by).toBe('max_runs');
  });

  it('the time cap ends a slow noisy model, but never before minRuns', async () => {
    const slow = Array.from({ length: 100 }, (_, i) => 1000 * (1 + (i % 3)));
    const s = scripted(slow);
    const st = await runProtocol(s.run, { ...P, warmupMax: 3, maxSeconds: 5 }, s.now);
    expect(st.runs).toBe(10);
    expect(st.stopped_by).toBe('max_seconds');
  });
});
