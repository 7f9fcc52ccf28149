import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { driftLine } from '../../src/cli/search.js';
import { runSearch, type RunSearchOptions } from '../../src/search/loop.js';
import { chooseSentinel, SentinelSchedule } from '../../src/search/sentinel.js';
import { searchSpaces } from '../../src/search/spaces.js';
import type { ArchConfig } from '../../src/space/types.js';
import type { ParetoFile, SearchSettings } from '../../src/search/types.js';
import type { Metric } from '../../src/profile/types.js';
import { device, DriftingEvaluator, fakeMeasure, paretoValidator, settings, tmp } from './helpers.js';

const validatePareto = paretoValidator();
const spacesFor = (s: SearchSettings) => searchSpaces(s.families, { min: s.param_min, max: s.param_max });
const readPareto = (dir: string) => JSON.parse(readFileSync(join(dir, 'pareto.json'), 'utf8')) as ParetoFile;

function run(s: SearchSettings, ev: DriftingEvaluator, over: Partial<RunSearchOptions> = {}) {
  return runSearch({ outDir: tmp(), device, settings: s, evaluators: [ev], spaces: spacesFor(s), now: ev.now, ...over });
}

const trueLatency = (cfg: ArchConfig) => fakeMeasure(cfg, ['latency']).latency!.median_ms;

describe('sentinel schedule', () => {
  it('is due at an evaluator\'s start, every K candidates, every T ms, before a fresh process, and at a generation\'s close', () => {
    let t = 0;
    const s = new SentinelSchedule({ everyCandidates: 3, everyMs: 10_000, now: () => t });
    expect(s.due('a')).toBe(true);
    expect(s.closing('a')).toBe(false);
    s.sentinelMeasured('a');
    expect(s.due('a')).toBe(false);
    // Nothing measured since the last sentinel, yet the next candidate runs in another process: it needs its own.
    expect(s.due('a', true)).toBe(true);
    s.candidateMeasured('a');
    expect(s.due('a')).toBe(false);
    expect(s.due('a', true)).toBe(true);
    expect(s.closing('a')).toBe(true);
    s.candidateMeasured('a');
    s.candidateMeasured('a');
    expect(s.due('a')).toBe(true);
    s.sentinelMeasured('a');
    s.candidateMeasured('a');
    t = 10_000;
    expect(s.due('a')).toBe(true);
    // An evaluator idle for T after its last sentinel measures it again before its next candidate.
    s.sentinelMeasured('a');
    t = 19_999;
    expect(s.due('a')).toBe(false);
    t = 20_000;
    expect(s.due('a')).toBe(true);
    // Each evaluator (agent) has its own.
    expect(s.due('b')).toBe(true);
  });

  it('chooses the same sentinel for the same seed and space', () => {
    const s = settings();
    const a = chooseSentinel(spacesFor(s), 7);
    expect(chooseSentinel(spacesFor(s), 7)).toEqual(a);
    expect(a.decoder_params).toBeGreaterThan(0);
  });
});

