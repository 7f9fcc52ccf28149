import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { perplexityAnnotator } from '../../src/search/calibration.js';
import { formatDuration, progressLine, progressReporter } from '../../src/search/progress.js';
import type { FrontierPoint } from '../../src/search/types.js';

describe('progress', () => {
  it('formats durations', () => {
    expect(formatDuration(4_400)).toBe('4s');
    expect(formatDuration(125_000)).toBe('2m05s');
    expect(formatDuration(3 * 3600_000 + 7 * 60_000)).toBe('3h07m');
  });

  it('prints plain lines (no bar) when stderr is not a terminal, once per iteration and on stop', () => {
    let out = '';
    const stream = new Writable({ write(chunk, _e, cb) { out += String(chunk); cb(); } }) as unknown as NodeJS.WriteStream;
    const r = progressReporter(stream, 60_000);
    const p = { iteration: 0, iterations: 2, evaluated: 0, failed: 0, measured_now: 0, cached: 0, frontier: 0, planned: 20, elapsed_ms: 0, evaluators: 1 };
    r.update(p);
    r.update({ ...p, evaluated: 3, measured_now: 3, frontier: 2, elapsed_ms: 9000, eta_ms: 51_000 });
    r.update({ ...p, iteration: 1, evaluated: 10, failed: 1, measured_now: 10, frontier: 4, elapsed_ms: 30_000, eta_ms: 30_000 });
    r.stop();
    const lines = out.trim().split('\n');
    expect(lines).toEqual([
      'iteration 0/2  evaluated 0/20  failed 0  frontier 0  elapsed 0s  left ~?',
      'iteration 1/2  evaluated 10/20  failed 1  frontier 4  elapsed 30s  left ~30s',
    ]);
    expect(out).not.toContain('\x1b');
    expect(progressLine({ ...p, cached: 5 })).toContain('resumed: 5 known');
  });
});

describe('perplexityAnnotator', () => {
  const point = (family: FrontierPoint['family'], decoder_params: number): FrontierPoint => ({
    id: `${family}-x`, key: 'k', family, config: {} as FrontierPoint['config'], iteration: 0, decoder_params, total_params: decoder_params,
    timing: { export_ms: 0, session_ms: 0, measure_ms: 0, total_ms: 0 },
  });

  it('predicts lower perplexity for more decoder params and names the calibration', () => {
    const a = perplexityAnnotator(['gpt2'], {})([point('gpt2', 10e6), point('gpt2', 60e6)]);
    expect(a.calibration?.name).toBe('gpt2-wt103');
    expect(a.points[0]!.predicted_ppl!).toBeGreaterThan(a.points[1]!.predicted_ppl!);
  });

  it('lists per-family calibrations when several families share a frontier', () => {
    const a = perplexityAnnotator(['gpt2', 'transfo-xl', 'primer'], { dataset: 'lm1b' })([point('transfo-xl', 20e6), point('primer', 20e6)]);
    expect(a.calibration?.family).toBe('any');
    expect(a.calibration?.note).toMatch(/gpt2: gpt2-lm1b.*transfo-xl: transfo-xl-lm1b.*primer/);
    expect(a.points.every((p) => p.predicted_ppl! > 1)).toBe(true);
  });
});
