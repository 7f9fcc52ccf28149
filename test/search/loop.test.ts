import { spawnSync } from 'node:child_process';
import { appendFileSync, copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LOCK_FILE } from '../../src/search/lock.js';
import { LtsError } from '../../src/util/errors.js';
import { asEvaluation } from '../../src/profile/evaluator.js';
import { runSearch, type RunSearchOptions } from '../../src/search/loop.js';
import { searchSpaces, type FamilySpace, type SearchSpaces } from '../../src/search/spaces.js';
import { feasible } from '../../src/search/objectives.js';
import { validateConfig } from '../../src/space/index.js';
import type { ArchConfig } from '../../src/space/types.js';
import type { CandidateRecord, Evaluator, ParetoFile, SearchSettings } from '../../src/search/types.js';
import { device, FakeEvaluator, paretoValidator, settings, tmp } from './helpers.js';

const validatePareto = paretoValidator();

function spacesFor(s: SearchSettings): SearchSpaces {
  return searchSpaces(s.families, { min: s.param_min, max: s.param_max });
}

function opts(s: SearchSettings, evaluators: Evaluator[], over: Partial<RunSearchOptions> = {}): RunSearchOptions {
  return { outDir: tmp(), device, settings: s, evaluators, spaces: spacesFor(s), ...over };
}

