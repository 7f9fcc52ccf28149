import { describe, expect, it } from 'vitest';
import { auditDraw, dominatedBy, screenDecision, type ScreenPoint } from '../../src/cost/index.js';

const frontier: ScreenPoint[] = [
  { id: 'small', decoder_params: 10e6, costs: [50] },
  { id: 'mid', decoder_params: 30e6, costs: [120] },
  { id: 'big', decoder_params: 60e6, costs: [250] },
];
const opts = { margin: 0.1, auditShare: 0, seed: 1 };

describe('screening', () => {
  it('screens a child whose optimistic cost is beaten by more than the margin', () => {
    // 25M params predicted at least 200 ms: 'mid' has more params at 120 ms.
    expect(screenDecision({ key: 'a', decoder_params: 25e6, low: [200] }, frontier, opts)).toEqual({ action: 'screen', by: 'mid' });
  });

  it('measures a child near the frontier, within the margin, or with more params than any point', () => {
    expect(screenDecision({ key: 'b', decoder_params: 25e6, low: [125] }, frontier, opts).action).toBe('measure');
    // 130 ms is behind 'mid' (120 ms) but by less than 10 %.
    expect(screenDecision({ key: 'c', decoder_params: 25e6, low: [130] }, frontier, opts).action).toBe('measure');
    expect(screenDecision({ key: 'd', decoder_params: 70e6, low: [1000] }, frontier, opts).action).toBe('measure');
  });

  it('needs every cost beaten when there are several', () => {
    const two: ScreenPoint[] = [{ id: 'p', decoder_params: 30e6, costs: [100, 500] }];
    expect(dominatedBy({ decoder_params: 20e6, low: [200, 1000] }, two, 0.1)?.id).toBe('p');
    expect(dominatedBy({ decoder_params: 20e6, low: [200, 400] }, two, 0.1)).toBeUndefined();
  });

  it('names the witness with the most params', () => {
    expect(dominatedBy({ decoder_params: 5e6, low: [1000] }, frontier, 0)?.id).toBe('big');
  });

  it('screens a child whose optimistic cost breaks a constraint', () => {
    const d = screenDecision({ key: 'e', decoder_params: 70e6, low: [400] }, frontier, { ...opts, maxCost: [{ index: 0, value: 300 }] });
    expect(d).toEqual({ action: 'screen', by: 'constraint' });
  });

  it('audits the stated share of would-be-screened children, the same ones for the same seed', () => {
    const keys = Array.from({ length: 2000 }, (_, i) => `k${i}`);
    const decide = (seed: number) => keys.map((key) => screenDecision({ key, decoder_params: 1e6, low: [1000] }, frontier, { margin: 0.1, auditShare: 0.1, seed }).action);
    const a = decide(7);
    const audited = a.filter((x) => x === 'audit').length;
    expect(audited).toBeGreaterThan(200 * 0.8);
    expect(audited).toBeLessThan(200 * 1.2);
    expect(a.every((x) => x === 'audit' || x === 'screen')).toBe(true);
    expect(decide(7)).toEqual(a);
    expect(decide(8)).not.toEqual(a);
    // The draw depends on seed and key only, not on order.
    expect(auditDraw(7, 'k5')).toBe(auditDraw(7, 'k5'));
    expect(auditDraw(7, 'k5')).toBeGreaterThanOrEqual(0);
    expect(auditDraw(7, 'k5')).toBeLessThan(1);
  });
});
