// Perplexity calibration: predicted validation perplexity from decoder params, per family and dataset.
import { join } from 'node:path';
import { decoderParams } from '../proxy/index.js';
import { familyDefinition } from '../families/index.js';
import { FAMILIES, type Family } from '../space/types.js';
import { LtsError } from '../util/errors.js';
import { readJsonFile, resolveNamed } from '../util/files.js';
import { packageRoot } from '../util/package.js';
import type { TrainedRow } from './data.js';
import { crossValidatedPredictions, errorsOf, errorStats, evaluateCurve, FIT_FORMS, fitCurve, formula, PARAMS_UNIT, type ErrorStats, type FitForm, type FitPoint } from './fit.js';
import { curvePpl } from './curve.js';
import { intervalSpec, type IntervalSpec } from './interval.js';
import type { AnchorSpec } from './anchor.js';
import { spearman } from '../util/rank.js';

export { averageRanks, kendallTauB, spearman, topOverlap } from '../util/rank.js';
export { readTrainedFile, parseTrainedText, parseCsv, groupRows, toArchConfig, type TrainedRow, type TrainedTable } from './data.js';
export { correlateTable, type GroupCorrelation } from './correlate.js';
export { FIT_FORMS, PARAMS_UNIT, type FitForm, type FitPoint, type ErrorStats } from './fit.js';
export { predictInterval, formatPrediction, intervalRecord, pplDecimals, INTERVAL_LEVEL, TABLE_RECIPE_LOG_SIGMA, type PplPrediction, type PplInterval, type IntervalSpec } from './interval.js';
export { anchorCalibration, type AnchorSpec } from './anchor.js';

export const DATASETS = ['wt103', 'lm1b'] as const;

/** A calibration file (calibrations/*.json or `lts calibrate --out`). */
export interface Calibration {
  schema_version: 1;
  name: string;
  family: Family | 'any';
  dataset: string;
  /** Families this curve is meant for (Primer borrows GPT-2's). */
  applies_to: Family[];
  note?: string;
  data: {
    source: string;
    set?: string;
    /** Rows fitted (with a perplexity). */
    n: number;
    /** Rows left out for having no perplexity. */
    skipped: number;
    params: string;
  };
  fit: {
    form: FitForm;
    formula: string;
    params_unit: number;
    coefficients: Record<string, number>;
    chosen_by: string;
  };
  /** k-fold cross-validated error of the chosen form, and of every form tried. */
  cv: ErrorStats & { folds: number; seed: number; forms: Partial<Record<FitForm, ErrorStats>> };
  in_sample: ErrorStats & { spearman: number };
  /** Decoder params of the fitted rows: predictions outside are extrapolations. */
  params_range: { min: number; max: number };
  ppl_range: { min: number; max: number };
  /** Error on a related set not used for fitting, where one was available. */
  held_out?: ErrorStats & { set: string; n: number };
  /** How the 90 % interval of a prediction is made (absent in files written before intervals). */
  interval?: IntervalSpec;
  /** The user's trained models this curve was shifted to (`lts calibrate --anchor`). */
  anchor?: AnchorSpec;
}

export interface FitOptions {
  name: string;
  family: Family | 'any';
  dataset: string;
  source: string;
  set?: string;
  skipped?: number;
  note?: string;
  applies_to?: Family[];
  /** Folds for cross-validation (default 5, at most n). */
  folds?: number;
  seed?: number;
  /** Forms to try (default both); the one with the lowest cross-validated MAE is kept. */
  forms?: FitForm[];
}

function toPoints(rows: readonly (TrainedRow | FitPoint)[]): FitPoint[] {
  return rows.map((r) => ('config' in r ? { params: decoderParams(r.config), ppl: r.ppl } : { params: r.params, ppl: r.ppl }));
}

const MIN_ROWS = 5;