function lines(dir: string): CandidateRecord[] {
  return readFileSync(join(dir, 'candidates.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as CandidateRecord);
}

function readPareto(dir: string): ParetoFile {
  return JSON.parse(readFileSync(join(dir, 'pareto.json'), 'utf8')) as ParetoFile;
}

/** The frontier without the fields that legitimately differ between runs (times). */
function frontierShape(p: ParetoFile) {
  return p.frontier.map((f) => ({ key: f.key, params: f.decoder_params, lat: f.latency?.median_ms, mem: f.memory?.inference_peak_mb }));
}

describe('runSearch', () => {
  it('writes a frontier of non-dominated, feasible candidates that validates against the schema', async () => {
    const s = settings();
    const ev = new FakeEvaluator();
    const o = opts(s, [ev]);
    const out = await runSearch(o);
    expect(out.stoppedBy).toBe('iterations');
    expect(out.history.length).toBe(12 + 3 * 12);
    const p = readPareto(o.outDir);
    expect(validatePareto(p)).toBeNull();
    expect(Number.isNaN(Date.parse(p.created_at))).toBe(false);
    expect(p.counts).toMatchObject({ evaluated: 48, failed: 0, iterations_done: 3, stopped_by: 'iterations' });
    // The provider that actually ran (from the measurements) is recorded beside the one asked for.
    expect(p.fingerprint.providers_ran).toEqual(['cpu']);
    expect(p.frontier.length).toBe(p.counts.frontier);
    expect(p.frontier.length).toBeGreaterThan(1);
    // Sorted by cost, and along a 2-objective front more cost buys more params.
    for (let i = 1; i < p.frontier.length; i++) {
      expect(p.frontier[i]!.latency!.median_ms).toBeGreaterThanOrEqual(p.frontier[i - 1]!.latency!.median_ms);
      expect(p.frontier[i]!.decoder_params).toBeGreaterThan(p.frontier[i - 1]!.decoder_params);
    }
    // Nothing measured dominates a frontier point.
    for (const f of p.frontier) {
      for (const r of out.history) {
        const dom = r.decoder_params >= f.decoder_params && r.measurement.latency!.median_ms <= f.latency!.median_ms &&
          (r.decoder_params > f.decoder_params || r.measurement.latency!.median_ms < f.latency!.median_ms);
        expect(dom).toBe(false);
      }
    }
    expect(lines(o.outDir).length).toBe(48);
  });

  it('is deterministic: same seed, same candidates; another seed, others', async () => {
    const keys = async (seed: number) => (await runSearch(opts(settings({ seed }), [new FakeEvaluator()]))).history.map((r) => r.key);
    const a = await keys(11);
    expect(await keys(11)).toEqual(a);
    expect(await keys(12)).not.toEqual(a);
  });

  it('gives the same candidates and frontier with several concurrent evaluators finishing in any order', async () => {
    const s = settings({ metrics: ['latency', 'memory'] });
    const single = await runSearch(opts(s, [new FakeEvaluator()]));
    const evs = [1, 2, 3].map((i) => new FakeEvaluator({ name: `e${i}`, jitterSalt: `j${i}` }));
    const o = opts(s, evs);
    const multi = await runSearch(o);
    expect(multi.history.map((r) => r.key)).toEqual(single.history.map((r) => r.key));
    expect(frontierShape(multi.pareto)).toEqual(frontierShape(single.pareto));
    expect(evs.every((e) => e.calls.length > 0)).toBe(true);
    expect(validatePareto(readPareto(o.outDir))).toBeNull();
  });

  it('never measures a key twice', async () => {
    const ev = new FakeEvaluator();
    const out = await runSearch(opts(settings({ iterations: 5 }), [ev]));
    const keys = ev.calls.map((c) => JSON.stringify(c));
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys.length).toBe(out.history.length);
  });

  it('never sends invalid or out-of-bounds children to the evaluator', async () => {
    const s = settings({ param_min: 10e6, param_max: 40e6 });
    const real = spacesFor(s);
    let broken = 0;
    // Every third mutation or crossover child is broken in one way or another.
    const breakIt = (c: ArchConfig): ArchConfig => {
      broken++;
      if (broken % 3 === 0) return { ...c, n_head: c.n_head.map(() => 7) };
      if (broken % 3 === 1) return { ...c, n_layer: 10, d_model: 960, d_inner: Array(10).fill(4032), n_head: Array(10).fill(8) };
      return c;
    };
    const spaces: SearchSpaces = {
      ...real,
      space(f) {
        const sp = real.space(f);
        const w: FamilySpace = {
          sample: (rng) => sp.sample(rng),
          mutate: (c, rng) => breakIt(sp.mutate(c, rng)),
          crossover: (a, b, rng) => breakIt(sp.crossover(a, b, rng)),
          validate: (c) => sp.validate(c),
        };
        return w;
      },
    };
    const ev = new FakeEvaluator();
    const out = await runSearch({ ...opts(s, [ev]), spaces });
    expect(broken).toBeGreaterThan(20);
    expect(ev.calls.length).toBeGreaterThan(12);
    for (const c of ev.calls) {
      expect(validateConfig(c, { min: 10e6, max: 40e6 })).toBeNull();
    }
    expect(out.history.length).toBe(ev.calls.length);
  });

  it('records failed candidates, keeps them off the frontier, and goes on', async () => {
    const failWhen = (c: ArchConfig) => c.n_layer % 2 === 0;
    const ev = new FakeEvaluator({ failWhen });
    const o = opts(settings(), [ev]);
    const out = await runSearch(o);
    const recs = lines(o.outDir);
    const failed = recs.filter((r) => !r.measurement.ok);
    expect(failed.length).toBeGreaterThan(0);
    expect(failed.every((r) => r.measurement.error && failWhen(r.config))).toBe(true);
    expect(out.pareto.counts.failed).toBe(failed.length);
    expect(out.pareto.frontier.every((f) => !failWhen(f.config))).toBe(true);
    expect(out.pareto.counts.iterations_done).toBe(3);
  });

  it('keeps points above --latency-max off the frontier', async () => {
    const s = settings({ latency_max_ms: 30 });
    const out = await runSearch(opts(s, [new FakeEvaluator()]));
    expect(out.history.some((r) => r.measurement.latency!.median_ms > 30)).toBe(true);
    expect(out.pareto.frontier.length).toBeGreaterThan(0);
    expect(out.pareto.frontier.every((f) => f.latency!.median_ms <= 30)).toBe(true);
  });

  it('drops an evaluator that rejects and measures its candidate elsewhere, each candidate exactly once', async () => {
    const s = settings();
    const reference = await runSearch(opts(s, [new FakeEvaluator()]));
    const bad = new FakeEvaluator({ name: 'bad', rejectFromCall: 4, jitterSalt: 'b' });
    const good = new FakeEvaluator({ name: 'good', jitterSalt: 'g' });
    const logs: string[] = [];
    const o = opts(s, [bad, good], { log: (l) => logs.push(l) });
    const out = await runSearch(o);
    expect(bad.calls.length).toBe(3);
    expect(logs.some((l) => l.includes('bad dropped'))).toBe(true);
    const recs = lines(o.outDir);
    const keys = recs.map((r) => r.key);
    expect(new Set(keys).size).toBe(keys.length);
    expect([...keys].sort()).toEqual(reference.history.map((r) => r.key).sort());
    expect(recs.filter((r) => r.evaluator === 'bad').length).toBe(3);
    expect(frontierShape(out.pareto)).toEqual(frontierShape(reference.pareto));
  });

  it('stops cleanly when every evaluator is lost, and still writes results', async () => {
    const ev = new FakeEvaluator({ rejectFromCall: 6 });
    const o = opts(settings(), [ev], { log: () => {} });
    const out = await runSearch(o);
    expect(out.stoppedBy).toBe('evaluators_lost');
    const p = readPareto(o.outDir);
    expect(p.counts).toMatchObject({ evaluated: 5, stopped_by: 'evaluators_lost' });
    expect(validatePareto(p)).toBeNull();
  });

  it('stops at the budget after the running measurement and writes results', async () => {
    let clock = 0;
    // Each measurement takes 10 s of fake time; a 1-minute budget allows 6.
    const ev = new FakeEvaluator({ onCall: () => { clock += 10_000; } });
    const o = opts(settings({ budget_minutes: 1 }), [ev], { now: () => clock });
    const out = await runSearch(o);
    expect(out.stoppedBy).toBe('budget');
    expect(ev.calls.length).toBe(6);
    const p = readPareto(o.outDir);
    expect(p.counts).toMatchObject({ evaluated: 6, stopped_by: 'budget', iterations_done: 0 });
    expect(p.frontier.length).toBeGreaterThan(0);
    expect(lines(o.outDir).length).toBe(6);
    expect(validatePareto(p)).toBeNull();
  });

  it('reports a run that finished every iteration as such even when the budget ran out on its last measurement', async () => {
    let clock = 0;
    const ev = new FakeEvaluator({ onCall: () => { clock += 10_000; } });
    const out = await runSearch(opts(settings({ iterations: 0, population: 3, budget_minutes: 0.5 }), [ev], { now: () => clock }));
    expect(ev.calls.length).toBe(3);
    expect(out.stoppedBy).toBe('iterations');
  });

  it('keeps pareto.json current during a generation, not only at its end', async () => {
    const dir = tmp();
    const seen: number[] = [];
    const ev = new FakeEvaluator({ onCall: (_c, n) => { if (n === 5 || n === 9) seen.push(readPareto(dir).counts.evaluated); } });
    const progress: number[] = [];
    await runSearch(opts(settings(), [ev], { outDir: dir, liveWriteMs: 0, onProgress: (p) => progress.push(p.frontier) }));
    expect(seen).toEqual([4, 8]);
    // The frontier size in progress reports grows during the first generation already.
    expect(progress.slice(0, 12).some((f) => f > 0)).toBe(true);
  });

  it('says running in pareto.json while the search goes on, and why it stopped at the end', async () => {
    const dir = tmp();
    const seen: string[] = [];
    const ev = new FakeEvaluator({ onCall: (_c, n) => { if (n === 1 || n === 13 || n === 30) seen.push(readPareto(dir).counts.stopped_by); } });
    await runSearch(opts(settings(), [ev], { outDir: dir, liveWriteMs: 0 }));
    expect(seen).toEqual(['running', 'running', 'running']);
    expect(readPareto(dir).counts.stopped_by).toBe('iterations');
    expect(validatePareto(readPareto(dir))).toBeNull();
  });

  it('stops on interrupt after the measurement in flight', async () => {
    const ac = new AbortController();
    const ev = new FakeEvaluator({ onCall: (_c, n) => { if (n === 20) ac.abort(); } });
    const o = opts(settings(), [ev], { signal: ac.signal });
    const out = await runSearch(o);
    expect(out.stoppedBy).toBe('interrupt');
    expect(ev.calls.length).toBe(20);
    expect(readPareto(o.outDir).counts).toMatchObject({ evaluated: 20, stopped_by: 'interrupt', iterations_done: 0 });
  });

  it('does not record a failure that coincides with Ctrl-C (the signal reaches the measuring child too)', async () => {
    const ac = new AbortController();
    const ev = new FakeEvaluator({ onCall: (_c, n) => { if (n === 5) ac.abort(); }, failWhen: () => ac.signal.aborted });
    const dir = tmp();
    const out = await runSearch(opts(settings(), [ev], { outDir: dir, signal: ac.signal }));
    expect(ev.calls.length).toBe(5);
    expect(out.history.length).toBe(4);
    expect(lines(dir).every((r) => r.measurement.ok)).toBe(true);
    const again = new FakeEvaluator();
    await runSearch({ ...opts(settings(), [again]), outDir: dir, resume: true, settings: settings({ iterations: 0 }) });
    expect(JSON.stringify(again.calls[0])).toBe(JSON.stringify(ev.calls[4]));
  });

  it('does not record a measurement ended by a stop signal the search has not seen yet; retries it, a few times at most', async () => {
    const s = settings({ iterations: 1, population: 6, parents: 2, mutations: 2, crossovers: 2 });
    const inner = new FakeEvaluator();
    const seen = new Map<string, number>();
    let stubborn: string | undefined;
    const ev: Evaluator = {
      name: 'signalled',
      fingerprint: () => inner.fingerprint(),
      async evaluate(cfg, req) {
        const k = JSON.stringify(cfg);
        const n = (seen.get(k) ?? 0) + 1;
        seen.set(k, n);
        stubborn ??= k;
        // Every candidate's first child dies of SIGINT (Ctrl-C reaching the group before the search handles it);
        // the first candidate's child dies of SIGTERM every time.
        // As the local evaluator reports them: the failure is marked retryable (asEvaluation).
        if (k === stubborn) return asEvaluation({ ok: false, error: 'crashed: signal SIGTERM', timing: { export_ms: 0, session_ms: 0, measure_ms: 0, total_ms: 1 } });
        if (n === 1) return asEvaluation({ ok: false, error: 'crashed: signal SIGINT', timing: { export_ms: 0, session_ms: 0, measure_ms: 0, total_ms: 1 } });
        return inner.evaluate(cfg, req);
      },
    };
    const o = opts(s, [ev]);
    const out = await runSearch(o);
    const recs = lines(o.outDir);
    expect(new Set(recs.map((r) => r.key)).size).toBe(recs.length);
    const failed = recs.filter((r) => !r.measurement.ok);
    expect(failed.map((r) => r.key)).toEqual([stubborn]);
    expect(seen.get(stubborn!)).toBe(3);
    expect(out.history.filter((r) => r.measurement.ok)).toHaveLength(recs.length - 1);
  });

  it('searches several families on one frontier without crossing families', async () => {
    const s = settings({ families: ['gpt2', 'transfo-xl', 'primer'], param_min: 4e6, iterations: 2 });
    const real = spacesFor(s);
    let crosses = 0;
    const spaces: SearchSpaces = {
      ...real,
      space(f) {
        const sp = real.space(f);
        return {
          sample: (rng) => sp.sample(rng),
          mutate: (c, rng) => sp.mutate(c, rng),
          crossover: (a, b, rng) => {
            crosses++;
            expect(a.family).toBe(b.family);
            expect(a.family).toBe(f);
            return sp.crossover(a, b, rng);
          },
          validate: (c) => sp.validate(c),
        };
      },
    };
    const out = await runSearch({ ...opts(s, [new FakeEvaluator()]), spaces });
    expect(crosses).toBeGreaterThan(0);
    const fams = new Set(out.history.map((r) => r.family));
    expect(fams).toEqual(new Set(['gpt2', 'transfo-xl', 'primer']));
    expect(out.history.every((r) => feasible(r, s) || !r.measurement.ok)).toBe(true);
  });

  it('resumes after a crash (kill -9 state, truncated last line) to the uninterrupted frontier, measuring nothing twice', async () => {
    const s = settings({ metrics: ['latency', 'memory'], iterations: 4 });
    const full = new FakeEvaluator();
    const reference = await runSearch(opts(s, [full]));
    const total = full.calls.length;

    // The crashed run: at its k-th measurement, copy the run directory as a kill -9 would leave it.
    const k = 30;
    const crashed = tmp();
    const live = tmp();
    const snapshot = () => {
      for (const f of ['candidates.jsonl', 'pareto.json']) copyFileSync(join(live, f), join(crashed, f));
      appendFileSync(join(crashed, 'candidates.jsonl'), '{"id":"gpt2-trunc","key":"{\\"fam');
    };
    const first = new FakeEvaluator({ onCall: (_c, n) => { if (n === k) snapshot(); } });
    await runSearch(opts(s, [first], { outDir: live }));
    expect(lines2(crashed).length).toBe(k - 1);

    const resumed = new FakeEvaluator();
    const logs: string[] = [];
    const saved = readPareto(crashed);
    const out = await runSearch({ ...opts(saved.settings, [resumed]), outDir: crashed, resume: true, log: (l) => logs.push(l) });
    expect(logs.some((l) => l.includes('skipped unreadable line'))).toBe(true);
    // k-1 measurements were on disk; the resume measured exactly the rest.
    expect(resumed.calls.length).toBe(total - (k - 1));
    const before = new Set(lines(live).slice(0, k - 1).map((r) => r.key));
    expect(resumed.calls.some((c) => before.has(JSON.stringify(c)))).toBe(false);
    expect(frontierShape(out.pareto)).toEqual(frontierShape(reference.pareto));
    expect(out.pareto.counts).toEqual(reference.pareto.counts);
    // Every candidate appears once in the resumed run's file (the truncated line aside).
    const keys = lines2(crashed).map((r) => r.key);
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys.length).toBe(total);
    expect(validatePareto(readPareto(crashed))).toBeNull();
  });

  it('resumes after an interrupt to the uninterrupted frontier', async () => {
    const s = settings({ seed: 99 });
    const reference = await runSearch(opts(s, [new FakeEvaluator()]));
    const ac = new AbortController();
    const dir = tmp();
    await runSearch(opts(s, [new FakeEvaluator({ onCall: (_c, n) => { if (n === 17) ac.abort(); } })], { outDir: dir, signal: ac.signal }));
    const again = new FakeEvaluator();
    const out = await runSearch({ ...opts(s, [again]), outDir: dir, resume: true });
    expect(again.calls.length).toBe(reference.history.length - 17);
    expect(frontierShape(out.pareto)).toEqual(frontierShape(reference.pareto));
    expect(existsSync(join(dir, 'pareto.json'))).toBe(true);
  });
});

