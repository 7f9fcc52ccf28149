// The split loop breeds exactly what the single-closure loop bred, and admits each child once.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { runSearch } from '../../src/search/loop.js';
import { identify, searchSpaces, type SearchSpaces } from '../../src/search/spaces.js';
import { candidateId, candidateKey, Rng } from '../../src/space/index.js';
import { decoderParams, totalParams } from '../../src/proxy/index.js';
import type { SearchSettings } from '../../src/search/types.js';
import { device, FakeEvaluator, settings, tmp } from './helpers.js';

const spacesFor = (s: SearchSettings): SearchSpaces => searchSpaces(s.families, { min: s.param_min, max: s.param_max });

describe('evolution', () => {
  // Recorded with the loop as it was before its split into named parts (commit bf4b2df): the count, a
  // hash of the candidate ids in order, and the first ids.
  const pinned: [Partial<SearchSettings>, number, string, string][] = [
    [{ seed: 11 }, 48, '325bd07a2b8150f5', 'gpt2-22e64c391e,gpt2-f9897f5ff7,gpt2-ff8299cb3c'],
    [{ seed: 5, families: ['gpt2', 'transfo-xl', 'primer'], param_min: 4e6, iterations: 2 }, 36, '8158653fb6e412c7', 'gpt2-8090fb0027,transfo-xl-5e6c4c6c85,primer-404163b6ea'],
    [{ seed: 3, metrics: ['latency', 'memory'], iterations: 4 }, 60, 'badcdd2d78dd9cc4', 'gpt2-235b099441,gpt2-02c02e5150,gpt2-4878abf153'],
  ];
  for (const [over, count, hash, first] of pinned) {
    it(`gives the same candidates for the same seed as before the split: ${JSON.stringify(over)}`, async () => {
      // Exhaustive said outright: these sequences are the LTS protocol's, whatever a new search's default strategy.
      const s = settings({ strategy: 'exhaustive', ...over });
      const out = await runSearch({ outDir: tmp(), device, settings: s, evaluators: [new FakeEvaluator()], spaces: spacesFor(s) });
      const ids = out.history.map((r) => r.id);
      expect(ids.length).toBe(count);
      expect(ids.slice(0, 3).join(',')).toBe(first);
      expect(createHash('sha256').update(ids.join('\n')).digest('hex').slice(0, 16)).toBe(hash);
    });
  }

  it('validates and identifies each child once on its way into a generation', async () => {
    const s = settings({ iterations: 2 });
    const real = spacesFor(s);
    let proposed = 0;
    let validated = 0;
    let identified = 0;
    const spaces: SearchSpaces = {
      ...real,
      space(f) {
        const sp = real.space(f);
        return {
          sample: (rng) => (proposed++, sp.sample(rng)),
          mutate: (c, rng) => (proposed++, sp.mutate(c, rng)),
          crossover: (a, b, rng) => (proposed++, sp.crossover(a, b, rng)),
          validate: (c) => (validated++, sp.validate(c)),
        };
      },
      identify: (g) => (identified++, real.identify(g)),
    };
    const out = await runSearch({ outDir: tmp(), device, settings: s, evaluators: [new FakeEvaluator()], spaces });
    expect(out.history.length).toBe(12 + 2 * 12);
    expect(validated).toBe(proposed);
    // Invalid children stop at validation; every valid one is identified exactly once.
    expect(identified).toBeLessThanOrEqual(validated);
    expect(identified).toBeGreaterThanOrEqual(out.history.length);
  });

  it('identifies a genome as the space functions do: canonical key, id and exact counts', () => {
    const sp = searchSpaces(['gpt2', 'transfo-xl', 'primer'], { min: 1e6, max: 200e6 });
    const rng = new Rng(4);
    for (const f of sp.families) {
      let g = sp.space(f).sample(rng);
      for (let i = 0; i < 10; i++, g = sp.space(f).mutate(g, rng)) {
        const id = identify(g);
        expect(id.key).toBe(candidateKey(g));
        expect(id.id).toBe(candidateId(g));
        expect(id.decoder_params).toBe(decoderParams(g));
        expect(id.total_params).toBe(totalParams(g));
        expect(id.family).toBe(f);
      }
    }
  });
});