/** Fits every form, keeps the one with the lowest k-fold cross-validated MAE of perplexity. */
export function fitCalibration(rows: readonly (TrainedRow | FitPoint)[], opts: FitOptions): Calibration {
  const pts = toPoints(rows);
  if (pts.length < MIN_ROWS) throw new LtsError(`calibration needs at least ${MIN_ROWS} rows with a perplexity, got ${pts.length}`);
  for (const p of pts) {
    if (!(p.params > 0) || !(p.ppl > 0)) throw new LtsError(`calibration rows need params > 0 and ppl > 0 (got ${p.params}, ${p.ppl})`);
  }
  const folds = Math.min(opts.folds ?? 5, pts.length);
  const seed = opts.seed ?? 1;
  const forms = opts.forms ?? [...FIT_FORMS];
  const cvByForm: Partial<Record<FitForm, ErrorStats>> = {};
  const cvPreds: Partial<Record<FitForm, number[]>> = {};
  let chosen: FitForm | null = null;
  for (const form of forms) {
    const preds = crossValidatedPredictions(form, pts, folds, seed);
    if (!preds) continue;
    cvPreds[form] = preds;
    cvByForm[form] = errorsOf(pts.map((p, i) => ({ pred: preds[i]!, ppl: p.ppl })));
    if (chosen === null || cvByForm[form]!.mae < cvByForm[chosen]!.mae) chosen = form;
  }
  if (chosen === null) throw new LtsError('no calibration form could be fitted to these rows');
  const curve = fitCurve(chosen, pts)!;
  const slope = evaluateCurve(curve, Math.max(...pts.map((p) => p.params))) - evaluateCurve(curve, Math.min(...pts.map((p) => p.params)));
  if (!(slope < 0)) {
    throw new LtsError(`perplexity does not fall as decoder params grow in ${opts.source}: no usable calibration`);
  }
  const inSample = errorStats(curve, pts);
  const params = pts.map((p) => p.params);
  const ppls = pts.map((p) => p.ppl);
  const cal: Calibration = {
    schema_version: 1,
    name: opts.name,
    family: opts.family,
    dataset: opts.dataset,
    applies_to: opts.applies_to ?? (opts.family === 'any' ? [...FAMILIES] : [opts.family]),
    ...(opts.note ? { note: opts.note } : {}),
    data: {
      source: opts.source,
      ...(opts.set ? { set: opts.set } : {}),
      n: pts.length,
      skipped: opts.skipped ?? 0,
      params: 'decoder params recomputed with the exact formulas (src/proxy decoderParams)',
    },
    fit: { form: chosen, formula: formula(chosen), params_unit: PARAMS_UNIT, coefficients: curve.coefficients, chosen_by: `lowest ${folds}-fold cross-validated MAE of ppl` },
    cv: { ...cvByForm[chosen]!, folds, seed, forms: cvByForm },
    in_sample: { ...inSample, spearman: spearman(params, ppls.map((p) => -p)) },
    params_range: { min: Math.min(...params), max: Math.max(...params) },
    ppl_range: { min: Math.min(...ppls), max: Math.max(...ppls) },
    interval: intervalSpec(pts, cvPreds[chosen]!, folds, alternativeFit(forms.filter((f) => f !== chosen && cvPreds[f]), pts)),
  };
  return cal;
}

/** The runner-up form fitted to all rows, kept so that extrapolations can show how far the forms part. */
function alternativeFit(others: readonly FitForm[], pts: readonly FitPoint[]): IntervalSpec['alternative'] {
  const form = others[0];
  const curve = form ? fitCurve(form, pts) : null;
  return curve ? { form: curve.form, coefficients: curve.coefficients } : undefined;
}

/** Error of a calibration on rows it was not fitted on. */
export function calibrationError(cal: Calibration, rows: readonly (TrainedRow | FitPoint)[]): ErrorStats {
  return errorsOf(toPoints(rows).map((p) => ({ pred: curvePpl(cal, p.params), ppl: p.ppl })));
}

/** Predicted validation perplexity for a model with this many decoder params (anchored curves shifted). */
export function predictPpl(cal: Calibration, params: number): number {
  return curvePpl(cal, params);
}

