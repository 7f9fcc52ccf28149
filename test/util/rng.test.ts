import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/util/rng.js';

describe('Rng', () => {
  it('same seed gives the same sequence, different seeds differ', () => {
    const a = new Rng(42), b = new Rng(42), c = new Rng(43);
    const sa = Array.from({ length: 20 }, () => a.next());
    expect(Array.from({ length: 20 }, () => b.next())).toEqual(sa);
    expect(Array.from({ length: 20 }, () => c.next())).not.toEqual(sa);
  });
  it('next in [0,1), int inclusive and roughly uniform', () => {
    const r = new Rng(7);
    const counts = [0, 0, 0, 0, 0, 0];
    for (let i = 0; i < 6000; i++) {
      const x = r.next();
      expect(x >= 0 && x < 1).toBe(true);
      counts[r.int(1, 6) - 1]!++;
    }
    for (const c of counts) expect(c).toBeGreaterThan(800);
  });
  it('weightedIndex follows the weights and never picks a zero weight', () => {
    const r = new Rng(1);
    const counts = [0, 0, 0];
    for (let i = 0; i < 4000; i++) counts[r.weightedIndex([1, 0, 3])]!++;
    expect(counts[1]).toBe(0);
    expect(counts[2]! / counts[0]!).toBeGreaterThan(2.4);
    expect(counts[2]! / counts[0]!).toBeLessThan(3.6);
    expect(() => r.weightedIndex([0, 0])).toThrow();
  });
  it('choice and bool', () => {
    const r = new Rng(5);
    expect(() => r.choice([])).toThrow();
    const seen = new Set(Array.from({ length: 100 }, () => r.choice(['a', 'b', 'c'])));
    expect([...seen].sort()).toEqual(['a', 'b', 'c']);
    expect(Array.from({ length: 50 }, () => r.bool(0)).some(Boolean)).toBe(false);
    expect(Array.from({ length: 50 }, () => r.bool(1)).every(Boolean)).toBe(true);
  });
});
