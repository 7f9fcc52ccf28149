// Strategy 'screened' with a deterministic fake evaluator whose latency is a known function of the cost
// features, so the cost model can learn it and every decision can be checked.
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { auditDraw, costFeatures, FEATURE_NAMES } from '../../src/cost/index.js';
import { resumeSettings } from '../../src/cli/search.js';
import type { Fingerprint, Measurement, Metric } from '../../src/profile/types.js';
import { runSearch, type RunSearchOptions } from '../../src/search/loop.js';
import { mostPromising, promise, Screening } from '../../src/search/screening.js';
import { searchSpaces } from '../../src/search/spaces.js';
import type { CandidateRecord, Evaluator, ParetoFile, ScreenedRecord, SearchSettings } from '../../src/search/types.js';
import { parseConfig } from '../../src/space/index.js';
import { paretoFront } from '../../src/pareto/index.js';
import { decoderParams } from '../../src/proxy/index.js';
import { searchObjectives } from '../../src/search/objectives.js';
import { Rng } from '../../src/util/rng.js';
import type { ArchConfig } from '../../src/space/types.js';
import { device, fakeMeasure, FakeEvaluator, fingerprint, paretoValidator, settings, tmp } from './helpers.js';

/** Latency in ms, a known non-negative combination of the physical features (what a CPU roughly does). */
function knownLatency(cfg: ArchConfig): number {
  const f = Object.fromEntries(FEATURE_NAMES.latency.map((n, i) => [n, costFeatures(cfg, device, 'latency')![i]!]));
  return 1 + 1e-9 * f.linear_flops! + 3e-9 * f.attn_flops! + 1e-5 * f.attn_elems! + 2e-8 * f.output_flops! + 1.5 * f.layers!;
}

class KnownCostEvaluator implements Evaluator {
  readonly name = 'known';
  calls: string[] = [];
  constructor(private readonly onCall?: (n: number) => void) {}
  async evaluate(cfg: ArchConfig, req: { metrics: Metric[]; seed: number }): Promise<Measurement> {
    this.calls.push(JSON.stringify(cfg));
    this.onCall?.(this.calls.length);
    const m = fakeMeasure(cfg, req.metrics);
    const ms = knownLatency(cfg);
    m.latency = { ...m.latency!, median_ms: ms, mean_ms: ms, trimmed_mean_ms: ms, min_ms: ms, p90_ms: ms, ci95_low_ms: ms, ci95_high_ms: ms };
    return m;
  }
  async fingerprint(): Promise<Fingerprint> {
    return fingerprint;
  }
}

const screenedSettings = (over: Partial<SearchSettings> = {}): SearchSettings =>
  settings({ strategy: 'screened', screen_margin: 0.1, audit_share: 0.2, iterations: 4, population: 24, parents: 6, mutations: 12, crossovers: 12, seed: 5, ...over });

function opts(s: SearchSettings, ev: Evaluator, over: Partial<RunSearchOptions> = {}): RunSearchOptions {
  return { outDir: tmp(), device, settings: s, evaluators: [ev], spaces: searchSpaces(s.families, { min: s.param_min, max: s.param_max }), ...over };
}

function lines(dir: string): (CandidateRecord | ScreenedRecord)[] {
  return readFileSync(join(dir, 'candidates.jsonl'), 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l));
}
const isScreened = (r: CandidateRecord | ScreenedRecord): r is ScreenedRecord => 'status' in r && r.status === 'screened';

/**
 * The children generation g should have measured as its kept share, recomputed from the records: the
 * pool is every child the margin left (kept, cut by rank, or audited after a rank cut) with the
 * prediction its record keeps, picked by mostPromising against the frontier it was bred from.
 */
function expectedPicks(all: (CandidateRecord | ScreenedRecord)[], g: number, s: SearchSettings): Set<string> {
  const gen = all.filter((r) => r.iteration === g);
  const inPool = (r: CandidateRecord | ScreenedRecord) => (isScreened(r) ? r.screened_by === 'rank' : r.audit === undefined || r.audit.screened_by === 'rank');
  const parents = paretoFront(all.filter((r): r is CandidateRecord => !isScreened(r) && r.iteration < g && r.measurement.ok), searchObjectives(s.metrics));
  const points = parents.map((r) => ({ decoder_params: r.decoder_params, costs: [r.measurement.latency!.median_ms] }));
  const pool = gen.filter(inPool).map((r, index) => ({ index, key: r.key, decoder_params: r.decoder_params, mean: [r.prediction!.latency!.mean] }));
  const keep = Math.ceil((s.screen_keep ?? 1) * Math.min(gen.length, s.mutations + s.crossovers));
  return new Set(mostPromising(pool, points, keep).map((i) => pool[i]!.key));
}

