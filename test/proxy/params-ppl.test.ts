// `lts params` with a predicted perplexity: interval and calibrated-range flag, for archai and HF configs.
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { paramsCommand } from '../../src/cli/params.js';
import { LtsError } from '../../src/util/errors.js';

const fixture = (name: string): string => path.join(import.meta.dirname, '..', 'config', 'fixtures', `${name}.json`);

async function run(args: string[]): Promise<{ out: string; err: string }> {
  let out = '', err = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((c: string | Uint8Array) => ((out += String(c)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((c: string | Uint8Array) => ((err += String(c)), true));
  try {
    await paramsCommand().exitOverride().parseAsync(args, { from: 'user' });
  } finally {
    vi.restoreAllMocks();
  }
  return { out, err };
}

afterEach(() => vi.restoreAllMocks());

describe('lts params: predicted perplexity', () => {
  it('prints the interval and the range flag for an archai Transformer-XL config', async () => {
    const { out, err } = await run(['--config', fixture('archai-transfo-xl-wt103')]);
    expect(err).toMatch(/^lts: .*archai-transfo-xl-wt103\.json: read as archai config: /);
    expect(out).toMatch(/decoder\s+25,208,832/);
    expect(out).toMatch(/predicted ppl \d+ \[\d+-\d+\] {2}\(90 % interval, transfo-xl-wt103, unanchored/);
    // 25.2M decoder params lie above the 24.8M the wt103 curve was fitted up to.
    expect(out).toMatch(/calibrated range 0\.75M\.\.24\.83M decoder params: outside \(extrapolated, interval widened\)/);
  });

  it('--json carries the interval; an HF GPT-2 inside the lm1b range', async () => {
    const { out } = await run(['--config', fixture('hf-gpt2'), '--dataset', 'lm1b', '--json']);
    const j = JSON.parse(out) as { decoder_params: number; predicted_ppl: number; predicted_ppl_interval: Record<string, unknown> };
    expect(j.decoder_params).toBe(18_915_328);
    expect(j.predicted_ppl_interval).toMatchObject({ level: 0.9, anchored: false, in_range: true, calibration: 'gpt2-lm1b' });
    const { low, high } = j.predicted_ppl_interval as { low: number; high: number };
    expect(low).toBeLessThan(j.predicted_ppl);
    expect(high).toBeGreaterThan(j.predicted_ppl);
  });

  it('refuses a calibration meant for another family', async () => {
    await expect(run(['--config', fixture('hf-gpt2'), '--calibration', 'transfo-xl-wt103'])).rejects.toThrow(LtsError);
  });
});
