import { describe, expect, it } from 'vitest';
import {
  FAMILIES, Rng, candidateId, candidateKey, canonical, getSpace, parseConfig, validateConfig, type ArchConfig,
} from '../../src/space/index.js';
import { decoderParams } from '../../src/proxy/index.js';
import { LtsError } from '../../src/util/errors.js';

// The per-layer-list families; brainformer's space has its own tests (test/families/brainformer).
const LAYERED = FAMILIES.filter((f) => f !== 'brainformer');

describe('sampling', () => {
  for (const family of LAYERED) {
    it(`${family}: same seed -> same samples; all valid, inside bounds, n_layer slots`, () => {
      const space = getSpace(family);
      const a = new Rng(11), b = new Rng(11);
      const xs = Array.from({ length: 50 }, () => space.sample(a));
      expect(Array.from({ length: 50 }, () => space.sample(b))).toEqual(xs);
      expect(space.slots).toBe(10);
      for (const x of xs) {
        expect(x.family).toBe(family);
        expect(space.validate(x)).toBeNull();
        expect(x.d_inner).toHaveLength(10);
        const p = decoderParams(x);
        expect(p).toBeGreaterThanOrEqual(space.options.bounds.min);
        expect(p).toBeLessThanOrEqual(100e6);
        expect(x.d_inner.every((f) => f > 1.7 * x.d_model && f % 64 === 0)).toBe(true);
        expect(x.n_head.every((h) => [2, 4, 8].includes(h))).toBe(true);
        expect([1, 2, 4]).toContain(x.div_val);
      }
      expect(new Set(xs.map(candidateKey)).size).toBeGreaterThan(45);
    });
  }
  it('family defaults: vocabularies, cutoffs, bounds', () => {
    const t = getSpace('transfo-xl').sample(new Rng(1));
    expect(t.vocab_size).toBe(267735);
    expect(t.cutoffs).toEqual([19997, 39997, 199997]);
    expect(getSpace('transfo-xl').options.bounds).toEqual({ min: 4e6, max: 100e6 });
    const g = getSpace('gpt2').sample(new Rng(1));
    expect(g.vocab_size).toBe(50257);
    expect(g.cutoffs).toEqual([19997, 39997]);
    expect(g.primer_conv).toBeUndefined();
    expect(getSpace('gpt2').options.bounds).toEqual({ min: 6e6, max: 100e6 });
  });
  it('primer space draws both switches, Primer-EZ included', () => {
    const space = getSpace('primer');
    const r = new Rng(2);
    const xs = Array.from({ length: 60 }, () => space.sample(r));
    const kinds = new Set(xs.map((x) => `${x.primer_square}/${x.primer_conv}`));
    expect(kinds.size).toBe(4);
  });
  it('options override choices and bounds; impossible bounds give LtsError', () => {
    const space = getSpace('gpt2', { n_layer: [2], d_model: [128], n_head: [4], div_val: [0], bounds: { min: 0, max: 1e9 } });
    const x = space.sample(new Rng(3));
    expect(x.n_layer).toBe(2);
    expect(x.d_inner).toHaveLength(2);
    expect(x.div_val).toBe(0);
    expect(x.cutoffs).toEqual([]);
    expect(() => getSpace('gpt2', { bounds: { min: 1e12, max: 2e12 } }).sample(new Rng(1))).toThrow(LtsError);
    expect(() => getSpace('gpt2', { d_model: [960], d_inner: [128] })).toThrow(/d_inner/);
    expect(() => getSpace('bert' as never)).toThrow(LtsError);
  });
});

describe('identity', () => {
  const base: ArchConfig = {
    family: 'gpt2', n_layer: 2, d_model: 256, d_inner: [512, 1024, 768], n_head: [4, 8, 2], div_val: 1,
    d_embed: 256, vocab_size: 50257, cutoffs: [19997, 39997], n_positions: 1024,
  };
  it('key and id ignore inactive slots', () => {
    const other = { ...base, d_inner: [512, 1024, 4032, 128], n_head: [4, 8, 4, 4] };
    expect(candidateKey(other)).toBe(candidateKey(base));
    expect(candidateId(other)).toBe(candidateId(base));
    expect(canonical(base).d_inner).toEqual([512, 1024]);
  });
  it('key changes with any active gene', () => {
    expect(candidateKey({ ...base, d_inner: [512, 960, 768] })).not.toBe(candidateKey(base));
    expect(candidateKey({ ...base, n_layer: 3 })).not.toBe(candidateKey(base));
    expect(candidateKey({ ...base, div_val: 2 })).not.toBe(candidateKey(base));
    expect(candidateKey({ ...base, family: 'primer' })).not.toBe(candidateKey(base));
    expect(candidateKey({ ...base, family: 'primer', primer_conv: true }))
      .not.toBe(candidateKey({ ...base, family: 'primer' }));
  });
  it('id is short, stable and names the family', () => {
    expect(candidateId(base)).toMatch(/^gpt2-[0-9a-f]{10}$/);
    expect(candidateId(base)).toBe(candidateId(JSON.parse(JSON.stringify(base)) as ArchConfig));
    expect(candidateId({ ...base, family: 'transfo-xl' })).toMatch(/^transfo-xl-[0-9a-f]{10}$/);
  });
  it('a plain embedding ignores cutoffs and d_embed in its identity', () => {
    const plain = { ...base, div_val: 0 };
    expect(candidateKey({ ...plain, cutoffs: [] })).toBe(candidateKey(plain));
  });
});