describe('screening decisions', () => {
  // A measured history on the known cost function: random architectures, so that layers, widths and
  // heads vary independently (as in a real initial population), and its frontier.
  const base = { family: 'gpt2', div_val: 0, vocab_size: 5000, n_positions: 1024 };
  const rng = new Rng(3);
  const history: CandidateRecord[] = Array.from({ length: 40 }, (_, i) => {
    const n_layer = rng.int(2, 10);
    const d_model = 64 * rng.int(2, 6);
    const cfg = parseConfig({ ...base, n_layer, d_model, d_inner: Array.from({ length: n_layer }, () => 64 * rng.int(Math.ceil((1.8 * d_model) / 64), 24)), n_head: Array.from({ length: n_layer }, () => rng.choice([2, 4, 8])) });
    const ms = knownLatency(cfg);
    return {
      id: `p${i}`, key: `k${i}`, family: 'gpt2', config: cfg, iteration: 0, decoder_params: decoderParams(cfg), total_params: 0, evaluator: 'x', measured_at: '',
      measurement: { ok: true, latency: { median_ms: ms } as never, timing: { export_ms: 0, session_ms: 0, measure_ms: 0, total_ms: 0 } },
    };
  });
  const s = settings({ strategy: 'screened', screen_margin: 0.1, audit_share: 0 });
  const screening = new Screening(s, device);
  screening.refit(history);
  const frontier = paretoFront(history, searchObjectives(['latency']));

  it('does not measure a child predicted far behind the frontier', () => {
    // Many thin layers with many heads: far more attention work than a point with the same params.
    const slow = parseConfig({ ...base, n_layer: 10, d_model: 128, d_inner: 256, n_head: 8 });
    const v = screening.decide({ key: 'slow', config: slow, decoder_params: decoderParams(slow) }, frontier);
    expect(v.decision.action).toBe('screen');
    expect(v.prediction!.latency!.low).toBeLessThanOrEqual(knownLatency(slow) * 1.0001);
  });

  it('measures a child near the frontier', () => {
    // A frontier point's architecture with one FFN slightly wider: more params, a little more latency.
    const f = frontier[Math.floor(frontier.length / 2)]!.config;
    const near = parseConfig({ ...f, d_inner: [f.d_inner[0]! + 64, ...f.d_inner.slice(1)] });
    expect(screening.decide({ key: 'near', config: near, decoder_params: decoderParams(near) }, frontier).decision.action).toBe('measure');
  });

  it('levels predictions by the last generation unless children are ranked (their measured / predicted is high by selection)', () => {
    const cfg = history[7]!.config;
    const slower = history.slice(0, 8).map((r, i) => ({ ...r, key: `s${i}`, iteration: 1, measurement: { ...r.measurement, latency: { median_ms: 1.2 * r.measurement.latency!.median_ms } as never } }));
    const levelled = new Screening(s, device);
    levelled.refit([...history, ...slower]);
    const ranked = new Screening(settings({ strategy: 'screened', screen_margin: 0.1, audit_share: 0, screen_keep: 0.5 }), device);
    ranked.refit([...history, ...slower]);
    const ratio = (sc: Screening) => sc.decide({ key: 'x', config: cfg, decoder_params: decoderParams(cfg) }, frontier).prediction!.latency!.mean / knownLatency(cfg);
    expect(ratio(levelled)).toBeGreaterThan(1.12);
    expect(ratio(ranked)).toBeLessThan(1.08);
  });

  it('measures everything while the model has too few measurements, and always under exhaustive', () => {
    const fresh = new Screening(s, device);
    fresh.refit(history.slice(0, 5));
    const slow = parseConfig({ ...base, n_layer: 10, d_model: 128, d_inner: 256, n_head: 8 });
    expect(fresh.decide({ key: 'slow', config: slow, decoder_params: 1 }, frontier)).toEqual({ decision: { action: 'measure' } });
    const exhaustive = new Screening(settings({ strategy: 'exhaustive' }), device);
    exhaustive.refit(history);
    expect(exhaustive.decide({ key: 'slow', config: slow, decoder_params: 1 }, frontier)).toEqual({ decision: { action: 'measure' } });
  });
});

