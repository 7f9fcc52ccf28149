// An online cost model for one device and metric: cost = sum of non-negative coefficients x physical
// features, fitted on this run's own measurements, with a distribution-free interval per prediction.
//
// Why non-negative least squares: every feature is a count of work (FLOPs, bytes, layers) whose cost
// cannot be negative, so the sign constraint is physics, and it keeps a fit on 20-40 samples from
// trading one correlated feature against another (FLOPs and weight bytes grow together) into wild
// extrapolations. Rows are divided by the measured cost, so the fit minimizes relative error, which is
// what matters across a space whose costs span 20x.
//
// Why CV+ intervals (Barber, Candes, Ramdas, Tibshirani 2021): K fold models give out-of-fold ratios
// measured / predicted; a new candidate's interval is the quantile of (fold model's prediction x that
// fold's ratios). It needs no noise model, covers at least 1 - 2 alpha in theory, and widens by itself
// where the fold models disagree, i.e. where the candidate lies outside what was measured.
import { fcnnlsVector } from 'ml-fcnnls';

export interface CostSample {
  features: number[];
  /** The measured cost (ms or MB), > 0. */
  y: number;
}

export interface CostPrediction {
  /** The full-data model's prediction. */
  mean: number;
  /** Lower end of the interval (the optimistic cost); never above mean. */
  low: number;
  /** Upper end of the interval; never below mean. */
  high: number;
}

export interface CostModel {
  /** Samples the model was fitted on. */
  n: number;
  /** Coefficients in feature order (cost per unit of each feature), all >= 0. */
  coef: number[];
  predict(features: number[]): CostPrediction;
}

export interface FitOptions {
  /** Folds for the intervals (default 10, at most one per sample). */
  folds?: number;
  /** Tail probability of each interval end (default 0.05: a 90 % interval; CV+ needs n >= 19 for finite ends). */
  alpha?: number;
  /** Fewer samples than this: no model (default 10). */
  minSamples?: number;
}

const dot = (a: readonly number[], b: readonly number[]): number => a.reduce((s, v, i) => s + v * b[i]!, 0);

/** Relative-error NNLS: minimizes sum ((x.b - y) / y)^2 subject to b >= 0. Undefined if it fails. */
function nnlsRelative(samples: readonly CostSample[]): number[] | undefined {
  const p = samples[0]!.features.length;
  const rows = samples.map((s) => s.features.map((v) => v / s.y));
  // Columns scaled to a largest entry of 1: FLOPs (1e9) and the constant (1) in one problem otherwise
  // defeat the solver's absolute gradient tolerance. All-zero columns are left out (coefficient 0).
  const scale = Array.from({ length: p }, (_, j) => Math.max(...rows.map((r) => Math.abs(r[j]!))));
  const used = scale.map((s, j) => (s > 0 && Number.isFinite(s) ? j : -1)).filter((j) => j >= 0);
  if (used.length === 0) return undefined;
  const X = rows.map((r) => used.map((j) => r[j]! / scale[j]!));
  const y = samples.map(() => 1);
  // A whisper of ridge (one row sqrt(1e-6) e_j per column, target 0): collinear features (FLOPs that
  // grow together) otherwise make fcnnls's active set cycle until it gives up; on unit-scaled columns
  // this moves the fit by about a millionth.
  used.forEach((_, c) => {
    X.push(used.map((__, cc) => (cc === c ? 1e-3 : 0)));
    y.push(0);
  });
  let k: number[] | undefined;
  for (const gradientTolerance of [1e-10, 1e-8, 1e-6, 1e-4]) {
    try {
      k = fcnnlsVector(X, y, { maxIterations: 30 * used.length, gradientTolerance }).K.to1DArray();
      break;
    } catch {
      /* still cycling: a looser tolerance */
    }
  }
  if (!k) return undefined;
  const coef = new Array<number>(p).fill(0);
  used.forEach((j, i) => (coef[j] = Math.max(0, k[i]!) / scale[j]!));
  return coef.every(Number.isFinite) ? coef : undefined;
}

/** The conformal k-th smallest: index floor(q (n + 1)), clamped; -Infinity / +Infinity beyond the data. */
function conformalQuantile(sorted: readonly number[], q: number, lower: boolean): number {
  const n = sorted.length;
  if (lower) {
    const k = Math.floor(q * (n + 1));
    return k < 1 ? Number.NEGATIVE_INFINITY : sorted[k - 1]!;
  }
  const k = Math.ceil((1 - q) * (n + 1));
  return k > n ? Number.POSITIVE_INFINITY : sorted[k - 1]!;
}

/** Fits a cost model on measured samples; undefined when there are too few or the fit fails. */
export function fitCostModel(samples: readonly CostSample[], opts: FitOptions = {}): CostModel | undefined {
  const good = samples.filter((s) => s.y > 0 && Number.isFinite(s.y) && s.features.every(Number.isFinite));
  if (good.length < (opts.minSamples ?? 10)) return undefined;
  const coef = nnlsRelative(good);
  if (!coef) return undefined;
  const alpha = opts.alpha ?? 0.05;
  const K = Math.min(opts.folds ?? 10, good.length);

  // Fold k holds samples i with i % K === k (deterministic: the same samples give the same model).
  const foldCoef: number[][] = [];
  for (let k = 0; k < K; k++) {
    const c = nnlsRelative(good.filter((_, i) => i % K !== k));
    if (!c) return undefined;
    foldCoef.push(c);
  }
  // Out-of-fold ratio measured / predicted for each sample, with the fold it was held out of.
  const ratios = good.map((s, i) => {
    const pred = dot(foldCoef[i % K]!, s.features);
    return { fold: i % K, ratio: pred > 0 ? s.y / pred : Number.POSITIVE_INFINITY };
  });

  return {
    n: good.length,
    coef,
    predict(features: number[]): CostPrediction {
      const mean = dot(coef, features);
      const perFold = foldCoef.map((c) => dot(c, features));
      const candidates = ratios.map((r) => perFold[r.fold]! * r.ratio).sort((a, b) => a - b);
      const low = conformalQuantile(candidates, alpha, true);
      const high = conformalQuantile(candidates, alpha, false);
      return { mean, low: Math.max(0, Math.min(mean, low)), high: Math.max(mean, high) };
    },
  };
}
