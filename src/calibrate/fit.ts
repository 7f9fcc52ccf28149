// Perplexity-from-decoder-params curves: fitting (robust), cross-validation, prediction. Pure functions.
import { LtsError } from '../util/errors.js';
import { Rng } from '../util/rng.js';

export type FitForm = 'log-linear' | 'power-offset';
export const FIT_FORMS: readonly FitForm[] = ['log-linear', 'power-offset'];

/** Params are scaled to millions before fitting so that params^-alpha stays well conditioned. */
export const PARAMS_UNIT = 1e6;

export interface FitPoint {
  params: number;
  ppl: number;
}

/** log-linear: ln(ppl) = a + b ln(P); power-offset: ppl = c + k P^-alpha; P = params / 1e6. */
export type Coefficients = { a: number; b: number } | { c: number; k: number; alpha: number };

export interface FittedCurve {
  form: FitForm;
  coefficients: Record<string, number>;
}

export interface ErrorStats {
  /** Mean absolute error of ppl. */
  mae: number;
  /** Mean absolute percentage error of ppl (%). */
  mape: number;
  rmse: number;
}

export function formula(form: FitForm): string {
  return form === 'log-linear' ? 'ln(ppl) = a + b * ln(params / 1e6)' : 'ppl = c + k * (params / 1e6)^(-alpha)';
}

export function evaluateCurve(curve: FittedCurve, params: number): number {
  if (!(params > 0) || !Number.isFinite(params)) throw new LtsError(`decoder params must be a positive number, got ${params}`);
  const p = params / PARAMS_UNIT;
  const c = curve.coefficients;
  if (curve.form === 'log-linear') return Math.exp(c.a! + c.b! * Math.log(p));
  return c.c! + c.k! * Math.pow(p, -c.alpha!);
}

/** Robust scale: 1.4826 x median absolute deviation (consistent with sigma under normal noise). */
function madScale(r: readonly number[]): number {
  const abs = r.map(Math.abs).sort((x, y) => x - y);
  const m = abs.length % 2 ? abs[(abs.length - 1) / 2]! : (abs[abs.length / 2 - 1]! + abs[abs.length / 2]!) / 2;
  return 1.4826 * m;
}

/** Huber weights (delta = 1.345 robust sigmas): full weight near the curve, down-weighted outliers. */
function huberWeights(r: readonly number[]): number[] {
  const s = madScale(r);
  if (!(s > 0)) return r.map(() => 1);
  const delta = 1.345 * s;
  return r.map((x) => (Math.abs(x) <= delta ? 1 : delta / Math.abs(x)));
}

/** Weighted least squares y = u + v x. */
function wls(x: readonly number[], y: readonly number[], w: readonly number[]): { u: number; v: number } {
  let sw = 0, sx = 0, sy = 0;
  for (let i = 0; i < x.length; i++) { sw += w[i]!; sx += w[i]! * x[i]!; sy += w[i]! * y[i]!; }
  const mx = sx / sw, my = sy / sw;
  let sxy = 0, sxx = 0;
  for (let i = 0; i < x.length; i++) { sxy += w[i]! * (x[i]! - mx) * (y[i]! - my); sxx += w[i]! * (x[i]! - mx) ** 2; }
  const v = sxx > 0 ? sxy / sxx : 0;
  return { u: my - v * mx, v };
}

/** Iteratively reweighted least squares with Huber weights; `solve` fits under weights, `resid` gives residuals. */
function irls<T>(n: number, solve: (w: number[]) => T, resid: (m: T) => number[]): T {
  let w = new Array<number>(n).fill(1);
  let model = solve(w);
  for (let it = 0; it < 20; it++) {
    const next = huberWeights(resid(model));
    const change = next.reduce((s, v, i) => s + Math.abs(v - w[i]!), 0);
    w = next;
    model = solve(w);
    if (change < 1e-9 * n) break;
  }
  return model;
}

function fitLogLinear(pts: readonly FitPoint[]): FittedCurve {
  const x = pts.map((p) => Math.log(p.params / PARAMS_UNIT));
  const y = pts.map((p) => Math.log(p.ppl));
  const m = irls(pts.length, (w) => wls(x, y, w), (m) => y.map((yi, i) => yi - m.u - m.v * x[i]!));
  return { form: 'log-linear', coefficients: { a: m.u, b: m.v } };
}

/**
 * ppl = c + k P^-alpha with c >= 0, k > 0: for a given alpha the model is linear in (c, k), so search
 * alpha (log grid, then golden section) and solve (c, k) by robust weighted least squares.
 */
