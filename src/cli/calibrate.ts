import { Command, InvalidArgumentError } from 'commander';
import { calibrateFromAnchors, calibrateFromData } from '../calibrate/run.js';
import { FAMILIES, type Family } from '../space/types.js';
import { LtsError } from '../util/errors.js';

function familyOption(v: string): Family {
  if (!(FAMILIES as readonly string[]).includes(v)) throw new InvalidArgumentError(`expected one of ${FAMILIES.join(', ')}`);
  return v as Family;
}

interface CalibrateOptions {
  data?: string;
  base?: string;
  anchor?: string;
  out: string;
  family?: Family;
  dataset?: string;
  set?: string;
  name?: string;
  folds: string;
  split?: boolean;
}

export function calibrateCommand(): Command {
  return new Command('calibrate')
    .description('fit a perplexity-from-decoder-params calibration to your own trained models, or anchor one (--base, --anchor) to a few of them (used by search, report, params via --calibration)')
    .option('--data <file>', 'trained models: JSON lines or CSV, a config (lts, archai or Hugging Face) and a perplexity (valid_ppl or ppl) per row')
    .option('--base <name|file>', 'with --anchor: the calibration to shift (built-in name such as gpt2-wt103, or a file)')
    .option('--anchor <file>', 'with --base: your trained models (same format as --data); fewer than 5 fit the offset only')
    .requiredOption('--out <calibration.json>', 'where to write the calibration')
    .option('--family <family>', 'use only rows of this family', familyOption)
    .option('--dataset <name>', 'use only rows of this dataset (and record it)')
    .option('--set <name>', 'use only rows of this set')
    .option('--split', 'data mixing families or datasets: fit one calibration per family/dataset (<out>-<family>-<dataset>.json)')
    .option('--name <name>', 'calibration name (default: the output file name)')
    .option('--folds <k>', 'cross-validation folds', '5')
    .action((opts: CalibrateOptions) => {
      const filter = { ...(opts.family ? { family: opts.family } : {}), ...(opts.dataset ? { dataset: opts.dataset } : {}), ...(opts.set ? { set: opts.set } : {}) };
      let lines: string[];
      if (opts.anchor !== undefined || opts.base !== undefined) {
        if (opts.anchor === undefined || opts.base === undefined) throw new LtsError('--base and --anchor go together (the calibration to shift, and your trained models)');
        if (opts.data !== undefined) throw new LtsError('--data fits a new curve, --base/--anchor shift one: give one or the other');
        lines = calibrateFromAnchors({ base: opts.base, anchor: opts.anchor, out: opts.out, ...filter, ...(opts.name ? { name: opts.name } : {}) });
      } else {
        if (opts.data === undefined) throw new LtsError('give --data trained.jsonl (fit a curve) or --base <calibration> --anchor trained.jsonl (shift one)');
        const folds = Number(opts.folds);
        if (!Number.isInteger(folds) || folds < 2) throw new LtsError(`--folds must be an integer >= 2, got ${opts.folds}`);
        lines = calibrateFromData({ data: opts.data, out: opts.out, folds, ...filter, ...(opts.name ? { name: opts.name } : {}), ...(opts.split ? { split: true } : {}) });
      }
      for (const l of lines) process.stderr.write(`${l}\n`);
    });
}
