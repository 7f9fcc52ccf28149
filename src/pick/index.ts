// Choosing a model to deploy from a finished search: the frontier point with the best predicted
// perplexity under the user's cost limits, and why the points beside it on the frontier lost.
import { formatPrediction, type Calibration, type PplPrediction, predictInterval } from '../calibrate/index.js';
import type { Metric } from '../profile/types.js';
import { costOf } from '../report/index.js';
import type { FrontierPoint, ParetoFile } from '../search/types.js';
import type { Family } from '../space/types.js';
import { LtsError } from '../util/errors.js';

export type Limits = Partial<Record<Metric, number>>;

export interface Scored {
  point: FrontierPoint;
  pred: PplPrediction;
  /** Limits it breaks, e.g. `latency 62.1 ms > 50 ms`; empty when it fits. */
  over: string[];
}

export interface Pick {
  chosen: Scored;
  /** How the choice was ranked: by predicted ppl within one calibration, by decoder params across several. */
  rankedBy: 'predicted ppl' | 'decoder params';
  fitting: number;
  /** The frontier points next to the chosen one in order of the first limited cost, each with why it lost. */
  neighbours: { scored: Scored; why: string }[];
  /** With several calibrations among the fitting points: the best of each. */
  bestPerCalibration: Scored[];
}

const UNIT: Record<Metric, string> = { latency: 'ms', decode: 'ms', memory: 'MB' };

export function costText(metric: Metric, v: number | undefined): string {
  if (v === undefined) return `${metric} not measured`;
  return `${metric} ${v.toFixed(metric === 'memory' ? 1 : metric === 'decode' ? 3 : 2)} ${UNIT[metric]}`;
}

function overlaps(a: PplPrediction, b: PplPrediction): boolean {
  return a.low <= b.high && b.low <= a.high;
}

/** Why `other` lost to `chosen`. */
function whyLost(other: Scored, chosen: Scored): string {
  if (other.over.length) return `over the limit: ${other.over.join(', ')}`;
  if (other.pred.calibration !== chosen.pred.calibration) {
    return `on another calibration (${other.pred.calibration}), so compared by decoder params: ${(other.point.decoder_params / 1e6).toFixed(2)}M vs ${(chosen.point.decoder_params / 1e6).toFixed(2)}M`;
  }
  return `higher predicted ppl${overlaps(other.pred, chosen.pred) ? ', but the 90 % intervals overlap: it may do as well' : ''}`;
}

/**
 * The frontier point with the lowest predicted perplexity among those within every limit. Perplexities
 * of different calibrations (families on different tokenizations) are not comparable: when the fitting
 * points span several, they are ranked by decoder params, the proxy that holds across families.
 */
export function pickPoint(pareto: ParetoFile, limits: Limits, calibrationFor: (f: Family) => Calibration): Pick {
  const metrics = Object.keys(limits) as Metric[];
  if (metrics.length === 0) throw new LtsError('give at least one limit (--latency-max, --decode-max or --memory-max)');
  for (const m of metrics) {
    if (!pareto.settings.metrics.includes(m)) throw new LtsError(`this run did not measure ${m} (its metrics: ${pareto.settings.metrics.join(', ')}); search with --metric ${[...pareto.settings.metrics, m].join(',')}`);
  }
  if (pareto.frontier.length === 0) throw new LtsError('the run has no frontier points');
  const scored: Scored[] = pareto.frontier.map((point) => ({
    point,
    pred: predictInterval(calibrationFor(point.family), point.decoder_params),
    over: metrics.flatMap((m) => {
      const v = costOf(m, point);
      return v === undefined ? [`${m} not measured`] : v > limits[m]! ? [`${costText(m, v)} > ${limits[m]} ${UNIT[m]}`] : [];
    }),
  }));
  const fitting = scored.filter((s) => s.over.length === 0);
  const first = metrics[0]!;
  if (fitting.length === 0) {
    const least = Math.min(...scored.map((s) => costOf(first, s.point) ?? Infinity));
    throw new LtsError(`no frontier point fits ${metrics.map((m) => `${m} <= ${limits[m]} ${UNIT[m]}`).join(' and ')} (the least ${first} on the frontier: ${costText(first, least)})`);
  }
  const cals = new Set(fitting.map((s) => s.pred.calibration));
  const rankedBy: Pick['rankedBy'] = cals.size > 1 ? 'decoder params' : 'predicted ppl';
  const better = (a: Scored, b: Scored): Scored => (rankedBy === 'predicted ppl' ? (a.pred.ppl <= b.pred.ppl ? a : b) : a.point.decoder_params >= b.point.decoder_params ? a : b);
  const chosen = fitting.reduce(better);
  const byCost = [...scored].sort((a, b) => (costOf(first, a.point) ?? Infinity) - (costOf(first, b.point) ?? Infinity));
  const at = byCost.indexOf(chosen);
  const neighbours = byCost.slice(Math.max(0, at - 2), at + 3).filter((s) => s !== chosen).map((s) => ({ scored: s, why: whyLost(s, chosen) }));
  const bestPerCalibration = cals.size > 1 ? [...cals].map((c) => fitting.filter((s) => s.pred.calibration === c).reduce((a, b) => (a.pred.ppl <= b.pred.ppl ? a : b))) : [];
  return { chosen, rankedBy, fitting: fitting.length, neighbours, bestPerCalibration };
}

/** The human-readable answer. */
export function formatPick(p: Pick, pareto: ParetoFile, limits: Limits): string {
  const metrics = pareto.settings.metrics;
  const costs = (pt: FrontierPoint): string => metrics.map((m) => costText(m, costOf(m, pt))).join(', ');
  const c = p.chosen;
  const lines = [
    `pick: ${c.point.id} (${c.point.family}, ${(c.point.decoder_params / 1e6).toFixed(2)}M decoder params): ${costs(c.point)}`,
    `  predicted ppl ${formatPrediction(c.pred)} (90 % interval, ${c.pred.calibration})`,
    `  limits ${Object.entries(limits).map(([m, v]) => `${m} <= ${v} ${UNIT[m as Metric]}`).join(', ')}: ${p.fitting} of ${pareto.frontier.length} frontier points fit; ranked by ${p.rankedBy}`,
  ];
  if (p.bestPerCalibration.length) {
    lines.push('  best fitting point per calibration (perplexities not comparable across them):');
    for (const b of p.bestPerCalibration) lines.push(`    ${b.pred.calibration}: ${b.point.id}, ppl ${formatPrediction(b.pred)}, ${(b.point.decoder_params / 1e6).toFixed(2)}M`);
  }
  if (p.neighbours.length) {
    lines.push(`  neighbours on the frontier (by ${Object.keys(limits)[0]}):`);
    const w = Math.max(...p.neighbours.map((n) => n.scored.point.id.length));
    for (const n of p.neighbours) {
      lines.push(`    ${n.scored.point.id.padEnd(w)}  ${costs(n.scored.point)}, ppl ${formatPrediction(n.scored.pred, { tags: false })}${n.scored.pred.in_range ? '' : ' extrapolated'}: ${n.why}`);
    }
  }
  return lines.join('\n');
}