/** Records of a file that may hold a truncated line mid-file (left by the crash, then appended after). */
function lines2(dir: string): CandidateRecord[] {
  return readFileSync(join(dir, 'candidates.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .flatMap((l) => {
      try {
        return [JSON.parse(l) as CandidateRecord];
      } catch {
        return [];
      }
    });
}

describe('runSearch run directory', () => {
  it('refuses to start a new search over measured candidates', async () => {
    const o = opts(settings({ iterations: 0, population: 3 }), [new FakeEvaluator()]);
    await runSearch(o);
    await expect(runSearch({ ...o, evaluators: [new FakeEvaluator()] })).rejects.toThrow(/already holds measured candidates/);
  });

  it('refuses a second search in a directory while one runs there, and takes over a lock left by a dead one', async () => {
    const s = settings({ iterations: 0, population: 3 });
    const dir = tmp();
    let second: Promise<string> | undefined;
    const other = new FakeEvaluator();
    const first = new FakeEvaluator({
      onCall: (_c, n) => {
        // `lts search --resume` started while the first run is still measuring.
        if (n === 1) second = runSearch({ ...opts(s, [other]), outDir: dir, resume: true }).then(() => 'ran', (e: Error) => e.message);
      },
    });
    await runSearch(opts(s, [first], { outDir: dir }));
    expect(await second).toMatch(/in use by another lts search/);
    expect(other.calls).toHaveLength(0);
    const keys = lines(dir).map((r) => r.key);
    expect(keys).toHaveLength(3);
    expect(new Set(keys).size).toBe(3);
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);

    // kill -9 leaves the lock behind; its process is gone, so a resume takes it over.
    const dead = spawnSync(process.execPath, ['-e', '']).pid;
    writeFileSync(join(dir, LOCK_FILE), JSON.stringify({ pid: dead, host: hostname() }) + '\n');
    const again = new FakeEvaluator();
    const out = await runSearch({ ...opts(s, [again]), outDir: dir, resume: true });
    expect(again.calls).toHaveLength(0);
    expect(out.history).toHaveLength(3);
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
  });

  it('refuses to resume with candidates measured under another seed or device', async () => {
    const s = settings({ iterations: 0, population: 3 });
    const dir = tmp();
    await runSearch(opts(s, [new FakeEvaluator()], { outDir: dir }));
    // pareto.json replaced by another run's: its seed differs from the one the candidates were measured with.
    const otherSeed = settings({ iterations: 0, population: 3, seed: 8 });
    const ev = new FakeEvaluator();
    await expect(runSearch({ ...opts(otherSeed, [ev]), outDir: dir, resume: true })).rejects.toThrow(/measured with another device, settings or seed/);
    const otherDevice = { ...device, name: 'other-board' };
    await expect(runSearch({ ...opts(s, [ev]), device: otherDevice, outDir: dir, resume: true })).rejects.toThrow(/measured with another device/);
    expect(ev.calls).toHaveLength(0);
    expect(lines(dir)).toHaveLength(3);
    // The run's own settings still resume it.
    await expect(runSearch({ ...opts(s, [ev]), outDir: dir, resume: true })).resolves.toBeDefined();
  });
});

