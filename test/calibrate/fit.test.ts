import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { builtinCalibration, builtinNames, calibrationRef, fitCalibration, loadCalibration, predictPpl, type FitPoint } from '../../src/calibrate/index.js';
import { LtsError } from '../../src/util/errors.js';

/** Deterministic +-noise in [-1, 1]. */
const wiggle = (i: number): number => Math.sin(i * 12.9898) * 0.5 + Math.sin(i * 78.233) * 0.5;

function logSpaced(n: number, lo: number, hi: number): number[] {
  return Array.from({ length: n }, (_, i) => lo * (hi / lo) ** (i / (n - 1)));
}

const opts = { name: 't', family: 'gpt2' as const, dataset: 'wt103', source: 'synthetic' };

describe('fitCalibration', () => {
  it('recovers a saturating power law and prefers it by cross-validated error', () => {
    const pts: FitPoint[] = logSpaced(80, 5e5, 8e7).map((params, i) => ({ params, ppl: 20 + 60 * (params / 1e6) ** -0.5 * (1 + 0.01 * wiggle(i)) }));
    const cal = fitCalibration(pts, opts);
    expect(cal.fit.form).toBe('power-offset');
    expect(cal.fit.coefficients.c).toBeCloseTo(20, 0);
    expect(cal.fit.coefficients.k).toBeCloseTo(60, 0);
    expect(cal.fit.coefficients.alpha).toBeCloseTo(0.5, 1);
    expect(cal.cv.forms['power-offset']!.mae).toBeLessThan(cal.cv.forms['log-linear']!.mae);
    expect(cal.cv.mae).toBe(cal.cv.forms['power-offset']!.mae);
    expect(cal.cv.folds).toBe(5);
    expect(cal.cv.mape).toBeLessThan(2);
    expect(cal.data).toMatchObject({ source: 'synthetic', n: 80 });
    expect(cal.params_range.min).toBeCloseTo(5e5);
  });

  it('recovers a log-linear law', () => {
    const pts: FitPoint[] = logSpaced(60, 1e6, 1e8).map((params, i) => ({ params, ppl: Math.exp(4.5 - 0.2 * Math.log(params / 1e6) + 0.005 * wiggle(i)) }));
    const cal = fitCalibration(pts, { ...opts, forms: ['log-linear'] });
    expect(cal.fit.coefficients.a).toBeCloseTo(4.5, 2);
    expect(cal.fit.coefficients.b).toBeCloseTo(-0.2, 2);
    expect(Object.keys(cal.cv.forms)).toEqual(['log-linear']);
  });

  it('shrugs off an outlier (robust fit)', () => {
    const pts: FitPoint[] = logSpaced(40, 1e6, 5e7).map((params) => ({ params, ppl: Math.exp(4 - 0.25 * Math.log(params / 1e6)) }));
    pts[20] = { ...pts[20]!, ppl: pts[20]!.ppl * 3 };
    const cal = fitCalibration(pts, { ...opts, forms: ['log-linear'] });
    expect(cal.fit.coefficients.b).toBeCloseTo(-0.25, 2);
  });

  it('refuses too few rows and perplexity that grows with params', () => {
    expect(() => fitCalibration([{ params: 1e6, ppl: 10 }], opts)).toThrow(LtsError);
    const rising = logSpaced(10, 1e6, 1e7).map((params) => ({ params, ppl: params / 1e5 }));
    expect(() => fitCalibration(rising, opts)).toThrow(/does not fall/);
  });
});

describe('built-in calibrations', () => {
  it('exist for both families and datasets, record their data and CV error, and predict monotonically', () => {
    expect(builtinNames()).toEqual(['gpt2-wt103', 'gpt2-lm1b', 'transfo-xl-wt103', 'transfo-xl-lm1b']);
    for (const name of builtinNames()) {
      const cal = loadCalibration(name);
      expect(cal.name).toBe(name);
      expect(cal.data.source).toContain('lts-tabular');
      expect(cal.data.n).toBeGreaterThan(150);
      expect(cal.cv.mape).toBeGreaterThan(0);
      expect(cal.cv.mape).toBeLessThan(10);
      const grid = logSpaced(30, cal.params_range.min, cal.params_range.max).map((p) => predictPpl(cal, p));
      for (let i = 1; i < grid.length; i++) expect(grid[i]!).toBeLessThan(grid[i - 1]!);
      expect(grid[0]!).toBeLessThan(cal.ppl_range.max * 1.3);
      expect(grid.at(-1)!).toBeGreaterThan(cal.ppl_range.min * 0.7);
    }
    expect(loadCalibration('gpt2-lm1b').data.set).toBe('random_GPT2_lm1b');
  });

  it('gives Primer the GPT-2 curve and says so', () => {
    const p = builtinCalibration('primer', 'lm1b');
    const g = builtinCalibration('gpt2', 'lm1b');
    expect(p.fit).toEqual(g.fit);
    expect(p.note).toMatch(/Primer uses GPT-2's calibration/);
    expect(calibrationRef(p)).toMatchObject({ name: 'gpt2-lm1b', family: 'gpt2', dataset: 'lm1b' });
    expect(builtinCalibration('transfo-xl').name).toBe('transfo-xl-wt103');
  });

  it('rejects unknown names and malformed files with one line', () => {
    expect(() => loadCalibration('nope')).toThrow(/no built-in calibration 'nope'/);
    expect(() => builtinCalibration('gpt2', 'c4')).toThrow(LtsError);
    const dir = mkdtempSync(join(tmpdir(), 'lts-cal-'));
    writeFileSync(join(dir, 'bad.json'), JSON.stringify({ schema_version: 1, name: 'x', family: 'gpt2', dataset: 'd', fit: { form: 'cubic' } }));
    expect(() => loadCalibration(join(dir, 'bad.json'))).toThrow(/bad or missing fit\.form/);
    writeFileSync(join(dir, 'trunc.json'), '{"schema');
    expect(() => loadCalibration(join(dir, 'trunc.json'))).toThrow(/not valid JSON/);
  });

  it('round-trips through a file', () => {
    const pts = logSpaced(20, 1e6, 1e8).map((params) => ({ params, ppl: 30 + 40 / Math.sqrt(params / 1e6) }));
    const cal = fitCalibration(pts, opts);
    const dir = mkdtempSync(join(tmpdir(), 'lts-cal-'));
    writeFileSync(join(dir, 'mine.json'), JSON.stringify(cal));
    expect(predictPpl(loadCalibration(join(dir, 'mine.json')), 2e7)).toBeCloseTo(predictPpl(cal, 2e7), 10);
  });
});
