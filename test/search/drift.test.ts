import { describe, expect, it } from 'vitest';
import { ciTarget, correctRecord, driftSummary, realSpread, repeatSpread, SeriesIndex, speedFactor, spreadFromSeries, type SentinelPoint } from '../../src/search/drift.js';
import { findContenders } from '../../src/search/contenders.js';
import type { CandidateRecord } from '../../src/search/types.js';
import type { LatencyStats } from '../../src/profile/types.js';

const lat = (ms: number): LatencyStats => ({ median_ms: ms, mean_ms: ms, trimmed_mean_ms: ms, p90_ms: ms, min_ms: ms, std_ms: 0, ci95_low_ms: ms, ci95_high_ms: ms, runs: 5, warmup_runs: 1, samples_ms: [ms] });

function rec(key: string, params: number, ms: number, endMs: number, evaluator = 'local'): CandidateRecord {
  return {
    id: key, key, family: 'gpt2', config: {} as CandidateRecord['config'], iteration: 0, decoder_params: params, total_params: params,
    measurement: { ok: true, latency: lat(ms), timing: { export_ms: 0, session_ms: 0, measure_ms: 0, total_ms: 0 } },
    evaluator, measured_at: new Date(endMs).toISOString(),
  };
}

/** The interpolation alone (no shrinking towards 1): what these first tests are about. */
const plain = { shrink: false };

const pt = (at: number, v: number, extra: Partial<SentinelPoint> = {}): SentinelPoint => ({ evaluator: 'local', at_ms: at, ok: true, latency_ms: v, ...extra });

