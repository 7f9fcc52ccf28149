import { describe, expect, it } from 'vitest';
import { dominates, paretoFront, sortByObjectives, type Objective } from '../../src/pareto/index.js';
import { Rng } from '../../src/util/rng.js';

type P = { id: number; v: number[] };


function objectivesFor(dirs: ('maximize' | 'minimize')[]): Objective<P>[] {
  return dirs.map((direction, i) => ({ name: `o${i}`, direction, value: (p: P) => p.v[i]! }));
}

/** Brute force straight from the definition. */
function bruteFront(points: P[], objs: Objective<P>[]): Set<number> {
  const better = (a: number, b: number, d: string) => (d === 'maximize' ? a > b : a < b);
  const worse = (a: number, b: number, d: string) => (d === 'maximize' ? a < b : a > b);
  const out = new Set<number>();
  for (const p of points) {
    if (!p.v.every(Number.isFinite)) continue;
    const dominated = points.some(
      (q) =>
        q !== p &&
        q.v.every(Number.isFinite) &&
        objs.every((o, i) => !worse(q.v[i]!, p.v[i]!, o.direction)) &&
        objs.some((o, i) => better(q.v[i]!, p.v[i]!, o.direction)),
    );
    if (!dominated) out.add(p.id);
  }
  return out;
}

describe('paretoFront', () => {
  const configs: ('maximize' | 'minimize')[][] = [
    ['maximize', 'minimize'],
    ['minimize', 'minimize'],
    ['maximize', 'minimize', 'minimize'],
    ['maximize', 'maximize', 'minimize'],
  ];
  for (const dirs of configs) {
    it(`matches brute force on random points (${dirs.join(',')})`, () => {
      for (let trial = 0; trial < 40; trial++) {
        const rng = new Rng(1000 * dirs.length + trial);
        const rnd = (): number => rng.next();
        const n = 1 + Math.floor(rnd() * 120);
        // Small integer grid on half the trials so ties and exact duplicates are common.
        const grid = trial % 2 === 0;
        const points: P[] = Array.from({ length: n }, (_, id) => ({
          id,
          v: dirs.map(() => (grid ? Math.floor(rnd() * 6) : rnd() * 100)),
        }));
        const objs = objectivesFor(dirs);
        const got = paretoFront(points, objs);
        expect(new Set(got.map((p) => p.id))).toEqual(bruteFront(points, objs));
        expect(got.length).toBe(new Set(got.map((p) => p.id)).size);
        // Nothing on the front dominates anything else on it.
        for (const a of got) for (const b of got) expect(dominates(a, b, objs)).toBe(false);
      }
    });
  }

  it('keeps exact duplicates, in input order, and drops non-finite points', () => {
    const objs = objectivesFor(['maximize', 'minimize']);
    const pts: P[] = [
      { id: 0, v: [10, 5] },
      { id: 1, v: [10, 5] },
      { id: 2, v: [5, 1] },
      { id: 3, v: [20, Number.NaN] },
      { id: 4, v: [4, 1] },
      { id: 5, v: [Number.POSITIVE_INFINITY, 1] },
    ];
    expect(paretoFront(pts, objs).map((p) => p.id)).toEqual([0, 1, 2]);
  });

  it('order depends only on values and input order, not on shuffling equal-valued points apart', () => {
    const objs = objectivesFor(['maximize', 'minimize', 'minimize']);
    const rng = new Rng(7);
    const rnd = (): number => rng.next();
    const pts: P[] = Array.from({ length: 200 }, (_, id) => ({ id, v: [rnd() * 10, rnd() * 10, rnd() * 10] }));
    const a = paretoFront(pts, objs).map((p) => p.id);
    const b = paretoFront([...pts].reverse(), objs).map((p) => p.id);
    expect(b).toEqual(a);
  });

  it('sortByObjectives is stable for ties', () => {
    const objs = objectivesFor(['minimize']);
    const pts: P[] = [{ id: 0, v: [2] }, { id: 1, v: [1] }, { id: 2, v: [2] }, { id: 3, v: [1] }];
    expect(sortByObjectives(pts, objs).map((p) => p.id)).toEqual([1, 3, 0, 2]);
  });

  it('rejects an empty or duplicate objective list', () => {
    expect(() => paretoFront([], [])).toThrow();
    const o = objectivesFor(['minimize'])[0]!;
    expect(() => paretoFront([], [o, o])).toThrow();
  });
});