/** Whether a prediction lies inside the params the calibration was fitted on (else it extrapolates). */
export function inCalibratedRange(cal: Calibration, params: number): boolean {
  return params >= cal.params_range.min && params <= cal.params_range.max;
}

/** The `calibration` entry of pareto.json. */
export function calibrationRef(cal: Calibration): { name: string; family: Family | 'any'; dataset: string; note?: string } {
  return { name: cal.name, family: cal.family, dataset: cal.dataset, ...(cal.note ? { note: cal.note } : {}) };
}

export function calibrationsDir(): string {
  return join(packageRoot(), 'calibrations');
}

/** Checks a parsed calibration file; throws LtsError naming the bad field. */
export function validateCalibration(v: unknown, where: string): Calibration {
  const bad = (field: string): never => {
    throw new LtsError(`${where}: not a calibration file (bad or missing ${field})`);
  };
  if (typeof v !== 'object' || v === null) return bad('object');
  const c = v as Partial<Calibration>;
  if (c.schema_version !== 1) bad('schema_version');
  if (typeof c.name !== 'string' || c.name === '') bad('name');
  if (c.family !== 'any' && !FAMILIES.includes(c.family as Family)) bad('family');
  if (typeof c.dataset !== 'string') bad('dataset');
  if (!c.fit || !FIT_FORMS.includes(c.fit.form)) bad('fit.form');
  const coef = c.fit!.coefficients ?? {};
  const need = c.fit!.form === 'log-linear' ? ['a', 'b'] : ['c', 'k', 'alpha'];
  for (const k of need) if (typeof coef[k] !== 'number' || !Number.isFinite(coef[k])) bad(`fit.coefficients.${k}`);
  if (c.fit!.params_unit !== PARAMS_UNIT) bad('fit.params_unit');
  if (!c.params_range || !(c.params_range.min > 0) || !(c.params_range.max >= c.params_range.min)) bad('params_range');
  if (!c.cv || typeof c.cv.mae !== 'number') bad('cv');
  if (!Array.isArray(c.applies_to)) bad('applies_to');
  if (c.interval !== undefined) {
    const i = c.interval;
    if (typeof i !== 'object' || i === null || !(i.curve_log_sigma >= 0) || !(i.recipe_log_sigma >= 0)) bad('interval');
  }
  if (c.anchor !== undefined) {
    const a = c.anchor;
    for (const k of ['n', 'shift_log', 'tilt', 'center_log_params', 'residual_log_sigma', 'sxx'] as const) {
      if (typeof a?.[k] !== 'number' || !Number.isFinite(a[k])) bad(`anchor.${k}`);
    }
    if (!(a!.n >= 1)) bad('anchor.n');
  }
  return c as Calibration;
}

/** A built-in calibration by name (e.g. 'gpt2-wt103'), or a calibration file by path. */
export function loadCalibration(nameOrPath: string): Calibration {
  const file = resolveNamed(nameOrPath, calibrationsDir(), (name) => `no built-in calibration '${name}' (have: ${builtinNames().join(', ')})`);
  return validateCalibration(readJsonFile(file, 'calibration'), nameOrPath);
}

export function builtinNames(): string[] {
  return [...new Set(FAMILIES.flatMap((f) => DATASETS.map((d) => familyDefinition(f).calibration(d).name)))];
}

/**
 * The built-in calibration for a family and dataset: the family names it, and says in a note when it
 * borrows another family's curve (Primer has no trained table and uses GPT-2's).
 */
export function builtinCalibration(family: Family, dataset: string = 'wt103'): Calibration {
  if (!FAMILIES.includes(family)) throw new LtsError(`unknown family '${family}' (expected ${FAMILIES.join(', ')})`);
  if (!(DATASETS as readonly string[]).includes(dataset)) throw new LtsError(`no built-in calibration for dataset '${dataset}' (have: ${DATASETS.join(', ')})`);
  const { name, note } = familyDefinition(family).calibration(dataset);
  const cal = loadCalibration(name);
  return note ? { ...cal, note } : cal;
}