describe('runSearch with strategy screened', () => {
  it('skips children predicted far behind, records them with their prediction, and breeds from measured ones only', async () => {
    const s = screenedSettings();
    const ev = new KnownCostEvaluator();
    const o = opts(s, ev);
    const out = await runSearch(o);
    const all = lines(o.outDir);
    const screened = all.filter(isScreened);
    const measured = all.filter((r): r is CandidateRecord => !isScreened(r));
    expect(screened.length).toBeGreaterThan(5);
    expect(measured.length).toBe(ev.calls.length);
    expect(out.history.length).toBe(measured.length);
    // Never measured, never on the frontier.
    const called = new Set(ev.calls);
    for (const r of screened) {
      expect(called.has(JSON.stringify(r.config))).toBe(false);
      expect(r.prediction.latency!.low).toBeGreaterThan(0);
      // The witness was measured, has at least as many params, and beats the optimistic cost by > 10 %.
      const w = measured.find((m) => m.id === r.screened_by)!;
      expect(w.decoder_params).toBeGreaterThanOrEqual(r.decoder_params);
      expect(w.measurement.latency!.median_ms * 1.1).toBeLessThan(r.prediction.latency!.low);
      // The model learned the known cost: the prediction is right, and the child really was behind.
      expect(Math.abs(r.prediction.latency!.mean / knownLatency(r.config) - 1)).toBeLessThan(0.02);
    }
    const p = JSON.parse(readFileSync(join(o.outDir, 'pareto.json'), 'utf8')) as ParetoFile;
    expect(paretoValidator()(p)).toBeNull();
    expect(p.counts.screened).toBe(screened.length);
    expect(p.counts.evaluated).toBe(measured.length);
    expect(p.counts.audited).toBe(measured.filter((r) => r.audit).length);
    expect(p.settings).toMatchObject({ strategy: 'screened', screen_margin: 0.1, audit_share: 0.2 });
    const screenedKeys = new Set(screened.map((r) => r.key));
    expect(p.frontier.some((f) => screenedKeys.has(f.key))).toBe(false);
    // Measured children of later generations carry the prediction made before measuring them.
    expect(measured.filter((r) => r.iteration > 0).every((r) => r.prediction?.latency !== undefined)).toBe(true);
  });

  it('audits exactly the would-be-screened children whose seeded draw falls under the share', async () => {
    for (const seed of [5, 6]) {
      const o = opts(screenedSettings({ seed, audit_share: 0.3 }), new KnownCostEvaluator());
      await runSearch(o);
      const all = lines(o.outDir);
      const audited = all.filter((r): r is CandidateRecord => !isScreened(r) && r.audit !== undefined);
      const screened = all.filter(isScreened);
      expect(audited.length).toBeGreaterThan(0);
      for (const r of audited) expect(auditDraw(seed, r.key)).toBeLessThan(0.3);
      for (const r of screened) expect(auditDraw(seed, r.key)).toBeGreaterThanOrEqual(0.3);
    }
  });

  it('resume replays screened decisions without measuring them, ending where an uninterrupted run ends', async () => {
    const s = screenedSettings();
    const whole = opts(s, new KnownCostEvaluator());
    await runSearch(whole);
    const ac = new AbortController();
    const first = new KnownCostEvaluator((n) => n === 60 && ac.abort());
    const o = opts(s, first, { signal: ac.signal });
    const cut = await runSearch(o);
    expect(cut.stoppedBy).toBe('interrupt');
    const before = lines(o.outDir);
    const screenedBefore = before.filter(isScreened);
    expect(screenedBefore.length).toBeGreaterThan(0);
    const second = new KnownCostEvaluator();
    await runSearch({ ...o, evaluators: [second], signal: undefined, resume: true });
    const remeasured = new Set(second.calls);
    for (const r of before) expect(remeasured.has(JSON.stringify(r.config))).toBe(false);
    const key = (rs: (CandidateRecord | ScreenedRecord)[]) => rs.map((r) => `${isScreened(r) ? 'S' : 'M'}${r.key}`).sort();
    expect(key(lines(o.outDir))).toEqual(key(lines(whole.outDir)));
  });
});

