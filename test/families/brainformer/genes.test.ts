import { describe, expect, it } from 'vitest';
import { checkStructure, type BrainformerConfig } from '../../../src/families/brainformer/config.js';
import { makeBrainformerSpace } from '../../../src/families/brainformer/genes.js';
import { brainformerParams } from '../../../src/families/brainformer/params.js';
import { Rng } from '../../../src/util/rng.js';

const space = makeBrainformerSpace();

function structurallyValid(c: BrainformerConfig): void {
  expect(checkStructure(c)).toBeNull();
  expect(c.layout.length).toBeGreaterThanOrEqual(3);
  expect(c.layout.length).toBeLessThanOrEqual(8);
  for (const s of c.layout) {
    if (s.kind === 'attn') expect(c.d_model % s.n_head).toBe(0);
    else expect(s.d_inner).toBeGreaterThan(1.7 * c.d_model);
    if (s.kind === 'moe') {
      expect([4, 8, 16, 32]).toContain(s.experts);
      expect([1, 2]).toContain(s.top_k);
    }
  }
}

describe('Brainformer space', () => {
  it('samples valid candidates inside the bounds, every kind and expert count among them', () => {
    const rng = new Rng(3);
    const seen = new Set<string>();
    for (let i = 0; i < 200; i++) {
      const c = space.sample(rng);
      structurallyValid(c);
      expect(space.validate(c)).toBeNull();
      const p = brainformerParams(c);
      expect(Math.round(p.effective)).toBeGreaterThanOrEqual(6e6);
      expect(Math.round(p.effective)).toBeLessThanOrEqual(100e6);
      expect(p.total).toBeLessThanOrEqual(500e6);
      for (const s of c.layout) seen.add(s.kind === 'moe' ? `moe${s.experts}` : s.kind);
    }
    expect([...seen].sort()).toEqual(['attn', 'ffn', 'moe16', 'moe32', 'moe4', 'moe8']);
  });

  it('mutation and crossover keep layouts valid, and change kinds, lengths and order', () => {
    const rng = new Rng(9);
    let pop = Array.from({ length: 20 }, () => space.sample(rng));
    const changes = { length: 0, kinds: 0 };
    for (let gen = 0; gen < 30; gen++) {
      pop = pop.map((p, i) => {
        const child = i % 2 ? space.mutate(p, rng) : space.crossover(p, pop[(i + 1) % pop.length]!, rng);
        structurallyValid(child);
        if (child.layout.length !== p.layout.length) changes.length++;
        if (child.layout.map((s) => s.kind).join() !== p.layout.map((s) => s.kind).join()) changes.kinds++;
        return child;
      });
    }
    expect(changes.length).toBeGreaterThan(20);
    expect(changes.kinds).toBeGreaterThan(50);
  });

  it('repair puts back a missing attention or feed-forward sub-layer', () => {
    const rng = new Rng(1);
    const parent = space.sample(rng);
    for (let i = 0; i < 100; i++) {
      const c = space.mutate({ ...parent, layout: parent.layout.map(() => ({ kind: 'attn', n_head: 2 })) }, rng);
      expect(c.layout.some((s) => s.kind !== 'attn')).toBe(true);
    }
  });

  it('same seed, same candidates', () => {
    const run = (seed: number) => {
      const rng = new Rng(seed);
      const a = space.sample(rng);
      const b = space.sample(rng);
      return JSON.stringify([a, b, space.mutate(a, rng), space.crossover(a, b, rng)]);
    };
    expect(run(42)).toBe(run(42));
    expect(run(42)).not.toBe(run(43));
  });

  it('validate names the bound a candidate breaks', () => {
    const rng = new Rng(5);
    const c = space.sample(rng);
    const small = makeBrainformerSpace({ max_total_params: 1e6 });
    expect(small.validate(c)).toMatch(/^max-total-params/);
    const tight = makeBrainformerSpace({ bounds: { min: 1, max: 2 }, proxy: 'activated' });
    expect(tight.validate(c)).toMatch(/^bounds: activated params/);
  });

  it('bad choices are refused with a clear message', () => {
    expect(() => makeBrainformerSpace({ experts: [1] })).toThrow(/experts must all be >= 2/);
    expect(() => makeBrainformerSpace({ kinds: ['attn'] })).toThrow(/kinds must hold attn/);
    expect(() => makeBrainformerSpace({ block_len: [9] })).toThrow(/block_len lengths must lie in 3..8/);
  });
});
