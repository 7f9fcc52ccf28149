// Drift correction from a sentinel's series (pure functions; the loop and `lts profile --repeat` feed them).
// The machine's speed moves over minutes and between measuring processes by more than one measurement's
// precision. A fixed reference model (the sentinel) measured now and then in the same conditions as the
// candidates gives the device's speed factor at any moment; a candidate's corrected cost is its raw
// median divided by the factor at its time. Raw figures are always kept beside the corrected ones.
import { median } from 'simple-statistics';
import type { LatencyStats, Measurement } from '../profile/types.js';
import type { CandidateRecord } from './types.js';

/** The metrics a speed factor applies to: times. A memory peak does not scale with the machine's speed. */
export type TimedMetric = 'latency' | 'decode';
export const TIMED_METRICS: readonly TimedMetric[] = ['latency', 'decode'];

/** One sentinel measurement (a line of `<run>/sentinel.jsonl`). */
export interface SentinelPoint {
  /** The evaluator that measured it: each evaluator (each agent) has its own series. */
  evaluator: string;
  /** Middle of the measurement (ms since the epoch): the moment its speed factor belongs to. */
  at_ms: number;
  ok: boolean;
  latency_ms?: number;
  decode_ms?: number;
  /**
   * The sentinel was the first task of a new measuring process (a fresh warm worker): points before it
   * belong to another process, so the factor is not interpolated across it.
   */
  fresh_process?: boolean;
  error?: string;
}

/**
 * The moment a measurement belongs to: the middle of its timed phase where the device's turns were
 * recorded (prepare-ahead, where the wait before it can be long), otherwise the middle of the whole
 * measurement, which ended at `endMs`.
 */
export function measurementTime(timing: Measurement['timing'], endMs: number): number {
  if (timing.turn_start !== undefined && timing.turn_end !== undefined) return (timing.turn_start + timing.turn_end) / 2;
  return endMs - timing.total_ms / 2;
}

/** The moment a candidate's measurement belongs to (measured_at is its end). */
export function recordTime(r: Pick<CandidateRecord, 'measured_at' | 'measurement'>): number {
  return measurementTime(r.measurement.timing, Date.parse(r.measured_at));
}

/** Median absolute deviation to standard deviation under normality. */
const MAD_TO_SD = 1.4826;


type Series = { at: number; v: number; fresh: boolean; w: number }[];

export interface SeriesOptions {
  /**
   * Shrink each factor towards 1 by how much of the series' variation is noise (default true). Off,
   * the factor is the plain interpolated ratio (tests of the interpolation itself use that).
   */
  shrink?: boolean;
}

/**
 * The weight a factor gets, from the series up to point j (never later points, so a factor once
 * bracketed never changes and a resume corrects exactly as the run did): w = 1 - noise^2 / var, the
 * James-Stein share of the series' variance (of log medians) that is not the measurement's own noise.
 * A sentinel measurement is as noisy as a candidate's; dividing by it adds that noise to every
 * candidate. On a steady machine the series varies by its noise alone, w falls to 0 and the correction
 * adds nothing; a real slow-down or a slower process (variance far above the noise) is corrected in full.
 * The noise is the series' own (robust s.d. of its interpolation residuals, as in seriesSpread); until
 * there are two residuals (four measurements) it cannot be told from drift and the factor is used whole.
 */
function shrinkWeights(s: Series): void {
  const logs = s.map((p) => Math.log(p.v));
  for (let j = 0; j < s.length; j++) {
    if (j === 0) {
      s[j]!.w = 1;
      continue;
    }
    const xs = logs.slice(0, j + 1);
    const mean = xs.reduce((a, x) => a + x, 0) / xs.length;
    const variance = xs.reduce((a, x) => a + (x - mean) ** 2, 0) / (xs.length - 1);
    const res: number[] = [];
    for (let i = 1; i < j; i++) res.push(Math.abs(logs[i]! - (logs[i - 1]! + logs[i + 1]!) / 2));
    if (res.length < 2) {
      s[j]!.w = 1;
      continue;
    }
    const noise = (MAD_TO_SD * median(res)) / Math.sqrt(1.5);
    s[j]!.w = variance > 0 ? Math.max(0, 1 - (noise * noise) / variance) : 0;
  }
}

