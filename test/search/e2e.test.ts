// One real end-to-end search: real spaces, real export and measurement in child processes on the cpu
// profile, with tiny bounds, a short sequence and a tight protocol so it stays quick.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ParetoFile } from '../../src/search/types.js';
import { paretoValidator, quickRealSearch, runRealSearch } from './helpers.js';

describe('lts search end to end (real measurements)', () => {
  it('measures a tiny GPT-2 search on the cpu profile and writes a valid pareto.json', async () => {
    const { device, settings } = quickRealSearch(['gpt2'], 3, [100_000, 2_000_000]);
    const { outDir, out } = await runRealSearch(device, settings);
    expect(out.history.length).toBeGreaterThanOrEqual(3);
    for (const r of out.history) {
      expect(r.measurement.error).toBeUndefined();
      expect(r.measurement.ok).toBe(true);
      expect(r.measurement.provider).toBe('cpu');
      expect(r.measurement.latency!.median_ms).toBeGreaterThan(0);
      expect(r.measurement.memory!.inference_peak_mb).toBeGreaterThan(0);
      expect(r.decoder_params).toBeLessThanOrEqual(2_000_000);
    }
    const p = JSON.parse(readFileSync(join(outDir, 'pareto.json'), 'utf8')) as ParetoFile;
    expect(paretoValidator()(p)).toBeNull();
    expect(p.frontier.length).toBeGreaterThanOrEqual(1);
    expect(p.fingerprint.execution_provider).toBe('cpu');
    expect(p.frontier.every((f) => f.predicted_ppl! > 1)).toBe(true);
    expect(p.calibration?.name).toBe('gpt2-wt103');
    expect(readFileSync(join(outDir, 'candidates.jsonl'), 'utf8').trim().split('\n').length).toBe(out.history.length);
  });
});
