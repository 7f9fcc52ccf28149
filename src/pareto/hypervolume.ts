// Hypervolume of a two-objective front (one cost minimized, one benefit maximized): the area the front
// dominates up to a fixed reference point. One number for "how good is this frontier", comparable
// between runs only with the same reference point.

export interface CostBenefit {
  cost: number;
  benefit: number;
}

/**
 * Area dominated by `points` within cost <= ref.cost and benefit >= ref.benefit. Points outside the
 * reference box add nothing; dominated points and duplicates are harmless.
 */
export function hypervolume2d(points: readonly CostBenefit[], ref: CostBenefit): number {
  const inside = points.filter((p) => Number.isFinite(p.cost) && Number.isFinite(p.benefit) && p.cost < ref.cost && p.benefit > ref.benefit);
  // Sweep by rising cost: each point adds the strip of benefit it reaches above everything cheaper.
  inside.sort((a, b) => a.cost - b.cost || b.benefit - a.benefit);
  let area = 0;
  let best = ref.benefit;
  for (const p of inside) {
    if (p.benefit <= best) continue;
    area += (ref.cost - p.cost) * (p.benefit - best);
    best = p.benefit;
  }
  return area;
}
