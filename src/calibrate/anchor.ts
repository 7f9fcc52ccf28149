// Anchoring: a calibration shifted to the user's own trained models. The table's curves rank well but
// their level depends on the training recipe (steps, schedule); a few models trained with the user's
// recipe fix the level while the base curve keeps its form and slope.
import { LtsError } from '../util/errors.js';
import { curvePpl } from './curve.js';
import { errorsOf, PARAMS_UNIT, type ErrorStats, type FitPoint } from './fit.js';
import type { Calibration } from './index.js';
import { INTERVAL_LEVEL, TABLE_RECIPE_LOG_SIGMA } from './interval.js';

/** Below this many anchors only the offset is fitted; from it on, a tilt of the slope too. */
export const MIN_ANCHORS_FOR_SLOPE = 5;

export interface AnchorPoint extends FitPoint {
  id?: string;
}

/** The `anchor` field of an anchored calibration file. */
export interface AnchorSpec {
  base: string;
  n: number;
  fitted: 'offset' | 'offset+slope';
  /** ln(ppl) added to the base curve at the anchors' centre; shift_pct = 100 (e^shift - 1). */
  shift_log: number;
  shift_pct: number;
  /** Change of the log-log slope (0 when only the offset is fitted). */
  tilt: number;
  /** Mean ln(params / 1e6) of the anchors. */
  center_log_params: number;
  /** Sum of squared deviations of the anchors' ln params (for the standard error of a tilted fit). */
  sxx: number;
  /** sigma of one model's ln ppl about the anchored curve: the base curve's, or the anchors' own scatter when larger. */
  residual_log_sigma: number;
  anchors: { id?: string; params: number; ppl: number; base_ppl: number; anchored_ppl: number }[];
  /** The anchors' error under the base curve and under the anchored one (in-sample). */
  error_before: ErrorStats;
  error_after: ErrorStats;
}

function mean(xs: readonly number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

/** Shift `base` to the anchors: offset only with fewer than MIN_ANCHORS_FOR_SLOPE, offset and slope tilt from then on. */
export function anchorCalibration(base: Calibration, anchors: readonly AnchorPoint[], opts: { name: string; source: string }): Calibration {
  if (base.anchor) throw new LtsError(`${base.name} is already anchored: anchor its base (${base.anchor.base}) with all your trained models at once`);
  if (anchors.length === 0) throw new LtsError('anchoring needs at least one trained model with a perplexity');
  for (const a of anchors) {
    if (!(a.params > 0) || !(a.ppl > 0)) throw new LtsError(`anchor ${a.id ?? ''} needs params > 0 and ppl > 0 (got ${a.params}, ${a.ppl})`.replace('  ', ' '));
  }
  const x = anchors.map((a) => Math.log(a.params / PARAMS_UNIT));
  const basePred = anchors.map((a) => curvePpl(base, a.params));
  const r = anchors.map((a, i) => Math.log(a.ppl / basePred[i]!));
  const n = anchors.length;
  const xbar = mean(x);
  const sxx = x.reduce((s, xi) => s + (xi - xbar) ** 2, 0);
  const slope = n >= MIN_ANCHORS_FOR_SLOPE && sxx > 1e-12;
  const shift = mean(r);
  const tilt = slope ? x.reduce((s, xi, i) => s + (xi - xbar) * (r[i]! - shift), 0) / sxx : 0;
  const fitted = (i: number): number => shift + tilt * (x[i]! - xbar);
  const df = n - (slope ? 2 : 1);
  const own = df >= 2 ? Math.sqrt(r.reduce((s, ri, i) => s + (ri - fitted(i)) ** 2, 0) / df) : 0;
  const baseSigma = base.interval?.curve_log_sigma ?? (base.cv.mape / 100) * Math.sqrt(Math.PI / 2);
  const anchoredPred = anchors.map((a, i) => basePred[i]! * Math.exp(fitted(i)));
  const spec: AnchorSpec = {
    base: base.name,
    n,
    fitted: slope ? 'offset+slope' : 'offset',
    shift_log: shift,
    shift_pct: 100 * (Math.exp(shift) - 1),
    tilt,
    center_log_params: xbar,
    sxx,
    residual_log_sigma: Math.max(baseSigma, own),
    anchors: anchors.map((a, i) => ({ ...(a.id ? { id: a.id } : {}), params: a.params, ppl: a.ppl, base_ppl: basePred[i]!, anchored_ppl: anchoredPred[i]! })),
    error_before: errorsOf(anchors.map((a, i) => ({ pred: basePred[i]!, ppl: a.ppl }))),
    error_after: errorsOf(anchors.map((a, i) => ({ pred: anchoredPred[i]!, ppl: a.ppl }))),
  };
  const pct = spec.shift_pct;
  return {
    ...base,
    name: opts.name,
    note: `${base.name} anchored to ${n} trained model(s) from ${opts.source}: ${spec.fitted} fitted, level ${pct >= 0 ? '+' : ''}${pct.toFixed(1)} %${base.note ? `; base note: ${base.note}` : ''}`,
    interval: {
      ...(base.interval ?? {
        level: INTERVAL_LEVEL,
        curve_log_sigma: baseSigma,
        curve_basis: 'from the base file\'s cross-validated MAPE',
        recipe_log_sigma: TABLE_RECIPE_LOG_SIGMA,
        recipe_basis: 'table default',
      }),
      recipe_basis: `anchored: the recipe term is the standard error of the anchors' fitted ${spec.fitted} (residual sigma ${spec.residual_log_sigma.toFixed(4)} / sqrt(${n})${slope ? ', widened away from their centre' : ''})`,
    },
    anchor: spec,
  };
}
