// The sentinel's series as a plot: the device's speed factor over the run, one line per evaluator and
// timed metric, with the protocol's target precision as a band around 1.
import type { TopLevelSpec } from 'vega-lite';
import { SeriesIndex, type SentinelPoint } from '../search/drift.js';

export interface DriftRow {
  minutes: number;
  factor: number;
  series: string;
  fresh: boolean;
}

/** One row per successful sentinel measurement: minutes since the first, and its speed factor. */
export function driftRows(points: readonly SentinelPoint[]): DriftRow[] {
  const ok = points.filter((p) => p.ok);
  if (ok.length === 0) return [];
  const t0 = Math.min(...ok.map((p) => p.at_ms));
  const index = new SeriesIndex(points);
  const rows: DriftRow[] = [];
  for (const p of ok) {
    for (const metric of ['latency', 'decode'] as const) {
      if ((metric === 'latency' ? p.latency_ms : p.decode_ms) === undefined) continue;
      const factor = index.factor(p.evaluator, metric, p.at_ms);
      if (factor === undefined) continue;
      rows.push({ minutes: (p.at_ms - t0) / 60_000, factor, series: `${p.evaluator} ${metric}`, fresh: p.fresh_process === true });
    }
  }
  return rows.sort((a, b) => a.minutes - b.minutes);
}

export function driftSpec(rows: readonly DriftRow[], target: number, sentinelId: string): TopLevelSpec {
  const x = { field: 'minutes', type: 'quantitative', title: 'minutes since the first sentinel measurement' };
  const y = { field: 'factor', type: 'quantitative', title: 'speed factor (1 = first measurement; higher = slower)', scale: { zero: false } };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: `Device speed over the run (sentinel ${sentinelId})`, subtitle: `grey band: the protocol's target precision (+-${(100 * target).toFixed(1)} %); hollow points started a new measuring process`, anchor: 'start', fontSize: 14 },
    background: 'white',
    padding: 12,
    width: 700,
    height: 220,
    layer: [
      { data: { values: [{ lo: 1 - target, hi: 1 + target }] }, mark: { type: 'rect', color: '#bbb', opacity: 0.3 }, encoding: { y: { field: 'lo', type: 'quantitative' }, y2: { field: 'hi' } } },
      {
        data: { values: rows as unknown as Record<string, unknown>[] },
        layer: [
          { mark: { type: 'line', strokeWidth: 1.2 }, encoding: { x, y, color: { field: 'series', type: 'nominal', title: 'evaluator, metric' } } },
          { mark: { type: 'point', size: 30 }, encoding: { x, y, color: { field: 'series', type: 'nominal' }, fill: { condition: { test: 'datum.fresh', value: 'white' }, field: 'series', type: 'nominal' }, tooltip: [x, y, { field: 'series', type: 'nominal' }] } },
        ],
      },
    ],
    config: { font: 'Helvetica, Arial, sans-serif', axis: { labelFontSize: 11, titleFontSize: 12, gridOpacity: 0.5 }, view: { stroke: '#ccc' } },
  } as TopLevelSpec;
}