describe('screen_keep: the most promising share of each generation', () => {
  it('measures at most the share per generation, ranks by predicted promise, and a resume cuts the same children', async () => {
    const s = screenedSettings({ screen_keep: 0.4, audit_share: 0.1 });
    const whole = opts(s, new KnownCostEvaluator());
    await runSearch(whole);
    const all = lines(whole.outDir);
    const children = 24;
    for (let g = 1; g <= s.iterations; g++) {
      const gen = all.filter((r) => r.iteration === g);
      const kept = gen.filter((r): r is CandidateRecord => !isScreened(r) && r.audit === undefined);
      expect(kept.length).toBeLessThanOrEqual(Math.ceil(0.4 * children));
      // The cut children are recorded as such, with the prediction they were ranked by.
      const cut = gen.filter((r): r is ScreenedRecord => isScreened(r) && r.screened_by === 'rank');
      expect(cut.length).toBeGreaterThan(0);
      for (const r of cut) expect(auditDraw(s.seed, r.key)).toBeGreaterThanOrEqual(0.1);
      // Exactly the picks of mostPromising against the frontier the generation was bred from.
      expect(new Set(kept.map((r) => r.key))).toEqual(expectedPicks(all, g, s));
      const audited = gen.filter((r): r is CandidateRecord => !isScreened(r) && r.audit?.screened_by === 'rank');
      for (const r of audited) expect(auditDraw(s.seed, r.key)).toBeLessThan(0.1);
    }
    // Fewer measurements than the margin alone.
    const plain = opts(screenedSettings({ audit_share: 0.1 }), new KnownCostEvaluator());
    await runSearch(plain);
    expect(all.filter((r) => !isScreened(r)).length).toBeLessThan(lines(plain.outDir).filter((r) => !isScreened(r)).length);

    const ac = new AbortController();
    const o = opts(s, new KnownCostEvaluator((n) => n === 40 && ac.abort()), { signal: ac.signal });
    expect((await runSearch(o)).stoppedBy).toBe('interrupt');
    const before = lines(o.outDir);
    const second = new KnownCostEvaluator();
    await runSearch({ ...o, evaluators: [second], signal: undefined, resume: true });
    const remeasured = new Set(second.calls);
    for (const r of before) expect(remeasured.has(JSON.stringify(r.config))).toBe(false);
    const key = (rs: (CandidateRecord | ScreenedRecord)[]) => rs.map((r) => `${isScreened(r) ? 'S' : 'M'}${r.key}`).sort();
    expect(key(lines(o.outDir))).toEqual(key(all));
  });

  it('mostPromising spreads its picks along the frontier: a twin of a picked child is worth less than a child elsewhere', () => {
    const front = [
      { decoder_params: 10, costs: [100] },
      { decoder_params: 20, costs: [200] },
    ];
    const children = [
      { index: 0, decoder_params: 15, mean: [150] }, // 0.75
      { index: 1, decoder_params: 14.9, mean: [151] }, // 0.755, but behind child 0 once it is picked (151 / 150)
      { index: 2, decoder_params: 8, mean: [80] }, // 0.8, below every other point
      { index: 3, decoder_params: 19, mean: [210] }, // 1.05: behind the frontier
    ];
    expect(mostPromising(children, front, 2)).toEqual([0, 2]);
    // Sorting by promise alone would have taken the twins, 0 and 1.
    expect(mostPromising(children, front, 3)).toEqual([0, 2, 1]);
    expect(mostPromising(children, front, 9)).toEqual([0, 2, 1, 3]);
    // Ties go to the lower index; a child beyond the largest point extends the frontier (promise 0).
    expect(mostPromising([{ index: 5, decoder_params: 30, mean: [1] }, { index: 4, decoder_params: 15, mean: [150] }, { index: 6, decoder_params: 15, mean: [150] }], front, 2)).toEqual([5, 4]);
  });

  it('screen_breed breeds n times the children and measures one generation\'s worth, the most promising; resumed as exhaustive it breeds the same children and measures them all', async () => {
    const s = screenedSettings({ screen_breed: 3, audit_share: 0.1, iterations: 3 });
    const whole = opts(s, new KnownCostEvaluator());
    const first = await runSearch(whole);
    const all = lines(whole.outDir);
    for (let g = 1; g <= s.iterations; g++) {
      const gen = all.filter((r) => r.iteration === g);
      expect(gen.length).toBeGreaterThan(s.mutations + s.crossovers);
      expect(gen.length).toBeLessThanOrEqual(3 * (s.mutations + s.crossovers));
      const kept = gen.filter((r): r is CandidateRecord => !isScreened(r) && r.audit === undefined);
      expect(kept.length).toBeLessThanOrEqual(s.mutations + s.crossovers);
      expect(new Set(kept.map((r) => r.key))).toEqual(expectedPicks(all, g, s));
      const cut = gen.filter((r): r is ScreenedRecord => isScreened(r) && r.screened_by === 'rank');
      expect(cut.length).toBeGreaterThan(0);
    }
    // An exhaustive run with the same seed breeds one generation's worth: other children.
    const plain = opts(settings({ ...s, strategy: 'exhaustive', screen_breed: undefined, screen_margin: undefined, audit_share: undefined }), new KnownCostEvaluator());
    await runSearch(plain);
    expect(lines(plain.outDir).filter((r) => r.iteration === 1).length).toBe(s.mutations + s.crossovers);

    // Resumed as exhaustive, the run keeps its breeding: the same generations, every screened child measured in its own.
    const ex = resumeSettings(s, { strategy: 'exhaustive' });
    expect(ex.settings.screen_breed).toBe(3);
    expect(ex.changed).toContain('-> exhaustive (breed 3x, as the run bred)');
    const second = new KnownCostEvaluator();
    const out = await runSearch({ ...whole, settings: ex.settings, evaluators: [second], resume: true });
    const screened = all.filter(isScreened);
    expect([...second.calls].sort()).toEqual(screened.map((r) => JSON.stringify(r.config)).sort());
    expect(out.pareto.counts).toMatchObject({ screened: 0, evaluated: first.pareto.counts.evaluated + screened.length });
  });

  it('before the model can predict, a bred generation is cut to one generation\'s worth all the same, and a resume cuts the same children', async () => {
    // 6 initial candidates: fewer than the model needs, so generation 1 has no predictions.
    const s = screenedSettings({ screen_breed: 3, audit_share: 0, iterations: 1, population: 6, parents: 2, mutations: 2, crossovers: 2 });
    const whole = opts(s, new KnownCostEvaluator());
    await runSearch(whole);
    const gen1 = lines(whole.outDir).filter((r) => r.iteration === 1);
    expect(gen1.length).toBeGreaterThan(4);
    expect(gen1.filter((r) => !isScreened(r))).toHaveLength(4);
    for (const r of gen1.filter(isScreened)) expect(r).toMatchObject({ screened_by: 'rank', prediction: {} });

    const ac = new AbortController();
    const o = opts(s, new KnownCostEvaluator((n) => n === 8 && ac.abort()), { signal: ac.signal });
    await runSearch(o);
    await runSearch({ ...o, evaluators: [new KnownCostEvaluator()], signal: undefined, resume: true });
    const key = (rs: (CandidateRecord | ScreenedRecord)[]) => rs.map((r) => `${isScreened(r) ? 'S' : 'M'}${r.key}`).sort();
    expect(key(lines(o.outDir))).toEqual(key(lines(whole.outDir)));
  });

  it('promise: below 1 moves the frontier, above 1 falls behind it, 0 extends it; one improving cost is enough', () => {
    const front = [
      { decoder_params: 10, costs: [100, 50] },
      { decoder_params: 20, costs: [200, 80] },
    ];
    expect(promise(15, [180, 90], front)).toBeCloseTo(0.9);
    expect(promise(15, [220, 100], front)).toBeCloseTo(1.1);
    expect(promise(25, [999, 999], front)).toBe(0);
    expect(promise(5, [150, 40], front)).toBeCloseTo(0.8);
  });
});

