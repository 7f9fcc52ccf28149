// The measurement protocol: pure statistics plus a driver that takes the timed function as an argument,
// so the stopping rules are testable without a model or a clock.
import { mean, quantileSorted, sampleStandardDeviation } from 'simple-statistics';
import type { LatencyStats, MeasureProtocol } from './types.js';
export { spearman } from '../util/rank.js';

/** Warm-up is settled once the last SETTLE_WINDOW run times lie within SETTLE_REL_RANGE of their minimum. */
export const SETTLE_WINDOW = 3;
export const SETTLE_REL_RANGE = 0.1;

function logChoose(n: number, k: number): number {
  let s = 0;
  for (let i = 1; i <= k; i++) s += Math.log(n - k + i) - Math.log(i);
  return s;
}

/** P(Binomial(n, 1/2) <= k), computed in log space so that large n does not underflow. */
export function binomHalfCdf(n: number, k: number): number {
  if (k < 0) return 0;
  if (k >= n) return 1;
  let p = 0;
  for (let i = 0; i <= k; i++) p += Math.exp(logChoose(n, i) - n * Math.LN2);
  return Math.min(1, p);
}

/**
 * Distribution-free confidence interval of the median from order statistics: 1-based ranks [j, n-j+1]
 * with j the largest rank such that P(B <= j-1) <= alpha/2 for B ~ Binomial(n, 1/2). `exact` is false
 * when n is too small for any such j (n < 6 at 95 %); the interval is then [min, max] and covers less.
 */
export function medianCiRanks(n: number, level = 0.95): { lo: number; hi: number; exact: boolean } {
  if (n < 1) throw new RangeError('no samples');
  const tail = (1 - level) / 2;
  // P(B <= j) accumulated term by term (log C(n, j) from log C(n, j-1)): linear in n. Recomputing
  // binomHalfCdf for each j was cubic, and this runs after every timed run: ~0.5 s per run at
  // n = 1000, so long protocols spent their time cap on statistics instead of runs.
  let j = 0;
  let logC = 0;
  let cdf = 0;
  while (j + 1 <= Math.ceil(n / 2)) {
    if (j > 0) logC += Math.log(n - j + 1) - Math.log(j);
    cdf += Math.exp(logC - n * Math.LN2);
    if (Math.min(1, cdf) > tail) break;
    j++;
  }
  if (j === 0) return { lo: 1, hi: n, exact: false };
  return { lo: j, hi: n - j + 1, exact: true };
}

export function medianSorted(sorted: number[]): number {
  const n = sorted.length;
  return n % 2 === 1 ? sorted[(n - 1) / 2]! : (sorted[n / 2 - 1]! + sorted[n / 2]!) / 2;
}

/** Mean of the samples between the 10th and 90th percentile (floor(10 %) dropped from each end). */
export function trimmedMean(sorted: number[], frac = 0.1): number {
  const cut = Math.floor(sorted.length * frac);
  const kept = sorted.slice(cut, sorted.length - cut);
  return mean(kept.length > 0 ? kept : sorted);
}

export function medianCi(samples: number[]): { low: number; high: number; exact: boolean } {
  const sorted = [...samples].sort((a, b) => a - b);
  const r = medianCiRanks(sorted.length);
  return { low: sorted[r.lo - 1]!, high: sorted[r.hi - 1]!, exact: r.exact };
}

/** True once the 95 % CI of the median lies within +-rel of the median (and n is large enough for a real 95 % CI). */
export function ciConverged(samples: number[], rel: number): boolean {
  if (samples.length === 0) return false;
  const sorted = [...samples].sort((a, b) => a - b);
  const med = medianSorted(sorted);
  const ci = medianCi(sorted);
  if (!ci.exact) return false;
  return Math.max(med - ci.low, ci.high - med) <= rel * med;
}

export function warmupSettled(times: number[], p: Pick<MeasureProtocol, 'warmupMin'>): boolean {
  if (times.length < Math.max(p.warmupMin, SETTLE_WINDOW)) return false;
  const last = times.slice(-SETTLE_WINDOW);
  const lo = Math.min(...last);
  const hi = Math.max(...last);
  return hi - lo <= SETTLE_REL_RANGE * lo;
}

export type StopReason = 'ci' | 'max_runs' | 'max_seconds';

/** Whether the timed phase should stop after `samples`, `elapsedS` seconds into it. */
export function stopReason(samples: number[], elapsedS: number, p: MeasureProtocol): StopReason | null {
  const n = samples.length;
  if (n < p.minRuns) return null;
  if (n >= p.maxRuns) return 'max_runs';
  if (ciConverged(samples, p.targetRelCi)) return 'ci';
  if (elapsedS >= p.maxSeconds) return 'max_seconds';
  return null;
}

export function summarize(samples: number[], warmupRuns: number, stoppedBy?: StopReason): LatencyStats {
  if (samples.length === 0) throw new RangeError('no samples');
  const sorted = [...samples].sort((a, b) => a - b);
  const ci = medianCi(sorted);
  const stats: LatencyStats = {
    median_ms: medianSorted(sorted),
    mean_ms: mean(sorted),
    trimmed_mean_ms: trimmedMean(sorted),
    p90_ms: quantileSorted(sorted, 0.9),
    min_ms: sorted[0]!,
    std_ms: sorted.length > 1 ? sampleStandardDeviation(sorted) : 0,
    ci95_low_ms: ci.low,
    ci95_high_ms: ci.high,
    runs: samples.length,
    warmup_runs: warmupRuns,
    samples_ms: samples,
  };
  if (stoppedBy) stats.stopped_by = stoppedBy;
  return stats;
}

/**
 * Runs the protocol: warm up until settled (warmupMin..warmupMax runs, and at most half the time cap once
 * warmupMin is met), then timed runs until stopReason says so. `runOnce` returns one run's time in ms;
 * `now` returns seconds (injected so tests can drive a fake clock).
 */
export async function runProtocol(
  runOnce: () => Promise<number>,
  p: MeasureProtocol,
  now: () => number = () => performance.now() / 1000,
): Promise<LatencyStats> {
  const warm: number[] = [];
  const w0 = now();
  while (warm.length < p.warmupMax) {
    warm.push(await runOnce());
    if (warmupSettled(warm, p)) break;
    if (warm.length >= p.warmupMin && now() - w0 >= p.maxSeconds / 2) break;
  }
  const samples: number[] = [];
  const t0 = now();
  for (;;) {
    samples.push(await runOnce());
    const why = stopReason(samples, now() - t0, p);
    if (why) return summarize(samples, warm.length, why);
  }
}

/** Runs exactly warmupMin + minRuns times: enough to reach the steady-state memory peak when latency is not wanted. */
export async function runFixed(runOnce: () => Promise<number>, p: MeasureProtocol): Promise<LatencyStats> {
  for (let i = 0; i < p.warmupMin; i++) await runOnce();
  const samples: number[] = [];
  for (let i = 0; i < Math.max(1, p.minRuns); i++) samples.push(await runOnce());
  return summarize(samples, p.warmupMin);
}

