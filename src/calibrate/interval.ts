// 90 % intervals on predicted perplexity. Everything happens in log space, where the curves' errors are
// roughly proportional to perplexity: ln(true ppl) = ln(prediction) + curve scatter + recipe shift
// (+ form uncertainty when the prediction leaves the fitted params range).
import { evaluateCurve, PARAMS_UNIT, type FitForm, type FitPoint } from './fit.js';
import { anchorLogShift, curvePpl } from './curve.js';
import type { Calibration } from './index.js';

export const INTERVAL_LEVEL = 0.9;
/** Two-sided 90 % quantile of the standard normal. */
export const Z90 = 1.6448536269514722;

/**
 * Recipe term of an unanchored calibration (sigma of ln ppl). The shipped table holds one training
 * recipe per family and dataset, so it cannot show a recipe change directly; what it does hold is a set
 * that was drawn and trained apart from the one its curve was fitted on: the homogeneous Transformer-XL
 * wt103 set (98 models) under the transfo-xl-wt103 curve. Its 90th percentile of |ln(ppl/prediction)|
 * is 0.157, against the curve's own 1.645 x 0.0558 = 0.092; the extra spread a curve needs to cover
 * 90 % of models it was not fitted on is sqrt((0.157 / 1.645)^2 - 0.0558^2) = 0.078. (Between the ten
 * training batches of each fitted set the mean offsets stay within 0.032.) test/calibrate/interval.test.ts
 * recomputes both from the table.
 */
export const TABLE_RECIPE_LOG_SIGMA = 0.078;
export const RECIPE_BASIS =
  'extra ln-spread the transfo-xl-wt103 curve needs to cover 90 % of the table\'s homogeneous set (98 models drawn and trained apart from its fitted set): sqrt((q90 |ln error| / 1.645)^2 - curve sigma^2) = 0.078; a model trained with another recipe can be shifted further: anchor with lts calibrate --anchor';

/** What a calibration file records about its interval (`interval` field). */
export interface IntervalSpec {
  level: number;
  /** sigma of ln ppl from the curve's own scatter: 90th percentile of |ln(ppl / CV prediction)| over z90. */
  curve_log_sigma: number;
  curve_basis: string;
  /** sigma of ln ppl for an unknown training recipe; replaced by the anchors' standard error once anchored. */
  recipe_log_sigma: number;
  recipe_basis: string;
  /** The other form fitted to the same rows: outside the fitted params range the two forms' disagreement widens the interval. */
  alternative?: { form: FitForm; coefficients: Record<string, number> };
}

export interface PplPrediction {
  ppl: number;
  low: number;
  high: number;
  level: number;
  /** Whether the curve was shifted to the user's own trained models (`lts calibrate --anchor`). */
  anchored: boolean;
  /** Whether the params lie inside the calibration's fitted range (else: extrapolated, wider interval). */
  in_range: boolean;
  calibration: string;
}

function quantile(xs: readonly number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  const pos = q * (s.length - 1);
  const lo = Math.floor(pos);
  return s[lo]! + (s[Math.min(lo + 1, s.length - 1)]! - s[lo]!) * (pos - lo);
}

/** Curve sigma from cross-validated predictions: the empirical 90 % absolute log error, as a normal sigma. */
export function curveLogSigma(pts: readonly FitPoint[], cvPreds: readonly number[]): number {
  return quantile(pts.map((p, i) => Math.abs(Math.log(p.ppl / cvPreds[i]!))), INTERVAL_LEVEL) / Z90;
}

/** The interval entry of a freshly fitted (unanchored) calibration. */
export function intervalSpec(pts: readonly FitPoint[], cvPreds: readonly number[], folds: number, alternative?: IntervalSpec['alternative']): IntervalSpec {
  const s = curveLogSigma(pts, cvPreds);
  return {
    level: INTERVAL_LEVEL,
    curve_log_sigma: s,
    curve_basis: `${folds}-fold cross-validated ln(ppl/prediction) of the ${pts.length} fitted rows: 90th percentile of |error| = ${(s * Z90).toFixed(4)}`,
    recipe_log_sigma: TABLE_RECIPE_LOG_SIGMA,
    recipe_basis: RECIPE_BASIS,
    ...(alternative ? { alternative } : {}),
  };
}

