// A calibration's point prediction: its fitted curve, shifted (and tilted) by its anchors when it has them.
import { evaluateCurve, PARAMS_UNIT } from './fit.js';
import type { Calibration } from './index.js';

/** ln(ppl) added by anchoring at these params: shift + tilt * (ln P - center), P in millions. */
export function anchorLogShift(anchor: Calibration['anchor'], params: number): number {
  if (!anchor) return 0;
  return anchor.shift_log + anchor.tilt * (Math.log(params / PARAMS_UNIT) - anchor.center_log_params);
}

export function curvePpl(cal: Pick<Calibration, 'fit' | 'anchor'>, params: number): number {
  return evaluateCurve({ form: cal.fit.form, coefficients: cal.fit.coefficients }, params) * Math.exp(anchorLogShift(cal.anchor, params));
}