describe('validity rules', () => {
  const ok: ArchConfig = {
    family: 'gpt2', n_layer: 2, d_model: 256, d_inner: [512, 1024], n_head: [4, 8], div_val: 0,
    d_embed: 256, vocab_size: 50257, cutoffs: [], n_positions: 1024,
  };
  const cases: [string, Partial<ArchConfig>, RegExp][] = [
    ['unknown family', { family: 'bert' as never }, /^family:/],
    ['n_layer', { n_layer: 0 }, /^n_layer:/],
    ['short lists', { n_layer: 3 }, /^list-length: d_inner/],
    ['heads', { n_head: [4, 3] }, /^heads-divide-d_model: n_head\[1\]: 3 does not divide d_model 256/],
    ['d_inner ratio', { d_inner: [512, 435] }, /^d_inner-ratio: d_inner\[1\]/],
    ['cutoffs increasing', { div_val: 1, cutoffs: [500, 400] }, /^cutoffs: cutoffs\[1\]/],
    ['cutoffs below vocab', { div_val: 1, cutoffs: [100, 50257] }, /^cutoffs: cutoffs\[1\]: 50257 is not < vocab_size/],
    ['div_val', { div_val: 1.5 }, /^div_val:/],
    ['div_val negative', { div_val: -1 }, /^div_val:/],
    ['plain embedding width', { d_embed: 128 }, /^embed-width:/],
    ['primer switches elsewhere', { primer_conv: true }, /^primer-only: primer_conv/],
  ];
  for (const [name, patch, re] of cases) {
    it(name, () => {
      expect(validateConfig(ok)).toBeNull();
      expect(validateConfig({ ...ok, ...patch })).toMatch(re);
    });
  }
  it('bounds only when given', () => {
    expect(validateConfig(ok, { min: 6e6, max: 100e6 })).toMatch(/^bounds: decoder_params: \d+ outside \[6000000, 100000000\]/);
    expect(getSpace('gpt2').validate(ok)).toMatch(/^bounds:/);
    expect(getSpace('transfo-xl').validate({ ...ok })).toMatch(/^family:/);
  });
});

describe('mutation and crossover', () => {
  for (const family of LAYERED) {
    it(`${family}: children are valid or rejected by a named rule (bounds only: mutation repairs)`, () => {
      const space = getSpace(family);
      const r = new Rng(99);
      const pop = Array.from({ length: 20 }, () => space.sample(r));
      let changed = 0;
      for (let i = 0; i < 300; i++) {
        const a = pop[r.int(0, pop.length - 1)]!;
        const b = pop[r.int(0, pop.length - 1)]!;
        for (const child of [space.mutate(a, r), space.crossover(a, b, r)]) {
          expect(child.family).toBe(family);
          expect(child.d_inner.length).toBeGreaterThanOrEqual(10);
          const v = space.validate(child);
          if (v !== null) expect(v).toMatch(/^bounds: /);
          // structure is always valid, including the inactive slots that a later n_layer change activates
          expect(validateConfig({ ...child, n_layer: 10 })).toBeNull();
        }
        if (candidateKey(space.mutate(a, r)) !== candidateKey(a)) changed++;
      }
      expect(changed).toBeGreaterThan(250);
    });
  }
  it('mutation is seeded', () => {
    const space = getSpace('gpt2');
    const p = space.sample(new Rng(1));
    expect(space.mutate(p, new Rng(5))).toEqual(space.mutate(p, new Rng(5)));
  });
  it('mutation re-draws about 30% of the slots', () => {
    const space = getSpace('gpt2', { d_model: [512] });
    const r = new Rng(8);
    const p = space.sample(r);
    let diff = 0, total = 0;
    for (let i = 0; i < 200; i++) {
      const c = space.mutate(p, r);
      c.n_head.forEach((h, k) => { total++; if (h !== p.n_head[k]) diff++; });
    }
    // a re-draw lands on the same of 3 head choices a third of the time: 0.3 x 2/3 = 0.2
    expect(diff / total).toBeGreaterThan(0.15);
    expect(diff / total).toBeLessThan(0.25);
  });
  it('crossover takes every slot from one of the parents', () => {
    const space = getSpace('primer', { d_model: [512] });
    const r = new Rng(4);
    const a = space.sample(r), b = space.sample(r);
    for (let i = 0; i < 50; i++) {
      const c = space.crossover(a, b, r);
      expect([a.n_layer, b.n_layer]).toContain(c.n_layer);
      expect([a.div_val, b.div_val]).toContain(c.div_val);
      expect([a.primer_conv, b.primer_conv]).toContain(c.primer_conv);
      c.d_inner.forEach((f, k) => expect([a.d_inner[k], b.d_inner[k]]).toContain(f));
      c.n_head.forEach((h, k) => expect([a.n_head[k], b.n_head[k]]).toContain(h));
    }
  });
  it('crossover never mixes families', () => {
    const r = new Rng(1);
    const g = getSpace('gpt2').sample(r);
    const p = getSpace('primer').sample(r);
    expect(() => getSpace('gpt2').crossover(g, p, r)).toThrow(LtsError);
    expect(() => getSpace('primer').crossover(p, g, r)).toThrow(/across families/);
    expect(() => getSpace('transfo-xl').mutate(g, r)).toThrow(LtsError);
  });
  it('a d_model change is repaired: d_inner re-drawn above 1.7 x the new width', () => {
    const space = getSpace('gpt2', { d_model: [128, 960] });
    const r = new Rng(21);
    let sawRepair = false;
    for (let i = 0; i < 200; i++) {
      const p = space.sample(r);
      const c = space.mutate(p, r);
      if (c.d_model === 960 && p.d_model === 128) sawRepair = true;
      expect(c.d_inner.every((f) => f > 1.7 * c.d_model)).toBe(true);
    }
    expect(sawRepair).toBe(true);
  });
});

