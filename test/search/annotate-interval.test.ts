// The search's perplexity annotation: intervals on every frontier point, anchored calibrations honoured.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { anchorCalibration, loadCalibration, predictPpl } from '../../src/calibrate/index.js';
import { perplexityAnnotator } from '../../src/search/calibration.js';
import type { FrontierPoint } from '../../src/search/types.js';

const point = (family: FrontierPoint['family'], decoder_params: number): FrontierPoint => ({
  id: `${family}-${decoder_params}`, key: 'k', family, config: {} as FrontierPoint['config'], iteration: 0, decoder_params, total_params: decoder_params,
  timing: { export_ms: 0, session_ms: 0, measure_ms: 0, total_ms: 0 },
});

describe('perplexityAnnotator intervals', () => {
  it('gives every point a 90 % interval, flagged unanchored and extrapolated where it is', () => {
    const a = perplexityAnnotator(['gpt2'], {})([point('gpt2', 10e6), point('gpt2', 90e6)]);
    const [inside, outside] = a.points;
    expect(inside!.predicted_ppl_interval).toMatchObject({ level: 0.9, anchored: false, in_range: true, calibration: 'gpt2-wt103' });
    expect(outside!.predicted_ppl_interval).toMatchObject({ in_range: false });
    expect(inside!.predicted_ppl_interval!.low).toBeLessThan(inside!.predicted_ppl!);
    expect(inside!.predicted_ppl_interval!.high).toBeGreaterThan(inside!.predicted_ppl!);
  });

  it('uses an anchored calibration file for the families it is meant for, built-ins for the others', () => {
    const base = loadCalibration('gpt2-wt103');
    const anchored = anchorCalibration(base, [{ params: 5e6, ppl: predictPpl(base, 5e6) * 1.08 }, { params: 2e7, ppl: predictPpl(base, 2e7) * 1.08 }], { name: 'mine', source: 'test' });
    const file = join(mkdtempSync(join(tmpdir(), 'lts-annot-')), 'mine.json');
    writeFileSync(file, JSON.stringify(anchored));
    const a = perplexityAnnotator(['gpt2', 'transfo-xl'], { calibration: file })([point('gpt2', 10e6), point('transfo-xl', 10e6)]);
    const [g, t] = a.points;
    expect(g!.predicted_ppl).toBeCloseTo(predictPpl(base, 10e6) * 1.08, 6);
    expect(g!.predicted_ppl_interval).toMatchObject({ anchored: true, calibration: 'mine' });
    expect(t!.predicted_ppl_interval).toMatchObject({ anchored: false, calibration: 'transfo-xl-wt103' });
    expect(a.calibration?.name).toBe('mine+transfo-xl-wt103');
  });
});
