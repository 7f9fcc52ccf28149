import { describe, expect, it } from 'vitest';
import { hypervolume2d } from '../../src/pareto/hypervolume.js';

describe('hypervolume2d', () => {
  const ref = { cost: 10, benefit: 0 };
  it('is the area a staircase front dominates up to the reference point', () => {
    // (cost 2, benefit 1) covers 8 x 1; (cost 5, benefit 3) adds 5 x 2.
    expect(hypervolume2d([{ cost: 5, benefit: 3 }, { cost: 2, benefit: 1 }], ref)).toBe(8 + 10);
  });
  it('ignores dominated points, duplicates and points outside the box', () => {
    const front = [{ cost: 2, benefit: 1 }, { cost: 5, benefit: 3 }];
    const extra = [{ cost: 6, benefit: 2 }, { cost: 2, benefit: 1 }, { cost: 12, benefit: 9 }, { cost: 1, benefit: -1 }];
    expect(hypervolume2d([...front, ...extra], ref)).toBe(hypervolume2d(front, ref));
    expect(hypervolume2d([], ref)).toBe(0);
  });
  it('grows when a point improves the front', () => {
    const base = [{ cost: 2, benefit: 1 }, { cost: 5, benefit: 3 }];
    expect(hypervolume2d([...base, { cost: 3, benefit: 2 }], ref)).toBeGreaterThan(hypervolume2d(base, ref));
  });
});