describe('runSearch run directory errors', () => {
  it('says in one line when the run directory cannot be made', async () => {
    const file = join(tmp(), 'a-file');
    writeFileSync(file, 'x');
    const s = settings({ iterations: 0, population: 3 });
    for (const outDir of [file, join(file, 'sub')]) {
      const err = await runSearch(opts(s, [new FakeEvaluator()], { outDir })).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(LtsError);
      expect((err as Error).message).toBe(`cannot use ${outDir} as the run directory: a file is in the way (not a directory)`);
    }
  });
});

describe('runSearch failing at start', () => {
  it('leaves no run directory behind when no evaluator answers, and keeps one that was there', async () => {
    const refusing: Evaluator = {
      name: 'agent http://127.0.0.1:1',
      evaluate: () => Promise.reject(new Error('unused')),
      fingerprint: () => Promise.reject(new Error('401 unauthorized')),
    };
    const s = settings({ iterations: 0, population: 3 });
    const fresh = join(tmp(), 'runs', 'new');
    await expect(runSearch(opts(s, [refusing], { outDir: fresh, log: () => {} }))).rejects.toThrow(/no evaluator answered: .*401 unauthorized/);
    expect(existsSync(fresh)).toBe(false);
    const existing = tmp();
    await expect(runSearch(opts(s, [refusing], { outDir: existing, log: () => {} }))).rejects.toThrow(/no evaluator answered/);
    expect(existsSync(existing)).toBe(true);
  });
});
