// What `lts calibrate` does: fit per family and dataset (never one curve over mixed groups), or anchor
// a base calibration to the user's trained models. Writes the files; returns the lines to print.
import { basename, dirname, join } from 'node:path';
import { decoderParams } from '../proxy/index.js';
import type { Family } from '../space/types.js';
import { writeFileAtomic } from '../util/atomic.js';
import { LtsError } from '../util/errors.js';
import { importNote } from '../config/import.js';
import { anchorCalibration, MIN_ANCHORS_FOR_SLOPE } from './anchor.js';
import { readTrainedFile, type TrainedRow, type TrainedTable } from './data.js';
import { DATASETS, fitCalibration, loadCalibration, type Calibration } from './index.js';
import { Z90 } from './interval.js';

export interface RowFilter {
  family?: Family;
  dataset?: string;
  set?: string;
}

const pct = (logHalf: number): string => `${(100 * (Math.exp(logHalf) - 1)).toFixed(1)} %`;

function keepRow(f: RowFilter): (r: Pick<TrainedRow, 'family' | 'dataset' | 'set'>) => boolean {
  return (r) => (!f.family || r.family === f.family) && (!f.dataset || r.dataset === f.dataset) && (!f.set || r.set === f.set);
}

function readFiltered(file: string, f: RowFilter): { table: TrainedTable; rows: TrainedRow[]; notes: string[] } {
  const table = readTrainedFile(file);
  const rows = table.rows.filter(keepRow(f));
  if (rows.length === 0) throw new LtsError(`${file}: no rows match the --family/--dataset/--set filters`);
  const notes = table.imported.flatMap((i) => importNote(i, file) ?? []);
  return { table, rows, notes };
}

/** family/dataset of a row: the unit a calibration may cover. */
const groupKey = (r: TrainedRow): string => `${r.family}/${r.dataset ?? 'unspecified'}`;

function intervalLine(cal: Calibration): string {
  const i = cal.interval!;
  return `90 % interval: curve ±${pct(Z90 * i.curve_log_sigma)}, with the unanchored recipe term ±${pct(Z90 * Math.hypot(i.curve_log_sigma, i.recipe_log_sigma))}`;
}

export interface FitRequest extends RowFilter {
  data: string;
  out: string;
  name?: string;
  folds: number;
  /** Fit one file per family/dataset group instead of refusing mixed data. */
  split?: boolean;
}

export function calibrateFromData(req: FitRequest): string[] {
  const { table, rows, notes } = readFiltered(req.data, req);
  const groups = new Map<string, TrainedRow[]>();
  for (const r of rows) groups.set(groupKey(r), [...(groups.get(groupKey(r)) ?? []), r]);
  if (groups.size > 1 && !req.split) {
    const list = [...groups.entries()].map(([k, g]) => `${k} (${g.length} rows)`).join(', ');
    throw new LtsError(
      `${req.data} mixes ${groups.size} family/dataset groups: ${list}; perplexities of different families or datasets do not lie on one curve: ` +
        'pick one with --family and --dataset, or fit each with --split',
    );
  }
  const lines = [...notes];
  const stem = basename(req.out).replace(/\.json$/, '');
  for (const [key, groupRowsOf] of groups) {
    const [family, dataset] = key.split('/') as [Family, string];
    const out = groups.size > 1 ? join(dirname(req.out), `${stem}-${family}-${dataset}.json`) : req.out;
    const sets = [...new Set(groupRowsOf.flatMap((r) => (r.set ? [r.set] : [])))];
    const keep = keepRow(req);
    const cal = fitCalibration(groupRowsOf, {
      name: groups.size > 1 ? `${req.name ?? stem}-${family}-${dataset}` : (req.name ?? stem),
      family,
      dataset: req.dataset ?? dataset,
      source: req.data,
      ...(sets.length === 1 ? { set: sets[0]! } : {}),
      skipped: table.skippedRows.filter((r) => keep(r) && `${r.family}/${r.dataset ?? 'unspecified'}` === key).length,
      folds: Math.min(req.folds, groupRowsOf.length),
    });
    writeFileAtomic(out, JSON.stringify(cal, null, 2) + '\n');
    const c = cal.cv;
    lines.push(
      `${cal.name}: ${cal.data.n} rows (${key}), ${cal.fit.form} (${cal.fit.formula}), ${c.folds}-fold CV MAE ${c.mae.toFixed(2)} ppl, MAPE ${c.mape.toFixed(2)} %; ${intervalLine(cal)}; wrote ${out}`,
    );
  }
  return lines;
}

export interface AnchorRequest extends RowFilter {
  base: string;
  anchor: string;
  out: string;
  name?: string;
}

export function calibrateFromAnchors(req: AnchorRequest): string[] {
  const base = loadCalibration(req.base);
  const { rows, notes } = readFiltered(req.anchor, req);
  for (const r of rows) {
    if (!base.applies_to.includes(r.family)) {
      throw new LtsError(`${req.anchor}:${r.line}: a ${r.family} model cannot anchor ${base.name}, which is for ${base.applies_to.join(', ')}`);
    }
    if (r.dataset && (DATASETS as readonly string[]).includes(base.dataset) && r.dataset !== base.dataset) {
      throw new LtsError(`${req.anchor}:${r.line}: trained on ${r.dataset}, but ${base.name} is a ${base.dataset} curve (use the ${r.family}-${r.dataset} base)`);
    }
  }
  const name = req.name ?? basename(req.out).replace(/\.json$/, '');
  const cal = anchorCalibration(base, rows.map((r) => ({ ...(r.id ? { id: r.id } : {}), params: decoderParams(r.config), ppl: r.ppl })), { name, source: req.anchor });
  writeFileAtomic(req.out, JSON.stringify(cal, null, 2) + '\n');
  const a = cal.anchor!;
  const half = Z90 * Math.hypot(cal.interval!.curve_log_sigma, a.residual_log_sigma / Math.sqrt(a.n));
  const lines = [
    ...notes,
    `${name}: ${base.name} anchored to ${a.n} trained model(s) (${a.fitted}${a.n < MIN_ANCHORS_FOR_SLOPE ? `: fewer than ${MIN_ANCHORS_FOR_SLOPE} anchors, slope kept` : ''}): level ${a.shift_pct >= 0 ? '+' : ''}${a.shift_pct.toFixed(1)} % (ln shift ${a.shift_log.toFixed(4)})`,
    ...a.anchors.map((x) => `  ${(x.id ?? '').padEnd(16)} ${(x.params / 1e6).toFixed(2).padStart(7)}M decoder params  ppl ${x.ppl.toFixed(2)}  base ${x.base_ppl.toFixed(2)}  anchored ${x.anchored_ppl.toFixed(2)}`),
    `anchors' error: MAPE ${a.error_before.mape.toFixed(2)} % before, ${a.error_after.mape.toFixed(2)} % after (in-sample); 90 % interval at their centre ±${pct(half)} (was ±${pct(Z90 * Math.hypot(cal.interval!.curve_log_sigma, base.interval?.recipe_log_sigma ?? 0))} unanchored); wrote ${req.out}`,
    ...(a.n >= 30 ? [`with ${a.n} trained models, a full fit of their own (lts calibrate --data ${req.anchor}) may serve better`] : []),
  ];
  return lines;
}
