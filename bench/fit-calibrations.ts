// Regenerates the built-in calibrations (calibrations/*.json) from the shared trained-architecture table.
// Usage: node dist/bench/fit-calibrations.js [path/to/random-models.jsonl]
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { calibrationError, calibrationsDir, fitCalibration, groupRows, readTrainedFile, type Calibration } from '../src/calibrate/index.js';
import type { Family } from '../src/space/types.js';

const SOURCE_LABEL = 'shared/data/lts-tabular/random-models.jsonl';

const JOBS: { name: string; family: Family; dataset: string; set: string; heldOut?: string; note?: string; applies_to?: Family[] }[] = [
  {
    name: 'gpt2-wt103', family: 'gpt2', dataset: 'wt103', set: 'random_GPT2_wt103', applies_to: ['gpt2', 'primer'],
    note: 'Also used for Primer (no trained Primer models to fit on).',
  },
  {
    name: 'gpt2-lm1b', family: 'gpt2', dataset: 'lm1b', set: 'random_GPT2_lm1b', applies_to: ['gpt2', 'primer'],
    note: 'Also used for Primer (no trained Primer models to fit on). Params recomputed: the source table counted these with the Transformer-XL attention formula.',
  },
  { name: 'transfo-xl-wt103', family: 'transfo-xl', dataset: 'wt103', set: 'random_TransXL_wt103', heldOut: 'random_TransXL_wt103_homogeneous' },
  { name: 'transfo-xl-lm1b', family: 'transfo-xl', dataset: 'lm1b', set: 'random_TransXL_lm1b' },
];

function main(): void {
  const file = resolve(process.argv[2] ?? join(calibrationsDir(), '..', '..', 'shared', 'data', 'lts-tabular', 'random-models.jsonl'));
  const table = readTrainedFile(file);
  const groups = groupRows(table.rows);
  const outDir = calibrationsDir();
  mkdirSync(outDir, { recursive: true });
  for (const job of JOBS) {
    const rows = groups.get(job.set);
    if (!rows) throw new Error(`set ${job.set} not in ${file}`);
    const cal: Calibration = fitCalibration(rows, {
      name: job.name, family: job.family, dataset: job.dataset, source: SOURCE_LABEL, set: job.set,
      skipped: table.skippedByGroup[job.set] ?? 0, applies_to: job.applies_to, note: job.note,
    });
    if (job.heldOut) {
      const held = groups.get(job.heldOut)!;
      cal.held_out = { set: job.heldOut, n: held.length, ...calibrationError(cal, held) };
    }
    const out = join(outDir, `${job.name}.json`);
    writeFileSync(`${out}.tmp`, JSON.stringify(cal, null, 2) + '\n');
    renameSync(`${out}.tmp`, out);
    const f = (x: number): string => x.toFixed(2);
    const forms = Object.entries(cal.cv.forms).map(([k, v]) => `${k} MAE ${f(v.mae)} MAPE ${f(v.mape)}%`).join('; ');
    console.log(`${job.name}: n=${cal.data.n} chose ${cal.fit.form} ${JSON.stringify(cal.fit.coefficients)}; CV ${forms}${cal.held_out ? `; held-out ${job.heldOut} MAE ${f(cal.held_out.mae)} MAPE ${f(cal.held_out.mape)}%` : ''}`);
  }
}

main();