describe('parseConfig', () => {
  it('fills family defaults', () => {
    const g = parseConfig({ n_layer: 2, d_model: 256, n_head: 4 });
    expect(g).toEqual({
      family: 'gpt2', n_layer: 2, d_model: 256, d_inner: [1024, 1024], n_head: [4, 4], div_val: 0,
      d_embed: 256, vocab_size: 50257, cutoffs: [], n_positions: 1024,
    });
    const t = parseConfig({ family: 'transfo-xl', n_layer: 2, d_model: 256, n_head: [4, 8], d_embed: -1 });
    expect(t.div_val).toBe(4);
    expect(t.vocab_size).toBe(267735);
    expect(t.cutoffs).toEqual([19997, 39997, 199997]);
    expect(t.d_embed).toBe(256);
    const p = parseConfig({ family: 'primer', n_layer: 1, d_model: 128, n_head: 2, primer_conv: true });
    expect(p.primer_conv).toBe(true);
    expect(p.primer_square).toBe(false);
    // cutoffs clipped below a smaller vocabulary
    expect(parseConfig({ n_layer: 1, d_model: 128, n_head: 2, div_val: 2, vocab_size: 30000 }).cutoffs).toEqual([19997]);
    // HF spellings and a record holding a config
    expect(parseConfig({ config: { n_embd: 256, n_layer: 2, n_head: 4, n_inner: 1024 } })).toEqual(g);
  });
  const bad: [unknown, string][] = [
    [{ n_layer: 3, d_model: 256, n_head: [4, 4, 3] }, 'config.n_head[2]: 3 does not divide d_model 256'],
    [{ n_layer: 3, d_model: 256, n_head: [4, 4] }, 'config.n_head: has 2 entries, needs at least n_layer 3'],
    [{ n_layer: 2, d_model: 256, n_head: 4, d_inner: [1024, 300] }, 'config.d_inner[1]: 300 is not > 1.7 x d_model 256'],
    [{ n_layer: 2, d_model: 256 }, 'config.n_head: missing'],
    [{ d_model: 256, n_head: 4 }, 'config.n_layer: missing'],
    [{ n_layer: 2, d_model: 256, n_head: 4, family: 'bert' }, 'config.family: "bert" is not one of'],
    [{ n_layer: 2, d_model: 256, n_head: 4, heads: 4 }, 'config.heads: unknown field'],
    [{ n_layer: 2, d_model: 256, n_head: 4, primer_conv: true }, 'config.primer_conv: only family primer'],
    [{ n_layer: 2, d_model: 256, n_head: 4, div_val: 1, cutoffs: [60000] }, 'config.cutoffs[0]: 60000 is not < vocab_size 50257'],
    [{ n_layer: 'two', d_model: 256, n_head: 4 }, 'config.n_layer: "two" is not an integer >= 1'],
    [[1, 2], 'config: expected a JSON object'],
  ];
  for (const [json, msg] of bad) {
    it(`rejects: ${msg}`, () => {
      let err: unknown;
      try { parseConfig(json); } catch (e) { err = e; }
      expect(err).toBeInstanceOf(LtsError);
      expect((err as Error).message.startsWith(msg)).toBe(true);
      expect((err as Error).message).not.toContain('\n');
    });
  }
  it('a parsed config survives a JSON round trip with the same id', () => {
    const space = getSpace('transfo-xl');
    const x = space.sample(new Rng(6));
    const y = parseConfig(JSON.parse(JSON.stringify(canonical(x))));
    expect(candidateId(y)).toBe(candidateId(x));
  });
});
