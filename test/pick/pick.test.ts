import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { pickCommand } from '../../src/cli/pick.js';
import { pickPoint } from '../../src/pick/index.js';
import { reportCalibrations } from '../../src/report/calibration.js';
import { costOf } from '../../src/report/index.js';
import { LtsError } from '../../src/util/errors.js';
import { makeRunDir } from '../report/fixture.js';

const fx = makeRunDir();
const cal = reportCalibrations(fx.pareto).forFamily;
afterAll(() => rmSync(fx.dir, { recursive: true }));
afterEach(() => vi.restoreAllMocks());

describe('pickPoint', () => {
  it('takes the best predicted perplexity within the limits, within one calibration', () => {
    const gpt2Only = { ...fx.pareto, frontier: fx.pareto.frontier.filter((p) => p.family !== 'transfo-xl') };
    const lats = gpt2Only.frontier.map((p) => p.latency!.median_ms).sort((a, b) => a - b);
    const limit = lats[Math.floor(lats.length / 2)]!;
    const pick = pickPoint(gpt2Only, { latency: limit }, cal);
    expect(pick.rankedBy).toBe('predicted ppl');
    expect(pick.chosen.point.latency!.median_ms).toBeLessThanOrEqual(limit);
    const fitting = gpt2Only.frontier.filter((p) => p.latency!.median_ms <= limit);
    expect(pick.fitting).toBe(fitting.length);
    for (const n of pick.neighbours) {
      if (n.scored.point.latency!.median_ms > limit) expect(n.why).toMatch(/^over the limit: latency [\d.]+ ms > [\d.]+ ms/);
      else expect(n.scored.pred.ppl).toBeGreaterThanOrEqual(pick.chosen.pred.ppl);
    }
    expect(pick.neighbours.some((n) => n.why.startsWith('over the limit'))).toBe(true);
  });

  it('ranks by decoder params when the fitting points span calibrations, and lists the best of each', () => {
    const pick = pickPoint(fx.pareto, { latency: 1e9, memory: 1e9 }, cal);
    expect(pick.rankedBy).toBe('decoder params');
    expect(pick.chosen.point.decoder_params).toBe(Math.max(...fx.pareto.frontier.map((p) => p.decoder_params)));
    expect(pick.bestPerCalibration.map((b) => b.pred.calibration).sort()).toEqual(['gpt2-wt103', 'transfo-xl-wt103']);
  });

  it('refuses limits on costs the run did not measure, and limits nothing fits', () => {
    expect(() => pickPoint(fx.pareto, { decode: 5 }, cal)).toThrow(/did not measure decode/);
    const least = Math.min(...fx.pareto.frontier.map((p) => costOf('latency', p)!));
    expect(() => pickPoint(fx.pareto, { latency: least / 2 }, cal)).toThrow(LtsError);
    expect(() => pickPoint(fx.pareto, { latency: least / 2 }, cal)).toThrow(/no frontier point fits latency <= /);
    expect(() => pickPoint(fx.pareto, {}, cal)).toThrow(/at least one limit/);
  });
});

describe('lts pick', () => {
  it('prints the choice with its interval and neighbours, and writes its config', async () => {
    let out = '';
    vi.spyOn(process.stdout, 'write').mockImplementation((c: string | Uint8Array) => ((out += String(c)), true));
    vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const cfgOut = join(fx.dir, 'chosen.json');
    await pickCommand().exitOverride().parseAsync([fx.dir, '--latency-max', '30', '--memory-max', '200', '--config-out', cfgOut], { from: 'user' });
    expect(out).toMatch(/^pick: \S+ \(\S+, [\d.]+M decoder params\): latency [\d.]+ ms, memory [\d.]+ MB\n {2}predicted ppl \d+ \[\d+-\d+\] unanchored/);
    expect(out).toMatch(/limits latency <= 30 ms, memory <= 200 MB: \d+ of \d+ frontier points fit/);
    expect(out).toContain('neighbours on the frontier (by latency)');
    const id = /^pick: (\S+)/.exec(out)![1];
    expect(JSON.parse(readFileSync(cfgOut, 'utf8'))).toEqual(fx.pareto.frontier.find((p) => p.id === id)!.config);
  });

  it('--json gives the choice and the interval', async () => {
    let out = '';
    vi.spyOn(process.stdout, 'write').mockImplementation((c: string | Uint8Array) => ((out += String(c)), true));
    await pickCommand().exitOverride().parseAsync([fx.dir, '--latency-max', '30', '--json'], { from: 'user' });
    const j = JSON.parse(out) as { latency: number; predicted_ppl_interval: { level: number; low: number; high: number } };
    expect(j.latency).toBeLessThanOrEqual(30);
    expect(j.predicted_ppl_interval.level).toBe(0.9);
  });
});