function fitPowerOffset(pts: readonly FitPoint[]): FittedCurve | null {
  const P = pts.map((p) => p.params / PARAMS_UNIT);
  const y = pts.map((p) => p.ppl);
  const atAlpha = (alpha: number): { c: number; k: number; loss: number } | null => {
    const x = P.map((p) => Math.pow(p, -alpha));
    const solve = (w: number[]): { c: number; k: number } => {
      const { u, v } = wls(x, y, w);
      if (u >= 0) return { c: u, k: v };
      // Offset would go negative: pin it at 0 and fit the scale alone.
      let sxy = 0, sxx = 0;
      for (let i = 0; i < x.length; i++) { sxy += w[i]! * x[i]! * y[i]!; sxx += w[i]! * x[i]! * x[i]!; }
      return { c: 0, k: sxy / sxx };
    };
    const m = irls(pts.length, solve, (m) => y.map((yi, i) => yi - m.c - m.k * x[i]!));
    if (!(m.k > 0) || !Number.isFinite(m.k)) return null;
    // Huber loss of the final fit: the quantity the alpha search minimizes.
    const r = y.map((yi, i) => yi - m.c - m.k * x[i]!);
    const s = madScale(r) || 1e-12;
    const d = 1.345 * s;
    const loss = r.reduce((acc, ri) => acc + (Math.abs(ri) <= d ? 0.5 * ri * ri : d * (Math.abs(ri) - 0.5 * d)), 0);
    return { ...m, loss };
  };
  const lossAt = (la: number): number => atAlpha(Math.exp(la))?.loss ?? Infinity;
  const grid: number[] = [];
  for (let la = Math.log(0.01); la <= Math.log(3) + 1e-9; la += (Math.log(3) - Math.log(0.01)) / 60) grid.push(la);
  const losses = grid.map(lossAt);
  let best = 0;
  for (let i = 1; i < grid.length; i++) if (losses[i]! < losses[best]!) best = i;
  if (!Number.isFinite(losses[best]!)) return null;
  let lo = grid[Math.max(0, best - 1)]!, hi = grid[Math.min(grid.length - 1, best + 1)]!;
  const g = (Math.sqrt(5) - 1) / 2;
  let x1 = hi - g * (hi - lo), x2 = lo + g * (hi - lo);
  let f1 = lossAt(x1), f2 = lossAt(x2);
  for (let it = 0; it < 60; it++) {
    if (f1 < f2) { hi = x2; x2 = x1; f2 = f1; x1 = hi - g * (hi - lo); f1 = lossAt(x1); }
    else { lo = x1; x1 = x2; f1 = f2; x2 = lo + g * (hi - lo); f2 = lossAt(x2); }
  }
  const alpha = Math.exp((lo + hi) / 2);
  const m = atAlpha(alpha);
  if (!m) return null;
  return { form: 'power-offset', coefficients: { c: m.c, k: m.k, alpha } };
}

export function fitCurve(form: FitForm, pts: readonly FitPoint[]): FittedCurve | null {
  return form === 'log-linear' ? fitLogLinear(pts) : fitPowerOffset(pts);
}

export function errorStats(curve: FittedCurve, pts: readonly FitPoint[]): ErrorStats {
  return errorsOf(pts.map((p) => ({ pred: evaluateCurve(curve, p.params), ppl: p.ppl })));
}

export function errorsOf(pairs: readonly { pred: number; ppl: number }[]): ErrorStats {
  let ae = 0, ape = 0, se = 0;
  for (const { pred, ppl } of pairs) {
    ae += Math.abs(pred - ppl);
    ape += Math.abs(pred - ppl) / ppl;
    se += (pred - ppl) ** 2;
  }
  const n = pairs.length;
  return { mae: ae / n, mape: (100 * ape) / n, rmse: Math.sqrt(se / n) };
}

/** Deterministic shuffle so that fold assignment, and so the recorded CV error, is reproducible. */
function shuffled(n: number, seed: number): number[] {
  return new Rng(seed).shuffle(Array.from({ length: n }, (_, i) => i));
}

/** Each point's prediction by a curve fitted without its fold (k folds, seeded), in input order; null if a fold fails. */
export function crossValidatedPredictions(form: FitForm, pts: readonly FitPoint[], folds: number, seed: number): number[] | null {
  const order = shuffled(pts.length, seed);
  const preds = new Array<number>(pts.length);
  for (let f = 0; f < folds; f++) {
    const test = order.filter((_, i) => i % folds === f);
    const testSet = new Set(test);
    const train = pts.filter((_, i) => !testSet.has(i));
    const curve = fitCurve(form, train);
    if (!curve) return null;
    for (const i of test) preds[i] = evaluateCurve(curve, pts[i]!.params);
  }
  return preds;
}

/** k-fold cross-validated error of a form: each point predicted by a curve fitted without its fold. */
export function crossValidate(form: FitForm, pts: readonly FitPoint[], folds: number, seed: number): ErrorStats | null {
  const preds = crossValidatedPredictions(form, pts, folds, seed);
  return preds && errorsOf(pts.map((p, i) => ({ pred: preds[i]!, ppl: p.ppl })));
}