/** Each evaluator's series per metric, sorted by time: built once per correction pass. */
export class SeriesIndex {
  private readonly map = new Map<string, Series>();
  private readonly shrink: boolean;
  constructor(points: readonly SentinelPoint[], opts: SeriesOptions = {}) {
    this.shrink = opts.shrink ?? true;
    for (const p of points) {
      if (!p.ok) continue;
      for (const metric of TIMED_METRICS) {
        const v = metric === 'latency' ? p.latency_ms : p.decode_ms;
        if (typeof v !== 'number' || !(v > 0)) continue;
        const k = `${metric}|${p.evaluator}`;
        if (!this.map.has(k)) this.map.set(k, []);
        this.map.get(k)!.push({ at: p.at_ms, v, fresh: p.fresh_process === true, w: 1 });
      }
    }
    for (const s of this.map.values()) {
      s.sort((a, b) => a.at - b.at);
      if (this.shrink) shrinkWeights(s);
    }
  }

  get(evaluator: string, metric: TimedMetric): Series {
    return this.map.get(`${metric}|${evaluator}`) ?? [];
  }

  all(): Series[] {
    return [...this.map.values()];
  }

  /** Index of the first measurement at or after t (s.length if none). */
  private static after(s: Series, t: number): number {
    let lo = 0;
    let hi = s.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (s[mid]!.at < t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /**
   * The sentinel's median at time t for one evaluator: linear between the measurements around t, unless
   * the later one started a new process (then the earlier one's value holds to the end of its process);
   * the nearest measurement's value before the first or after the last. Undefined without any.
   */
  at(evaluator: string, metric: TimedMetric, t: number): number | undefined {
    const s = this.get(evaluator, metric);
    if (s.length === 0) return undefined;
    if (t <= s[0]!.at) return s[0]!.v;
    const lo = SeriesIndex.after(s, t);
    if (lo >= s.length) return s[s.length - 1]!.v;
    const a = s[lo - 1]!;
    const b = s[lo]!;
    if (b.fresh) return a.v;
    const w = b.at > a.at ? (t - a.at) / (b.at - a.at) : 1;
    return a.v + w * (b.v - a.v);
  }

  /**
   * Speed factor at t (1 = as fast as at the evaluator's first sentinel measurement, which never changes
   * as the series grows; 1.1 = 10 % slower): the interpolated ratio, shrunk towards 1 by the weight of
   * the measurement that closes t's interval (see shrinkWeights).
   */
  factor(evaluator: string, metric: TimedMetric, t: number): number | undefined {
    const s = this.get(evaluator, metric);
    const ref = s[0]?.v;
    const v = this.at(evaluator, metric, t);
    if (ref === undefined || v === undefined) return undefined;
    const w = s[Math.min(SeriesIndex.after(s, t), s.length - 1)]!.w;
    return (v / ref) ** w;
  }
}

/** Speed factor at t for one evaluator (see SeriesIndex.factor). */
export function speedFactor(points: readonly SentinelPoint[], evaluator: string, metric: TimedMetric, t: number, opts: SeriesOptions = {}): number | undefined {
  return new SeriesIndex(points, opts).factor(evaluator, metric, t);
}

/** A later measurement of the same candidate (a contender measured again), kept beside the first. */
export interface Remeasure {
  measured_at: string;
  evaluator: string;
  measurement: Measurement;
}

const geomean = (xs: number[]): number => xs.length === 1 ? xs[0]! : Math.exp(xs.reduce((s, x) => s + Math.log(x), 0) / xs.length);

/**
 * A record with its corrected costs: for latency and decode, `corrected_median_ms` (raw median / speed
 * factor at its time, combined over re-measurements by geometric mean) and `speed_factor` (of the first
 * measurement). Records without a sentinel measurement to use keep their raw figures only.
 */
export function correctRecord(r: CandidateRecord, index: SeriesIndex): CandidateRecord {
  if (!r.measurement.ok) return r;
  const all = [{ measured_at: r.measured_at, evaluator: r.evaluator, measurement: r.measurement }, ...(r.remeasured ?? [])];
  const m: Measurement = { ...r.measurement };
  for (const metric of TIMED_METRICS) {
    const stats = m[metric];
    if (!stats) continue;
    const corrected: number[] = [];
    let first: number | undefined;
    for (const x of all) {
      const raw = x.measurement.ok ? x.measurement[metric]?.median_ms : undefined;
      const f = index.factor(x.evaluator, metric, recordTime(x));
      if (raw === undefined || f === undefined) continue;
      first ??= f;
      corrected.push(raw / f);
    }
    if (corrected.length === 0) continue;
    const c: LatencyStats = { ...stats, corrected_median_ms: geomean(corrected), speed_factor: first! };
    if (corrected.length > 1) c.measurements = corrected.length;
    m[metric] = c;
  }
  return { ...r, measurement: m };
}

export function correctRecords(records: readonly CandidateRecord[], points: readonly SentinelPoint[] | SeriesIndex): CandidateRecord[] {
  if (Array.isArray(points) && points.length === 0) return [...records];
  const index = points instanceof SeriesIndex ? points : new SeriesIndex(points as readonly SentinelPoint[]);
  return records.map((r) => correctRecord(r, index));
}

export interface DriftSummary {
  /** Largest |factor - 1| over every evaluator's series and timed metric. */
  max_drift: number;
  /** Sentinel measurements that succeeded / failed. */
  points: number;
  failed: number;
  /** Robust relative spread of one measurement between processes and over time (see realSpread). */
  spread?: number;
}

/** Largest drift and the spread the series shows; the summary warns when max_drift exceeds the protocol's target. */
export function driftSummary(points: readonly SentinelPoint[], repeats?: SpreadEstimate): DriftSummary {
  let max = 0;
  for (const s of new SeriesIndex(points).all()) {
    for (const p of s) max = Math.max(max, Math.abs(p.v / s[0]!.v - 1));
  }
  const out: DriftSummary = { max_drift: max, points: points.filter((p) => p.ok).length, failed: points.filter((p) => !p.ok).length };
  const spread = realSpread(points, repeats);
  if (spread !== undefined) out.spread = spread;
  return out;
}


/**
 * The real spread of one measurement (relative standard deviation), from the sentinel series: each
 * measurement's distance (in log) from the midpoint of its two neighbours, which is what linear
 * interpolation would have predicted for it. A steady trend (which the correction removes) gives
 * nothing; what remains is the between-process and short-term variation that no number of timed runs
 * inside one process can narrow. For independent noise of s.d. sigma the residual's s.d. is
 * sigma * sqrt(1.5). Undefined with fewer than two residuals (four measurements).
 */
export function spreadFromSeries(points: readonly SentinelPoint[]): number | undefined {
  return seriesSpread(points)?.sd;
}

/** A spread estimate and the number of differences it rests on. */
export interface SpreadEstimate {
  sd: number;
  n: number;
}

function seriesSpread(points: readonly SentinelPoint[]): SpreadEstimate | undefined {
  const res: number[] = [];
  for (const s of new SeriesIndex(points).all()) {
    for (let i = 1; i + 1 < s.length; i++) res.push(Math.log(s[i]!.v) - (Math.log(s[i - 1]!.v) + Math.log(s[i + 1]!.v)) / 2);
  }
  if (res.length < 2) return undefined;
  return { sd: (MAD_TO_SD * median(res.map(Math.abs))) / Math.sqrt(1.5), n: res.length };
}

/**
 * The same spread from candidates measured twice (contenders): the log ratio of the two corrected
 * medians, robust s.d. / sqrt(2). This is the residual after correction for a candidate, which the
 * sentinel alone cannot show. Undefined with fewer than two pairs.
 */
export function repeatSpread(records: readonly CandidateRecord[], index: SeriesIndex): SpreadEstimate | undefined {
  const d: number[] = [];
  for (const r of records) {
    const again = r.remeasured?.[0];
    if (!again || !r.measurement.ok) continue;
    for (const metric of TIMED_METRICS) {
      const x = r.measurement[metric]?.median_ms;
      const y = again.measurement[metric]?.median_ms;
      const fx = index.factor(r.evaluator, metric, recordTime(r));
      const fy = index.factor(again.evaluator, metric, recordTime(again));
      if (x === undefined || y === undefined || fx === undefined || fy === undefined) continue;
      d.push(Math.log(x / fx / (y / fy)));
    }
  }
  if (d.length < 2) return undefined;
  return { sd: (MAD_TO_SD * median(d.map(Math.abs))) / Math.SQRT2, n: d.length };
}

/** The real spread from the sentinel series and repeated candidates together (variances pooled by count). */
export function realSpread(points: readonly SentinelPoint[], repeats?: SpreadEstimate): number | undefined {
  const parts = [seriesSpread(points), repeats].filter((x): x is SpreadEstimate => x !== undefined);
  if (parts.length === 0) return undefined;
  const n = parts.reduce((s, p) => s + p.n, 0);
  return Math.sqrt(parts.reduce((s, p) => s + p.n * p.sd * p.sd, 0) / n);
}

/**
 * The stopping rule that matches the real spread: a candidate's uncertainty is sqrt(w^2 + b^2) with w
 * the half-width of its within-process CI and b the spread between processes and over time. Once
 * w <= b/2, infinitely many more runs would narrow it by at most 11 % (sqrt(1.25) = 1.118), so timing
 * stops there: the CI target becomes max(target, b/2), capped so a wild series cannot stop it at nothing.
 */
export const MAX_CI_FLOOR = 0.1;
export function ciTarget(target: number, spread: number | undefined): number {
  if (spread === undefined || !Number.isFinite(spread)) return target;
  return Math.max(target, Math.min(MAX_CI_FLOOR, spread / 2));
}