describe('speed factor', () => {
  it('interpolates linearly between sentinel measurements and holds the nearest value outside them', () => {
    const s = [pt(1000, 10), pt(2000, 12), pt(3000, 11)];
    expect(speedFactor(s, 'local', 'latency', 500, plain)).toBe(1);
    expect(speedFactor(s, 'local', 'latency', 1500, plain)).toBeCloseTo(1.1, 12);
    expect(speedFactor(s, 'local', 'latency', 2500, plain)).toBeCloseTo(1.15, 12);
    expect(speedFactor(s, 'local', 'latency', 9000, plain)).toBeCloseTo(1.1, 12);
    // Another evaluator (another agent) has no series of its own here.
    expect(speedFactor(s, 'agent x', 'latency', 1500, plain)).toBeUndefined();
    expect(speedFactor(s, 'local', 'decode', 1500, plain)).toBeUndefined();
  });

  it('does not interpolate across a new measuring process', () => {
    const s = [pt(1000, 10), pt(2000, 14, { fresh_process: true }), pt(3000, 16)];
    expect(speedFactor(s, 'local', 'latency', 1900, plain)).toBe(1);
    expect(speedFactor(s, 'local', 'latency', 2500, plain)).toBeCloseTo(1.5, 12);
  });

  it('skips failed sentinel measurements', () => {
    const s = [pt(1000, 10), { evaluator: 'local', at_ms: 1500, ok: false, error: 'x' }, pt(2000, 20)];
    expect(new SeriesIndex(s, plain).factor('local', 'latency', 1500)).toBeCloseTo(1.5, 12);
  });

  it('shrinks the factor to 1 when the series varies by its own noise alone, and keeps a real slow-down', () => {
    // A steady machine: sentinel medians scattered by about 1 % around 40 ms, no drift.
    const steady = [40, 40.5, 39.7, 40.3, 39.8, 40.4, 39.9, 40.2].map((v, i) => pt(i * 1000, v));
    expect(speedFactor(steady, 'local', 'latency', 6500)).toBe(1);
    expect(speedFactor(steady, 'local', 'latency', 6500, plain)).not.toBe(1);
    // The same scatter, then the machine runs 2x slower: corrected nearly in full.
    const slow = [...steady, ...[80, 81, 79.5, 80.6].map((v, i) => pt(8000 + i * 1000, v))];
    expect(speedFactor(slow, 'local', 'latency', 10_500)).toBeGreaterThan(1.95);
    expect(speedFactor(slow, 'local', 'latency', 10_500)).toBeLessThanOrEqual(speedFactor(slow, 'local', 'latency', 10_500, plain)!);
  });

  it('never changes a factor once its interval is closed: later measurements do not reach back', () => {
    const early = [40, 40.5, 39.7, 42, 41].map((v, i) => pt(i * 1000, v));
    const later = [...early, pt(5000, 60), pt(6000, 61)];
    for (const t of [500, 1500, 2500, 3500]) expect(speedFactor(later, 'local', 'latency', t)).toBe(speedFactor(early, 'local', 'latency', t));
  });

  it('corrects a record by the factor at its middle, keeps the raw median, and combines re-measurements', () => {
    const s = [pt(0, 10), pt(10_000, 20)];
    const r = rec('a', 1, 30, 5000);
    const c = correctRecord(r, new SeriesIndex(s, plain));
    expect(c.measurement.latency!.median_ms).toBe(30);
    expect(c.measurement.latency!.speed_factor).toBeCloseTo(1.5, 12);
    expect(c.measurement.latency!.corrected_median_ms).toBeCloseTo(20, 12);
    const again = { ...r, remeasured: [{ measured_at: new Date(10_000).toISOString(), evaluator: 'local', measurement: { ...r.measurement, latency: lat(50) } }] };
    const c2 = correctRecord(again, new SeriesIndex(s, plain));
    // 30 / 1.5 = 20 and 50 / 2 = 25: geometric mean.
    expect(c2.measurement.latency!.corrected_median_ms).toBeCloseTo(Math.sqrt(20 * 25), 12);
    expect(c2.measurement.latency!.measurements).toBe(2);
  });

  it('estimates the spread from neighbouring measurements, so a steady trend does not count', () => {
    const trend = Array.from({ length: 10 }, (_, i) => pt(i * 1000, 10 * 1.05 ** i));
    expect(spreadFromSeries(trend)).toBeCloseTo(0, 12);
    expect(driftSummary(trend).max_drift).toBeCloseTo(1.05 ** 9 - 1, 12);
    const zigzag = Array.from({ length: 10 }, (_, i) => pt(i * 1000, i % 2 ? 11 : 10));
    expect(spreadFromSeries(zigzag)!).toBeCloseTo((1.4826 * Math.log(1.1)) / Math.sqrt(1.5), 12);
    expect(spreadFromSeries([pt(0, 1), pt(1, 2), pt(2, 3)])).toBeUndefined();
  });

  it('estimates the spread from candidates measured twice, after correction, and pools it with the series', () => {
    const s = [pt(0, 10), pt(10_000, 20)];
    const twice = (key: string, a: number, b: number): CandidateRecord => {
      const r = rec(key, 1, a, 0);
      return { ...r, remeasured: [{ measured_at: new Date(10_000).toISOString(), evaluator: 'local', measurement: { ...r.measurement, latency: lat(b) } }] };
    };
    // The second measurements ran at half speed: corrected, the pairs differ by +-10 %.
    const rs = [twice('a', 10, 22), twice('b', 10, 18), rec('c', 1, 10, 0)];
    const e = repeatSpread(rs, new SeriesIndex(s, plain))!;
    expect(e.n).toBe(2);
    expect(e.sd).toBeCloseTo((1.4826 * (Math.log(22 / 20) + Math.log(20 / 18))) / 2 / Math.SQRT2, 12);
    expect(repeatSpread([rs[0]!], new SeriesIndex(s, plain))).toBeUndefined();
    const zigzag = Array.from({ length: 4 }, (_, i) => pt(i * 1000, i % 2 ? 11 : 10));
    const z = spreadFromSeries(zigzag)!;
    expect(realSpread(zigzag, e)).toBeCloseTo(Math.sqrt((2 * z * z + 2 * e.sd * e.sd) / 4), 12);
    expect(realSpread([], e)).toBeCloseTo(e.sd, 12);
  });

  it('stopping rule: the CI target rises to half the real spread, within bounds', () => {
    expect(ciTarget(0.02, undefined)).toBe(0.02);
    expect(ciTarget(0.02, 0.01)).toBe(0.02);
    expect(ciTarget(0.02, 0.08)).toBeCloseTo(0.04, 12);
    expect(ciTarget(0.02, 0.5)).toBe(0.1);
  });
});

describe('contenders', () => {
  it('finds the candidates whose frontier place depends on a difference within the spread, with their neighbour', () => {
    const rs = [rec('small', 10, 10, 0), rec('mid', 20, 20, 0), rec('mid-slower', 19, 20.4, 0), rec('big', 40, 40, 0), rec('big-close', 41, 40.5, 0)];
    const c = findContenders(rs, ['latency'], 0.03, 10, new Set());
    // mid-slower is dominated by mid by 2 %: within 3 %, so in doubt, decided by mid. big vs big-close: 1.25 %.
    expect(c.map((x) => [x.key, x.neighbour])).toEqual([['big', 'big-close'], ['mid-slower', 'mid']]);
    expect(findContenders(rs, ['latency'], 0.03, 1, new Set()).length).toBe(1);
    expect(findContenders(rs, ['latency'], 0.005, 10, new Set())).toEqual([]);
    expect(findContenders(rs, ['latency'], 0.03, 10, new Set(['big', 'big-close'])).map((x) => x.key)).toEqual(['mid-slower']);
    expect(findContenders(rs, ['memory'], 0.03, 10, new Set())).toEqual([]);
  });
});
