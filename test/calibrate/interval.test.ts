import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  fitCalibration, formatPrediction, groupRows, loadCalibration, predictInterval, predictPpl, readTrainedFile, TABLE_RECIPE_LOG_SIGMA,
  type Calibration, type FitPoint,
} from '../../src/calibrate/index.js';
import { decoderParams } from '../../src/proxy/index.js';
import { Rng } from '../../src/util/rng.js';

const TABLE = join(import.meta.dirname, '..', '..', '..', 'shared', 'data', 'lts-tabular', 'random-models.jsonl');
const SETS = [
  ['gpt2-wt103', 'random_GPT2_wt103'],
  ['gpt2-lm1b', 'random_GPT2_lm1b'],
  ['transfo-xl-wt103', 'random_TransXL_wt103'],
  ['transfo-xl-lm1b', 'random_TransXL_lm1b'],
] as const;

const covered = (cal: Calibration, p: FitPoint): boolean => {
  const i = predictInterval(cal, p.params);
  return p.ppl >= i.low && p.ppl <= i.high;
};

describe.runIf(existsSync(TABLE))('intervals on the shipped table', () => {
  const groups = groupRows(readTrainedFile(TABLE).rows);
  const points = (set: string): FitPoint[] => groups.get(set)!.map((r) => ({ params: decoderParams(r.config), ppl: r.ppl }));

  it('the recipe term is the extra spread that covers 90 % of the table\'s separately drawn subset', () => {
    const cal = loadCalibration('transfo-xl-wt103');
    const abs = points('random_TransXL_wt103_homogeneous').map((p) => Math.abs(Math.log(p.ppl / predictPpl(cal, p.params)))).sort((a, b) => a - b);
    const pos = 0.9 * (abs.length - 1);
    const q90 = abs[Math.floor(pos)]! + (abs[Math.ceil(pos)]! - abs[Math.floor(pos)]!) * (pos - Math.floor(pos));
    const sigma = Math.sqrt((q90 / 1.6448536269514722) ** 2 - cal.interval!.curve_log_sigma ** 2);
    expect(sigma).toBeCloseTo(TABLE_RECIPE_LOG_SIGMA, 3);
    // The ten training batches of each fitted set sit much closer to their curve than that.
    const offsets: number[] = [];
    for (const [name, set] of SETS) {
      const c = loadCalibration(name);
      const batches = new Map<string, number[]>();
      for (const r of groups.get(set)!) {
        const batch = r.id!.split('_').pop()!;
        batches.set(batch, [...(batches.get(batch) ?? []), Math.log(r.ppl / predictPpl(c, decoderParams(r.config)))]);
      }
      expect(batches.size).toBe(10);
      for (const b of batches.values()) offsets.push(b.reduce((s, x) => s + x, 0) / b.length);
    }
    expect(Math.max(...offsets.map(Math.abs))).toBeCloseTo(0.032, 3);
  });

  it('covers about 90 % of held-back rows in 5-fold cross-validation', () => {
    // Outer folds hold rows back; each training part is fitted as `lts calibrate` fits (inner CV included).
    let n = 0, curveOnly = 0, unanchored = 0;
    const perSet: string[] = [];
    for (const [, set] of SETS) {
      const pts = points(set);
      const order = new Rng(7).shuffle(pts.map((_, i) => i));
      let c = 0;
      for (let f = 0; f < 5; f++) {
        const test = new Set(order.filter((_, i) => i % 5 === f));
        const cal = fitCalibration(pts.filter((_, i) => !test.has(i)), { name: set, family: 'gpt2', dataset: 'x', source: 'table' });
        // Held-back rows share the table's recipe, so the recipe term is what they must not need.
        const sameRecipe: Calibration = { ...cal, interval: { ...cal.interval!, recipe_log_sigma: 0 } };
        for (const i of test) {
          n++;
          if (covered(sameRecipe, pts[i]!)) { curveOnly++; c++; }
          if (covered(cal, pts[i]!)) unanchored++;
        }
      }
      perSet.push(`${set} ${(c / pts.length).toFixed(3)}`);
    }
    const rate = curveOnly / n;
    console.log(`90 % interval coverage of held-back rows (5-fold CV, ${n} rows): ${(100 * rate).toFixed(1)} % by the curve term (${perSet.join(', ')}); ${(100 * unanchored / n).toFixed(1)} % with the unanchored recipe term`);
    // Measured (seed 7): 0.899 pooled over 783 rows (0.890, 0.905, 0.905, 0.896 per set). With the
    // recipe term, as lts prints unanchored intervals, these same-recipe rows are over-covered: 0.99.
    expect(rate, perSet.join(', ')).toBeGreaterThan(0.87);
    expect(rate, perSet.join(', ')).toBeLessThan(0.93);
    expect(unanchored / n).toBeGreaterThan(0.97);
  }, 60_000);

  it('covers about 90 % of the separately drawn homogeneous set (the recipe term was sized on it)', () => {
    const cal = loadCalibration('transfo-xl-wt103');
    const pts = points('random_TransXL_wt103_homogeneous');
    const rate = pts.filter((p) => covered(cal, p)).length / pts.length;
    console.log(`unanchored transfo-xl-wt103 interval on the homogeneous set: ${(100 * rate).toFixed(1)} % of ${pts.length}`);
    expect(rate).toBeGreaterThan(0.88);
    expect(rate).toBeLessThan(0.96);
  });

  it('widens extrapolated predictions and says so', () => {
    const cal = loadCalibration('gpt2-wt103');
    const inside = predictInterval(cal, 20e6);
    const outside = predictInterval(cal, 100e6);
    expect(inside.in_range).toBe(true);
    expect(outside.in_range).toBe(false);
    expect(Math.log(outside.high / outside.low)).toBeGreaterThan(1.3 * Math.log(inside.high / inside.low));
    expect(formatPrediction(outside)).toMatch(/unanchored, extrapolated$/);
    expect(formatPrediction(inside)).toMatch(/^\d+ \[\d+-\d+\] unanchored$/);
  });
});

describe('formatPrediction', () => {
  it('prints the precision the interval allows', () => {
    const base = { level: 0.9, anchored: true, in_range: true, calibration: 'c' };
    expect(formatPrediction({ ...base, ppl: 35.78, low: 31.2, high: 41.04 })).toBe('36 [31-41]');
    expect(formatPrediction({ ...base, ppl: 35.78, low: 35.1, high: 36.5 })).toBe('35.8 [35.1-36.5]');
    expect(formatPrediction({ ...base, ppl: 35.781, low: 35.7, high: 35.85 })).toBe('35.78 [35.70-35.85]');
  });
});