describe('resume with another strategy', () => {
  const measuredKeys = (ev: KnownCostEvaluator) => [...ev.calls].sort();
  const configsOf = (rs: { config: ArchConfig }[]) => rs.map((r) => JSON.stringify(r.config)).sort();
  const pareto = (dir: string) => JSON.parse(readFileSync(join(dir, 'pareto.json'), 'utf8')) as ParetoFile;

  it('exhaustive measures exactly the children screened before, in their generation; a second resume measures nothing', async () => {
    const s = screenedSettings();
    const o = opts(s, new KnownCostEvaluator());
    const first = await runSearch(o);
    const screened = lines(o.outDir).filter(isScreened);
    expect(screened.length).toBeGreaterThan(0);
    expect(first.pareto.counts.screened).toBe(screened.length);

    const ex = resumeSettings(s, { strategy: 'exhaustive' }).settings;
    const second = new KnownCostEvaluator();
    const out = await runSearch({ ...o, settings: ex, evaluators: [second], resume: true });
    expect(measuredKeys(second)).toEqual(configsOf(screened));
    // Measured where the replay met them, so the next generation was bred with them in the history.
    for (const r of screened) {
      const m = out.history.find((h) => h.key === r.key)!;
      expect(m.iteration).toBe(r.iteration);
      expect(m.prediction).toEqual(r.prediction);
    }
    const p = pareto(o.outDir);
    expect(paretoValidator()(p)).toBeNull();
    expect(p.settings.strategy).toBe('exhaustive');
    expect(p.settings.screen_margin).toBeUndefined();
    expect(p.counts).toMatchObject({ screened: 0, evaluated: first.pareto.counts.evaluated + screened.length, audited: first.pareto.counts.audited });

    // The run's own (now exhaustive) settings: the measured lines replace the screened ones.
    const third = new KnownCostEvaluator();
    const again = await runSearch({ ...o, settings: pareto(o.outDir).settings, evaluators: [third], resume: true });
    expect(third.calls).toHaveLength(0);
    expect(again.pareto.counts).toMatchObject({ screened: 0, evaluated: p.counts.evaluated });
  });

  it('a larger margin measures the screened children it would not screen, and only those', async () => {
    const s = screenedSettings();
    const o = opts(s, new KnownCostEvaluator());
    await runSearch(o);
    const all = lines(o.outDir);
    const screened = all.filter(isScreened);
    const measured = all.filter((r): r is CandidateRecord => !isScreened(r));
    const margin = 0.6;
    // Still screened: a point measured in an earlier generation, with at least its params, beats its optimistic latency by the new margin.
    const stays = (r: ScreenedRecord) =>
      measured.some((q) => q.iteration < r.iteration && q.decoder_params >= r.decoder_params && q.measurement.latency!.median_ms * (1 + margin) < r.prediction.latency!.low);
    const flips = screened.filter((r) => !stays(r));
    expect(flips.length).toBeGreaterThan(0);
    expect(flips.length).toBeLessThan(screened.length);

    const { settings: wider, changed } = resumeSettings(s, { screenMargin: margin });
    expect(changed).toMatch(/^strategy screened \(margin 0\.1, audit share 0\.2\) -> screened \(margin 0\.6, audit share 0\.2\)/);
    const second = new KnownCostEvaluator();
    const out = await runSearch({ ...o, settings: wider, evaluators: [second], resume: true });
    expect(measuredKeys(second)).toEqual(configsOf(flips));
    expect(out.pareto.counts.screened).toBe(screened.length - flips.length);
    expect(out.pareto.settings).toMatchObject({ strategy: 'screened', screen_margin: 0.6, audit_share: 0.2 });

    const third = new KnownCostEvaluator();
    const again = await runSearch({ ...o, settings: pareto(o.outDir).settings, evaluators: [third], resume: true });
    expect(third.calls).toHaveLength(0);
    expect(again.pareto.counts.screened).toBe(screened.length - flips.length);
  });
});

