import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { calibrateCommand } from '../../src/cli/calibrate.js';
import { correlateCommand } from '../../src/cli/correlate.js';
import { loadCalibration, predictPpl } from '../../src/calibrate/index.js';
import { LtsError } from '../../src/util/errors.js';

const dir = mkdtempSync(join(tmpdir(), 'lts-cal-cli-'));

/** A CSV of 12 uniform GPT-2s whose perplexity falls with size, plus one unfinished run. */
function writeCsv(): string {
  const lines = ['set,family,dataset,n_layer,d_model,d_inner,n_head,valid_ppl'];
  for (let i = 0; i < 12; i++) {
    const n = 2 + (i % 4), d = 128 + 64 * Math.floor(i / 2);
    lines.push(`mine,gpt2,wt103,${n},${d},${4 * d},4,${(25 + 400 / Math.sqrt(n * d)).toFixed(3)}`);
  }
  lines.push('mine,gpt2,wt103,3,256,1024,4,');
  const path = join(dir, 'trained.csv');
  writeFileSync(path, lines.join('\n') + '\n');
  return path;
}

afterEach(() => vi.restoreAllMocks());

describe('lts calibrate / lts correlate', () => {
  it('calibrate fits a user table and writes a loadable calibration', async () => {
    const csv = writeCsv();
    const out = join(dir, 'mine.json');
    vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    await calibrateCommand().parseAsync(['--data', csv, '--out', out], { from: 'user' });
    const cal = loadCalibration(out);
    expect(cal).toMatchObject({ name: 'mine', family: 'gpt2', dataset: 'wt103', data: { source: csv, set: 'mine', n: 12, skipped: 1 } });
    expect(predictPpl(cal, 1e6)).toBeGreaterThan(predictPpl(cal, 1e7));
    expect(JSON.parse(readFileSync(out, 'utf8')).cv.folds).toBe(5);
  });

  it('calibrate refuses filters that match nothing', async () => {
    const csv = writeCsv();
    await expect(calibrateCommand().parseAsync(['--data', csv, '--out', join(dir, 'x.json'), '--family', 'transfo-xl'], { from: 'user' })).rejects.toThrow(LtsError);
  });

  it('correlate --json prints per-set statistics', async () => {
    const csv = writeCsv();
    let out = '';
    vi.spyOn(process.stdout, 'write').mockImplementation((s) => ((out += String(s)), true));
    await correlateCommand().parseAsync(['--data', csv, '--json'], { from: 'user' });
    const j = JSON.parse(out);
    expect(j.skipped).toBe(1);
    expect(j.groups).toHaveLength(1);
    expect(j.groups[0]).toMatchObject({ group: 'mine', n: 12, skipped: 1 });
    expect(j.groups[0].spearman).toBeGreaterThan(0.9);
  });
});