describe('drift correction in the search', () => {
  it('recovers the true costs under a known speed curve (within 3 %, raw off by up to 25 %)', async () => {
    // A slow swing of +-25 % over a minute of the fake clock; a sentinel every 3 candidates (4 s).
    const curve = (t: number) => 1 + 0.25 * Math.sin((2 * Math.PI * t) / 60_000);
    const ev = new DriftingEvaluator(curve);
    const s = settings({ drift_correction: 'on', sentinel_every: 3, iterations: 2 });
    const o = { outDir: tmp() };
    const out = await run(s, ev, o);
    const p = readPareto(o.outDir);
    expect(validatePareto(p)).toBeNull();
    const series = p.drift!.series;
    const f0 = curve(series[0]!.at_ms);
    // Everything is expressed at the speed of the first sentinel measurement.
    let worstRaw = 0;
    for (const f of p.frontier) {
      const truth = trueLatency(f.config) * f0;
      // Not exact: the series' curvature between sentinels reads as noise and shrinks the factor a
      // little (drift.ts shrinkWeights); without shrinking it was within 1 %.
      expect(Math.abs(f.latency!.corrected_median_ms! / truth - 1)).toBeLessThan(0.03);
      worstRaw = Math.max(worstRaw, Math.abs(f.latency!.median_ms / truth - 1));
    }
    expect(worstRaw).toBeGreaterThan(0.05);
    expect(p.drift!.max_drift).toBeGreaterThan(0.1);
    expect(p.settings.drift_correction).toBe('on');
    // The frontier is the one the true costs give, among what was measured.
    const truthFront = out.history
      .filter((r) => r.measurement.ok)
      .filter((r) => !out.history.some((x) => x !== r && x.decoder_params >= r.decoder_params && trueLatency(x.config) <= trueLatency(r.config) && (x.decoder_params > r.decoder_params || trueLatency(x.config) < trueLatency(r.config))))
      .map((r) => r.key)
      .sort();
    expect(p.frontier.map((f) => f.key).sort()).toEqual(truthFront);
  });

  it('measures the sentinel at the start, every K candidates and at each generation\'s close; a resume measures it first and keeps the series', async () => {
    const s = settings({ drift_correction: 'on', sentinel_every: 4, iterations: 1, population: 12, mutations: 6, crossovers: 6 });
    const sentinelKey = chooseSentinel(spacesFor(s), s.seed).key;
    const ac = new AbortController();
    const ev = new DriftingEvaluator(() => 1, 'local', (n) => {
      if (n === 9) ac.abort();
    });
    const dir = tmp();
    await run(s, ev, { outDir: dir, signal: ac.signal });
    const isSentinel = (c: ArchConfig) => JSON.stringify(c) === sentinelKey;
    const pattern = ev.calls.map((c) => (isSentinel(c) ? 'S' : 'c')).join('');
    // At the start, then after every 4 candidates; stopped by the abort during call 9.
    expect(pattern).toBe('SccccSccc');
    // The sentinel is timed longer than a candidate, to the protocol's own CI target.
    ev.calls.forEach((c, i) => {
      if (isSentinel(c)) expect(ev.requests[i]).toEqual({ minRuns: 3 * s.protocol.minRuns, ciTarget: s.protocol.targetRelCi });
      else expect(ev.requests[i]!.minRuns).toBeUndefined();
    });
    const before = readFileSync(join(dir, 'sentinel.jsonl'), 'utf8').trim().split('\n').length;
    expect(before).toBe(2);

    const ev2 = new DriftingEvaluator(() => 1);
    ev2.t = ev.t + 60_000;
    await run(s, ev2, { outDir: dir, resume: true });
    const p2 = ev2.calls.map((c) => (isSentinel(c) ? 'S' : 'c')).join('');
    // First the sentinel, then the rest of generation 0 (5 left), closed by one; generation 1 likewise.
    expect(p2.startsWith('SccccS')).toBe(true);
    const gen1 = p2.slice('SccccS'.length);
    expect(gen1.endsWith('S')).toBe(true);
    const p = readPareto(dir);
    const lines = readFileSync(join(dir, 'sentinel.jsonl'), 'utf8').trim().split('\n');
    expect(p.drift!.series.length).toBe(lines.length);
    expect(p.drift!.series.length).toBe(before + p2.split('S').length - 1);
    expect(p.drift!.series.slice(0, before).map((x) => x.at_ms)).toEqual(JSON.parse(`[${lines.slice(0, before).join(',')}]`).map((x: { at_ms: number }) => x.at_ms));
  });

  it('--drift-correction off gives today\'s frontier and measures no sentinel; on, with a steady machine, the same frontier', async () => {
    const shape = (p: ParetoFile) => p.frontier.map((f) => ({ key: f.key, lat: f.latency!.median_ms }));
    const dirs = [tmp(), tmp(), tmp()];
    const evs = [new DriftingEvaluator(() => 1), new DriftingEvaluator(() => 1), new DriftingEvaluator(() => 1)];
    await run(settings(), evs[0]!, { outDir: dirs[0]! });
    await run(settings({ drift_correction: 'off' }), evs[1]!, { outDir: dirs[1]! });
    await run(settings({ drift_correction: 'on' }), evs[2]!, { outDir: dirs[2]! });
    const [today, off, on] = dirs.map(readPareto);
    expect(shape(off!)).toEqual(shape(today!));
    expect(evs[1]!.calls).toEqual(evs[0]!.calls);
    expect(off!.drift).toBeUndefined();
    expect(off!.frontier.every((f) => f.latency!.corrected_median_ms === undefined)).toBe(true);
    expect(shape(on!)).toEqual(shape(today!));
    for (const f of on!.frontier) expect(f.latency!.corrected_median_ms! / f.latency!.median_ms).toBeCloseTo(1, 12);
    // Contenders were measured again (the steady machine agrees with itself) and counted.
    expect(on!.counts.remeasured).toBeGreaterThan(0);
    expect(on!.drift!.max_drift).toBe(0);
    expect(validatePareto(on)).toBeNull();
  });

  it('the summary states the drift and warns when it exceeded the protocol\'s target precision', async () => {
    const s = settings({ drift_correction: 'on', sentinel_every: 4, iterations: 1 });
    const dirs = [tmp(), tmp()];
    await run(s, new DriftingEvaluator((t) => 1 + (t - 1_000_000) / 200_000), { outDir: dirs[0]! });
    await run(s, new DriftingEvaluator(() => 1), { outDir: dirs[1]! });
    const [drifting, steady] = dirs.map(readPareto);
    const warned = driftLine(drifting!)!;
    expect(warned).toMatch(/^drift: sentinel gpt2-\w+ measured \d+ time\(s\), largest drift \d+\.\d %/);
    expect(warned).toMatch(/lts: warning: the machine's speed drifted by \d+\.\d % during the run, more than the protocol's target precision \(5\.0 %\)/);
    const calm = driftLine(steady!)!;
    expect(calm).toContain('largest drift 0.0 %');
    expect(calm).not.toContain('warning');
    expect(driftLine({ ...steady!, drift: undefined })).toBeUndefined();
  });

  it('a resumed run with drift correction on replays the same candidates as an uninterrupted one', async () => {
    const s = settings({ drift_correction: 'on', sentinel_every: 4, iterations: 2 });
    const full = await run(s, new DriftingEvaluator(() => 1));
    for (const stopAt of [10, 30]) {
      const ac = new AbortController();
      const dir = tmp();
      await run(s, new DriftingEvaluator(() => 1, 'local', (n) => n === stopAt && ac.abort()), { outDir: dir, signal: ac.signal });
      const resumed = await run(s, new DriftingEvaluator(() => 1), { outDir: dir, resume: true });
      expect(resumed.history.map((r) => r.key)).toEqual(full.history.map((r) => r.key));
      expect(readPareto(dir).frontier.map((f) => f.key)).toEqual(full.pareto.frontier.map((f) => f.key));
      expect(readPareto(dir).counts.remeasured).toBe(full.pareto.counts.remeasured);
    }
  });

  it('measures each contender pair again in a fresh process, with the sentinel first in it', async () => {
    const s = settings({ drift_correction: 'on', sentinel_every: 100, iterations: 1 });
    const sentinelKey = chooseSentinel(spacesFor(s), s.seed).key;
    const ev = new DriftingEvaluator(() => 1);
    // Like the warm worker: a process per evaluator until newProcess() retires it.
    let fresh = true;
    const log: string[] = [];
    const wrapped = Object.assign(ev, {
      freshProcessNext: () => fresh,
      newProcess: () => {
        fresh = true;
        log.push('new');
      },
    });
    const inner = ev.evaluate.bind(ev);
    wrapped.evaluate = async (cfg: ArchConfig, req: { metrics: Metric[] }) => {
      log.push(JSON.stringify(cfg) === sentinelKey ? 'S' : 'c');
      fresh = false;
      return inner(cfg, req);
    };
    const dir = tmp();
    await run(s, wrapped, { outDir: dir });
    const p = readPareto(dir);
    expect(p.counts.remeasured).toBeGreaterThan(0);
    // Every re-measured pair: a new process, the sentinel in it, then neighbour and contender.
    const pairs = log.join('').split('new').slice(1);
    expect(pairs.length).toBeGreaterThan(0);
    for (const p of pairs) expect(p.startsWith('Scc')).toBe(true);
  });

  it('keeps one sentinel series per evaluator (agent): each corrected by its own drift', async () => {
    const clock = { t: 1_000_000 };
    const board = (name: string, factor: (t: number) => number): DriftingEvaluator => {
      const ev = new DriftingEvaluator(factor, name);
      Object.defineProperty(ev, 't', { get: () => clock.t, set: (v: number) => (clock.t = v) });
      return ev;
    };
    const steady = board('agent a', () => 1);
    const heating = board('agent b', (t) => 1.5 + (t - 1_000_000) / 50_000);
    const s = settings({ drift_correction: 'on', sentinel_every: 2, iterations: 1 });
    const dir = tmp();
    const out = await runSearch({ outDir: dir, device, settings: s, evaluators: [steady, heating], spaces: spacesFor(s), now: () => clock.t });
    const p = readPareto(dir);
    const series = p.drift!.series;
    expect(new Set(series.map((x) => x.evaluator))).toEqual(new Set(['agent a', 'agent b']));
    const firstB = series.find((x) => x.evaluator === 'agent b')!;
    const refB = heating.factor(firstB.at_ms);
    const byB = out.history.filter((r) => r.evaluator === 'agent b');
    const byA = out.history.filter((r) => r.evaluator === 'agent a');
    expect(byA.length).toBeGreaterThan(0);
    expect(byB.length).toBeGreaterThan(0);
    const corrected = new Map(p.frontier.map((f) => [f.key, f.latency!.corrected_median_ms!]));
    let checked = 0;
    for (const r of [...byA, ...byB]) {
      const c = corrected.get(r.key);
      if (c === undefined || r.remeasured) continue;
      const expected = trueLatency(r.config) * (r.evaluator === 'agent b' ? refB : 1);
      expect(Math.abs(c / expected - 1)).toBeLessThan(0.01);
      checked++;
    }
    expect(checked).toBeGreaterThan(0);
  });
});