/** Calibration files written before intervals existed: the curve sigma from the CV MAPE (mean |e| = 0.80 sigma for normal e). */
function specOf(cal: Calibration): IntervalSpec {
  return cal.interval ?? {
    level: INTERVAL_LEVEL,
    curve_log_sigma: (cal.cv.mape / 100) * Math.sqrt(Math.PI / 2),
    curve_basis: 'from the cross-validated MAPE (file written before intervals were recorded)',
    recipe_log_sigma: TABLE_RECIPE_LOG_SIGMA,
    recipe_basis: RECIPE_BASIS,
  };
}

/** sigma of ln ppl from an unknown recipe (unanchored) or from the anchors' fitted shift (anchored), at these params. */
function recipeSigma(cal: Calibration, spec: IntervalSpec, params: number): number {
  const a = cal.anchor;
  if (!a) return spec.recipe_log_sigma;
  const dx = Math.log(params / PARAMS_UNIT) - a.center_log_params;
  // Standard error of the fitted line (offset only: s / sqrt(n)) at this x.
  return a.residual_log_sigma * Math.sqrt(1 / a.n + (a.fitted === 'offset+slope' && a.sxx > 0 ? (dx * dx) / a.sxx : 0));
}

/** Outside the fitted range: how far the two forms' predictions part (ln), which nothing in the data settles. */
function extrapolationSigma(cal: Calibration, spec: IntervalSpec, params: number): number {
  const { min, max } = cal.params_range;
  if (params >= min && params <= max) return 0;
  const edge = params < min ? min : max;
  // The form choice is uncertain; so is going further than the data: at least one curve sigma per
  // range-width (in ln params) beyond the edge.
  const distance = Math.abs(Math.log(params / edge)) / Math.max(Math.log(max / min), 1e-9);
  let formGap = 0;
  if (spec.alternative) {
    const alt = evaluateCurve(spec.alternative, params) * Math.exp(anchorLogShift(cal.anchor, params));
    formGap = Math.abs(Math.log(alt / curvePpl(cal, params)));
  }
  return Math.max(formGap, spec.curve_log_sigma * distance);
}

/** Predicted perplexity with its 90 % interval. */
export function predictInterval(cal: Calibration, params: number): PplPrediction {
  const spec = specOf(cal);
  const ppl = curvePpl(cal, params);
  const sigma = Math.hypot(spec.curve_log_sigma, recipeSigma(cal, spec, params), extrapolationSigma(cal, spec, params));
  const half = Z90 * sigma;
  return {
    ppl,
    low: ppl * Math.exp(-half),
    high: ppl * Math.exp(half),
    level: INTERVAL_LEVEL,
    anchored: cal.anchor !== undefined,
    in_range: params >= cal.params_range.min && params <= cal.params_range.max,
    calibration: cal.name,
  };
}

/** Decimals a perplexity deserves given its interval: none when the interval spans several units. */
export function pplDecimals(p: Pick<PplPrediction, 'low' | 'high'>): number {
  const half = (p.high - p.low) / 2;
  return half >= 2 ? 0 : half >= 0.2 ? 1 : 2;
}

/** `36 [31-42]` with the precision the interval allows, plus `unanchored` / `extrapolated` where they apply. */
export function formatPrediction(p: PplPrediction, opts: { tags?: boolean } = {}): string {
  const d = pplDecimals(p);
  const tags = opts.tags === false ? [] : [...(p.anchored ? [] : ['unanchored']), ...(p.in_range ? [] : ['extrapolated'])];
  return `${p.ppl.toFixed(d)} [${p.low.toFixed(d)}-${p.high.toFixed(d)}]${tags.length ? ` ${tags.join(', ')}` : ''}`;
}

/** The pareto.json form of a prediction's interval (`predicted_ppl_interval`). */
export interface PplInterval {
  level: number;
  low: number;
  high: number;
  anchored: boolean;
  in_range: boolean;
  calibration: string;
}

export function intervalRecord(p: PplPrediction): PplInterval {
  return { level: p.level, low: p.low, high: p.high, anchored: p.anchored, in_range: p.in_range, calibration: p.calibration };
}
