// How a search that measured nothing usable ends: it says why, and fails.
import { describe, expect, it } from 'vitest';
import { endNote } from '../../src/cli/search.js';
import { searchSpaces } from '../../src/search/spaces.js';
import { runSearch } from '../../src/search/loop.js';
import type { SearchSettings } from '../../src/search/types.js';
import { device, FakeEvaluator, settings, tmp } from './helpers.js';

const spacesFor = (s: SearchSettings) => searchSpaces(s.families, { min: s.param_min, max: s.param_max });

describe('the end of a search', () => {
  it('when every candidate fails: warns after the initial population, names the reason, exits 1', async () => {
    const s = settings({ iterations: 1, population: 4, parents: 1, mutations: 1, crossovers: 1 });
    const logs: string[] = [];
    const out = await runSearch({ outDir: tmp(), device, settings: s, evaluators: [new FakeEvaluator({ failWhen: () => true })], spaces: spacesFor(s), log: (l) => logs.push(l) });
    expect(out.pareto.counts.failed).toBe(out.pareto.counts.evaluated);
    expect(logs.some((l) => /every candidate of the initial population failed \(4x fake: out of memory/.test(l))).toBe(true);
    const end = endNote(out);
    expect(end.exitCode).toBe(1);
    expect(end.lines.join('\n')).toMatch(new RegExp(`no candidate was measured successfully: ${out.pareto.counts.evaluated}x fake: out of memory`));
  });

  it('a search with some successes ends normally and an interrupted one keeps 130', async () => {
    const s = settings({ iterations: 1, population: 6, parents: 2, mutations: 2, crossovers: 2 });
    let n = 0;
    const logs: string[] = [];
    const out = await runSearch({ outDir: tmp(), device, settings: s, evaluators: [new FakeEvaluator({ failWhen: () => n++ % 2 === 0 })], spaces: spacesFor(s), log: (l) => logs.push(l) });
    expect(out.pareto.counts.failed).toBeGreaterThan(0);
    expect(logs.some((l) => l.includes('every candidate'))).toBe(false);
    expect(endNote(out)).toEqual({ lines: [], exitCode: 0 });

    const ac = new AbortController();
    ac.abort();
    const stopped = await runSearch({ outDir: tmp(), device, settings: s, evaluators: [new FakeEvaluator()], spaces: spacesFor(s), signal: ac.signal });
    expect(endNote(stopped).exitCode).toBe(130);
  });

  it('says when the budget ran out before anything was measured', async () => {
    const s = settings({ budget_minutes: 1 });
    let t = 0;
    const out = await runSearch({ outDir: tmp(), device, settings: s, evaluators: [new FakeEvaluator()], spaces: spacesFor(s), now: () => (t += 120_000) });
    expect(out.pareto.counts.evaluated).toBe(0);
    const end = endNote(out);
    expect(end.exitCode).toBe(0);
    expect(end.lines.join('\n')).toMatch(/budget ran out before any candidate was measured/);
  });

  it('says which cost the device never reported when nothing can be on the frontier, and exits 1', async () => {
    const s = settings({ metrics: ['latency', 'memory'], iterations: 0, population: 3 });
    // A machine without a resettable high-water mark measures latency but reports no memory.
    const noMemory = new FakeEvaluator();
    const ev = { name: 'no-memory', fingerprint: () => noMemory.fingerprint(), evaluate: async (...a: Parameters<FakeEvaluator['evaluate']>) => {
      const m = await noMemory.evaluate(...a);
      delete m.memory;
      return m;
    } };
    const out = await runSearch({ outDir: tmp(), device, settings: s, evaluators: [ev], spaces: spacesFor(s) });
    expect(out.pareto.counts).toMatchObject({ evaluated: 3, failed: 0, frontier: 0 });
    const end = endNote(out);
    expect(end.exitCode).toBe(1);
    expect(end.lines.join('\n')).toMatch(/reported no memory figures for any measured candidate.*clear_refs/);

    const limited = settings({ iterations: 0, population: 3, latency_max_ms: 1e-6 });
    const out2 = await runSearch({ outDir: tmp(), device, settings: limited, evaluators: [new FakeEvaluator()], spaces: spacesFor(limited) });
    expect(endNote(out2)).toEqual({ lines: ['lts: no measured candidate met --latency-max 0.000001 ms'], exitCode: 0 });
  });
});
