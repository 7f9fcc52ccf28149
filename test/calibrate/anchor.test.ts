import { describe, expect, it } from 'vitest';
import { anchorCalibration, fitCalibration, predictInterval, predictPpl, type FitPoint } from '../../src/calibrate/index.js';
import { LtsError } from '../../src/util/errors.js';

/** Deterministic noise in [-1, 1]. */
const wiggle = (i: number): number => Math.sin(i * 12.9898) * 0.5 + Math.sin(i * 78.233) * 0.5;
const logSpaced = (n: number, lo: number, hi: number): number[] => Array.from({ length: n }, (_, i) => lo * (hi / lo) ** (i / (n - 1)));
const truth = (params: number): number => 15 + 45 * (params / 1e6) ** -0.4;

// The "table": the curve plus 3 % noise. The "user's recipe": the same curve 9 % higher, plus noise.
const table: FitPoint[] = logSpaced(120, 5e5, 4e7).map((params, i) => ({ params, ppl: truth(params) * (1 + 0.03 * wiggle(i)) }));
const SHIFT = 1.09;
const trained = (i: number, params: number): FitPoint & { id: string } => ({ id: `m${i}`, params, ppl: truth(params) * SHIFT * (1 + 0.02 * wiggle(1000 + i)) });
const base = fitCalibration(table, { name: 'base', family: 'gpt2', dataset: 'wt103', source: 'synthetic' });
const held = logSpaced(30, 1e6, 3e7).map((p, i) => trained(100 + i, p));
const mape = (pred: (p: number) => number): number => (100 * held.reduce((s, h) => s + Math.abs(pred(h.params) - h.ppl) / h.ppl, 0)) / held.length;

describe('anchorCalibration', () => {
  it('recovers a known recipe shift from two trained models (offset only)', () => {
    const anchors = [trained(1, 3e6), trained(2, 2e7)];
    const cal = anchorCalibration(base, anchors, { name: 'mine', source: 'trained.jsonl' });
    const before = mape((p) => predictPpl(base, p));
    const after = mape((p) => predictPpl(cal, p));
    console.log(`anchoring (2 anchors, offset): MAPE on 30 other models ${before.toFixed(2)} % before, ${after.toFixed(2)} % after`);
    expect(cal.anchor!.fitted).toBe('offset');
    expect(cal.anchor!.tilt).toBe(0);
    expect(Math.exp(cal.anchor!.shift_log)).toBeCloseTo(SHIFT, 1);
    // Error on 30 models of the user's recipe that were not anchors: ~9 % before, ~2-3 % after.
    expect(before, `MAPE before anchoring ${before.toFixed(2)} %`).toBeGreaterThan(7);
    expect(after, `MAPE after anchoring ${after.toFixed(2)} % (before ${before.toFixed(2)} %)`).toBeLessThan(2);
    expect(cal.anchor!.error_before.mape).toBeGreaterThan(cal.anchor!.error_after.mape);
    expect(cal.anchor!.anchors.map((a) => a.id)).toEqual(['m1', 'm2']);
    expect(cal.note).toMatch(/anchored to 2 trained model/);
  });

  it('fits a slope tilt too from 5 anchors on, and the anchored interval covers the shifted models', () => {
    const anchors = logSpaced(6, 1e6, 3e7).map((p, i) => trained(10 + i, p));
    const cal = anchorCalibration(base, anchors, { name: 'mine', source: 'trained.jsonl' });
    expect(cal.anchor!.fitted).toBe('offset+slope');
    expect(Math.abs(cal.anchor!.tilt)).toBeLessThan(0.05);
    const inside = held.filter((h) => { const i = predictInterval(cal, h.params); return h.ppl >= i.low && h.ppl <= i.high; }).length;
    const unanchored = held.filter((h) => { const i = predictInterval(base, h.params); return h.ppl >= i.low && h.ppl <= i.high; }).length;
    expect(inside / held.length, `anchored coverage ${inside}/${held.length}, unanchored ${unanchored}/${held.length}`).toBeGreaterThan(0.85);
    expect(predictInterval(cal, 5e6).anchored).toBe(true);
    expect(predictInterval(base, 5e6).anchored).toBe(false);
  });

  it('refuses an anchored base and empty anchors', () => {
    const cal = anchorCalibration(base, [trained(1, 3e6)], { name: 'mine', source: 's' });
    expect(() => anchorCalibration(cal, [trained(2, 3e6)], { name: 'x', source: 's' })).toThrow(LtsError);
    expect(() => anchorCalibration(base, [], { name: 'x', source: 's' })).toThrow(/at least one/);
  });
});
