import { Command, InvalidArgumentError } from 'commander';
import { basename } from 'node:path';
import { fitCalibration, readTrainedFile, type TrainedRow } from '../calibrate/index.js';
import { FAMILIES, type Family } from '../space/types.js';
import { writeFileAtomic } from '../util/atomic.js';
import { LtsError } from '../util/errors.js';

function familyOption(v: string): Family {
  if (!(FAMILIES as readonly string[]).includes(v)) throw new InvalidArgumentError(`expected one of ${FAMILIES.join(', ')}`);
  return v as Family;
}

interface CalibrateOptions {
  data: string;
  out: string;
  family?: Family;
  dataset?: string;
  set?: string;
  name?: string;
  folds: string;
}

export function calibrateCommand(): Command {
  return new Command('calibrate')
    .description('fit a perplexity-from-decoder-params calibration to your own trained models (used by search and report via --calibration)')
    .requiredOption('--data <file>', 'trained models: JSON lines or CSV, a config and a perplexity (valid_ppl or ppl) per row')
    .requiredOption('--out <calibration.json>', 'where to write the calibration')
    .option('--family <family>', 'use only rows of this family', familyOption)
    .option('--dataset <name>', 'use only rows of this dataset (and record it)')
    .option('--set <name>', 'use only rows of this set')
    .option('--name <name>', 'calibration name (default: the output file name)')
    .option('--folds <k>', 'cross-validation folds', '5')
    .action((opts: CalibrateOptions) => {
      const table = readTrainedFile(opts.data);
      const keep = (r: Pick<TrainedRow, 'family' | 'dataset' | 'set'>): boolean =>
        (!opts.family || r.family === opts.family) && (!opts.dataset || r.dataset === opts.dataset) && (!opts.set || r.set === opts.set);
      const rows = table.rows.filter(keep);
      if (rows.length === 0) throw new LtsError(`${opts.data}: no rows match the --family/--dataset/--set filters`);
      const families = [...new Set(rows.map((r) => r.family))];
      const datasets = [...new Set(rows.flatMap((r) => (r.dataset ? [r.dataset] : [])))];
      const sets = [...new Set(rows.flatMap((r) => (r.set ? [r.set] : [])))];
      const folds = Number(opts.folds);
      if (!Number.isInteger(folds) || folds < 2) throw new LtsError(`--folds must be an integer >= 2, got ${opts.folds}`);
      const cal = fitCalibration(rows, {
        name: opts.name ?? basename(opts.out).replace(/\.json$/, ''),
        family: families.length === 1 ? families[0]! : 'any',
        dataset: opts.dataset ?? (datasets.length === 1 ? datasets[0]! : datasets.length ? datasets.join('+') : 'unspecified'),
        source: opts.data,
        ...(sets.length === 1 ? { set: sets[0]! } : {}),
        skipped: table.skippedRows.filter(keep).length,
        folds,
        ...(families.length > 1 ? { note: `fitted across families ${families.join(', ')}` } : {}),
      });
      writeFileAtomic(opts.out, JSON.stringify(cal, null, 2) + '\n');
      const c = cal.cv;
      process.stderr.write(
        `${cal.name}: ${cal.data.n} rows, ${cal.fit.form} (${cal.fit.formula}), ${c.folds}-fold CV MAE ${c.mae.toFixed(2)} ppl, MAPE ${c.mape.toFixed(2)} %; wrote ${opts.out}\n`,
      );
    });
}
