import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { driftRows } from '../../src/report/drift-plot.js';
import { writeReport } from '../../src/report/index.js';
import { runSearch } from '../../src/search/loop.js';
import { searchSpaces } from '../../src/search/spaces.js';
import type { ParetoFile } from '../../src/search/types.js';
import { device, DriftingEvaluator, settings, tmp } from '../search/helpers.js';

describe('report of a drift-corrected search', () => {
  it('plots the sentinel series, ranks by corrected costs and says the drift exceeded the target', async () => {
    const s = settings({ drift_correction: 'on', sentinel_every: 4, iterations: 1 });
    const ev = new DriftingEvaluator((t) => 1 + (t - 1_000_000) / 100_000);
    const dir = tmp();
    await runSearch({ outDir: dir, device, settings: s, evaluators: [ev], spaces: searchSpaces(s.families, { min: s.param_min, max: s.param_max }), now: ev.now });
    const p = JSON.parse(readFileSync(join(dir, 'pareto.json'), 'utf8')) as ParetoFile;
    const rows = driftRows(p.drift!.series);
    expect(rows.length).toBe(p.drift!.points);
    expect(rows[0]).toMatchObject({ minutes: 0, factor: 1 });
    expect(rows[rows.length - 1]!.factor).toBeGreaterThan(1.1);
    await writeReport(dir);
    expect(existsSync(join(dir, 'drift.svg'))).toBe(true);
    const html = readFileSync(join(dir, 'report.html'), 'utf8');
    expect(html).toContain('<h2>Drift</h2>');
    expect(html).toContain('drift-corrected (ms)');
    expect(html).toContain('exceeded the protocol');
    const csv = readFileSync(join(dir, 'frontier.csv'), 'utf8');
    expect(csv.split('\n').length).toBeGreaterThan(2);
  });
});