describe('strategy exhaustive', () => {
  // Candidate ids of these runs as the loop produced them before screening existed (commit 5770ff1).
  const pinned = [
    { over: { seed: 7 }, count: 48, hash: 'cd02c3155ee1b66f' },
    { over: { seed: 3, families: ['gpt2', 'primer', 'transfo-xl'], metrics: ['latency', 'memory'], param_min: 4e6 }, count: 48, hash: '5ab995339f1164d6' },
  ] as const;

  it('measures exactly what the loop measured before screening existed, for the same seed', async () => {
    for (const { over, count, hash } of pinned) {
      // Said outright, and absent as in a run recorded before strategies existed (which the loop reads as
      // exhaustive): neither depends on the default strategy of a new search (DEFAULT_STRATEGY).
      for (const strategy of [undefined, 'exhaustive'] as const) {
        const s = settings({ ...over, families: [...(over as { families?: string[] }).families ?? ['gpt2']], metrics: [...(over as { metrics?: string[] }).metrics ?? ['latency']], strategy } as Partial<SearchSettings>);
        const ev = new FakeEvaluator();
        const out = await runSearch(opts(s, ev));
        expect(out.history.length).toBe(count);
        expect(ev.calls.length).toBe(count);
        expect(createHash('sha256').update(out.history.map((r) => r.id).join(',')).digest('hex').slice(0, 16)).toBe(hash);
        expect(out.pareto.counts.screened).toBeUndefined();
      }
    }
  });
});
