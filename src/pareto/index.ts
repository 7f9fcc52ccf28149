// Non-dominated filtering over 2 or 3 objectives. Pure: no I/O, no randomness.

export type Direction = 'maximize' | 'minimize';

export interface Objective<T> {
  name: string;
  direction: Direction;
  value(point: T): number;
}

/** Objective values turned into "smaller is better", so one comparison rule serves both directions. */
function costs<T>(point: T, objectives: readonly Objective<T>[]): number[] {
  return objectives.map((o) => (o.direction === 'maximize' ? -o.value(point) : o.value(point)));
}

function dominatesCosts(a: number[], b: number[]): boolean {
  let strictlyBetter = false;
  for (let i = 0; i < a.length; i++) {
    if (a[i]! > b[i]!) return false;
    if (a[i]! < b[i]!) strictlyBetter = true;
  }
  return strictlyBetter;
}

/** True when `a` is at least as good as `b` on every objective and strictly better on one. */
export function dominates<T>(a: T, b: T, objectives: readonly Objective<T>[]): boolean {
  return dominatesCosts(costs(a, objectives), costs(b, objectives));
}

function checkObjectives<T>(objectives: readonly Objective<T>[]): void {
  if (objectives.length < 1) throw new Error('pareto: at least one objective is needed');
  const names = new Set(objectives.map((o) => o.name));
  if (names.size !== objectives.length) throw new Error('pareto: objective names must be distinct');
}

function lexCompare(a: number[], b: number[]): number {
  for (let i = 0; i < a.length; i++) {
    if (a[i]! !== b[i]!) return a[i]! < b[i]! ? -1 : 1;
  }
  return 0;
}

/**
 * The points no other point dominates. Points with a non-finite objective value are never on the
 * front. Points with identical objective values do not dominate each other, so duplicates are all
 * kept. Order: lexicographic by the objectives as given, each best-first, ties by input order, so
 * the result depends only on the input sequence.
 */
export function paretoFront<T>(points: readonly T[], objectives: readonly Objective<T>[]): T[] {
  checkObjectives(objectives);
  const items = points
    .map((point, index) => ({ point, index, c: costs(point, objectives) }))
    .filter((it) => it.c.every((v) => Number.isFinite(v)));
  // After a lexicographic sort a point can only be dominated by one before it, and if it is, it is
  // also dominated by a point already on the front (dominance is transitive), so comparing against
  // the front suffices.
  items.sort((a, b) => lexCompare(a.c, b.c) || a.index - b.index);
  const front: typeof items = [];
  for (const it of items) {
    if (!front.some((f) => dominatesCosts(f.c, it.c))) front.push(it);
  }
  return front.map((f) => f.point);
}

/** Sort points by the given objectives, each best-first, ties by input order (stable, pure). */
export function sortByObjectives<T>(points: readonly T[], objectives: readonly Objective<T>[]): T[] {
  return points
    .map((point, index) => ({ point, index, c: costs(point, objectives) }))
    .sort((a, b) => lexCompare(a.c, b.c) || a.index - b.index)
    .map((it) => it.point);
}
