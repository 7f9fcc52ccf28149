import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { averageRanks, correlateTable, kendallTauB, readTrainedFile, spearman, topOverlap } from '../../src/calibrate/index.js';
import { LtsError } from '../../src/util/errors.js';

const SHARED = join(import.meta.dirname, '..', '..', '..', 'shared', 'data', 'lts-tabular', 'random-models.jsonl');

describe('rank statistics', () => {
  it('gives tied values the mean of their ranks', () => {
    expect(averageRanks([10, 20, 20, 5])).toEqual([2, 3.5, 3.5, 1]);
  });

  it('spearman matches a hand-computed case with ties', () => {
    // ranks of y: [1, 2, 3.5, 5, 3.5]; Pearson with [1..5] = 0.8207826816681233 (scipy agrees)
    expect(spearman([1, 2, 3, 4, 5], [5, 6, 7, 8, 7])).toBeCloseTo(0.8207826816681233, 12);
    expect(spearman([1, 2, 3], [3, 2, 1])).toBeCloseTo(-1, 12);
    expect(spearman([1, 2, 3], [7, 7, 7])).toBeNaN();
  });

  it('kendall tau-b corrects for ties on either side', () => {
    // 4 concordant, 1 discordant, 1 pair tied in y: 3 / sqrt(6 * 5)
    expect(kendallTauB([1, 2, 3, 4], [1, 3, 2, 3])).toBeCloseTo(3 / Math.sqrt(30), 12);
    // ties in both x and y (scipy kendalltau: 0.4444...)
    expect(kendallTauB([1, 1, 2, 3, 4], [2, 1, 1, 4, 3])).toBeCloseTo(4 / 9, 12);
    expect(kendallTauB([1, 2, 3, 4], [4, 3, 2, 1])).toBe(-1);
  });

  it('top-k overlap counts the best-by-target items that are also best by proxy', () => {
    const proxy = [10, 9, 8, 7, 6, 5, 4, 3, 2, 1];
    const target = [9, 10, 1, 2, 3, 4, 5, 6, 7, 8];
    expect(topOverlap(proxy, target, 0.1)).toBe(0); // best target = index 1, best proxy = index 0
    expect(topOverlap(proxy, target, 0.2)).toBe(1);
    expect(topOverlap(proxy, target, 0.5)).toBe(0.4); // {0,1,7,8,9} vs {0,1,2,3,4}
  });

  it('rejects unpaired or non-finite input with an LtsError', () => {
    expect(() => spearman([1, 2], [1])).toThrow(LtsError);
    expect(() => kendallTauB([1, NaN], [1, 2])).toThrow(LtsError);
    expect(() => topOverlap([1, 2], [1, 2], 0)).toThrow(LtsError);
  });
});

describe.skipIf(!existsSync(SHARED))('shared trained-architecture table', () => {
  it('reproduces the README correlations with recomputed params', () => {
    const table = readTrainedFile(SHARED);
    const byGroup = Object.fromEntries(correlateTable(table).map((g) => [g.group, g]));
    const expected: Record<string, [number, number]> = {
      random_GPT2_wt103: [0.967, 200],
      random_GPT2_lm1b: [0.984, 200],
      random_TransXL_wt103: [0.974, 200],
      random_TransXL_lm1b: [0.999, 183],
      random_TransXL_wt103_homogeneous: [0.95, 98],
    };
    for (const [set, [rho, n]] of Object.entries(expected)) {
      expect(byGroup[set]!.n).toBe(n);
      expect(Math.abs(byGroup[set]!.spearman - rho)).toBeLessThan(0.0005);
      expect(byGroup[set]!.kendall).toBeGreaterThan(0.8);
      expect(byGroup[set]!.kendall).toBeLessThan(byGroup[set]!.spearman);
    }
    expect(byGroup.random_TransXL_lm1b!.skipped).toBe(3);
    expect(byGroup.random_TransXL_wt103_homogeneous!.skipped).toBe(1);
    expect(table.skipped).toBe(4);
  });
});
