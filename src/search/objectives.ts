// The search's objectives over measured candidates: maximize decoder params, minimize each chosen cost.
import type { Objective } from '../pareto/index.js';
import type { Metric } from '../profile/types.js';
import type { CandidateRecord } from './types.js';

/**
 * The cost a metric contributes, or undefined when the measurement lacks it. Times are drift-corrected
 * where the loop has corrected the record (drift.ts); raw otherwise, as with --drift-correction off.
 */
export function metricValue(rec: CandidateRecord, metric: Metric): number | undefined {
  const m = rec.measurement;
  switch (metric) {
    case 'latency':
      return m.latency?.corrected_median_ms ?? m.latency?.median_ms;
    case 'decode':
      return m.decode?.corrected_median_ms ?? m.decode?.median_ms;
    case 'memory':
      return m.memory?.inference_peak_mb;
  }
}

/** Costs first (in the order chosen) so a front sorted by these objectives is sorted by cost. */
export function searchObjectives(metrics: readonly Metric[]): Objective<CandidateRecord>[] {
  return [
    ...metrics.map((metric) => ({
      name: metric,
      direction: 'minimize' as const,
      value: (r: CandidateRecord) => metricValue(r, metric) ?? Number.NaN,
    })),
    { name: 'decoder_params', direction: 'maximize' as const, value: (r: CandidateRecord) => r.decoder_params },
  ];
}

/**
 * Whether a record may be on the frontier: measured successfully, every chosen cost present, within
 * the parameter bounds, and under the latency constraint if one is set.
 */
export function feasible(
  rec: CandidateRecord,
  s: { metrics: readonly Metric[]; param_min: number; param_max: number; latency_max_ms?: number },
): boolean {
  if (!rec.measurement.ok) return false;
  for (const metric of s.metrics) {
    const v = metricValue(rec, metric);
    if (v === undefined || !Number.isFinite(v)) return false;
  }
  if (rec.decoder_params < s.param_min || rec.decoder_params > s.param_max) return false;
  if (s.latency_max_ms !== undefined) {
    const lat = metricValue(rec, 'latency');
    if (lat === undefined || !(lat <= s.latency_max_ms)) return false;
  }
  return true;
}

/** What to ask the evaluator for: the chosen costs, plus latency when it is only a constraint. */
export function requestedMetrics(s: { metrics: readonly Metric[]; latency_max_ms?: number }): Metric[] {
  const out = [...s.metrics];
  if (s.latency_max_ms !== undefined && !out.includes('latency')) out.push('latency');
  return out;
}
