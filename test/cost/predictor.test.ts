// The predictor's level: a machine whose speed moved since most of the run was measured moves every new
// cost by one factor, and the last generation's measurements set it.
import { describe, expect, it } from 'vitest';
import { costFeatures, fitPredictor, LEVEL_MIN_SAMPLES, withRecentLevel, type CostSetting } from '../../src/cost/index.js';
import type { Metric } from '../../src/profile/types.js';
import { getSpace, Rng } from '../../src/space/index.js';
import type { ArchConfig } from '../../src/space/types.js';

const setting: CostSetting = { shapes: { batch: 1, seq: 64, mem_len: 64, context: 64 }, graph: 'ort' };
const METRICS: Metric[] = ['latency', 'memory'];
// A device whose costs are known non-negative combinations of the features.
const truth = (cfg: ArchConfig, metric: Metric): number => {
  const f = costFeatures(cfg, setting, metric)!;
  return metric === 'latency' ? 2 + 1e-9 * f[1]! + 3e-9 * f[2]! + 0.4 * f[5]! : 20 + f[1]! / 2 ** 20;
};
const rng = new Rng(4);
const space = getSpace('gpt2');
const measured = (n: number, speed = 1) =>
  Array.from({ length: n }, () => {
    const config = space.sample(rng);
    return { config, costs: METRICS.map((m) => truth(config, m) * (m === 'latency' ? speed : 1)) };
  });

describe('withRecentLevel', () => {
  const plain = fitPredictor(measured(40), METRICS, setting);
  const child = space.sample(rng);

  it('scales a time metric\'s predictions by the recent measured / predicted, and leaves memory alone', () => {
    const levelled = withRecentLevel(plain, measured(8, 1.1));
    expect(levelled.levels[0]).toBeCloseTo(1.1, 2);
    expect(levelled.levels[1]).toBe(1);
    const [a, b] = [plain.predict(child)!, levelled.predict(child)!];
    expect(b[0]!.mean / a[0]!.mean).toBeCloseTo(1.1, 2);
    expect(b[0]!.low / a[0]!.low).toBeCloseTo(1.1, 2);
    expect(b[1]).toEqual(a[1]);
    expect(Math.abs(b[0]!.mean / (1.1 * truth(child, 'latency')) - 1)).toBeLessThan(0.02);
  });

  it('keeps level 1 with fewer recent measurements than it needs, or none', () => {
    expect(withRecentLevel(plain, measured(LEVEL_MIN_SAMPLES - 1, 1.3)).levels).toEqual([1, 1]);
    expect(withRecentLevel(plain, []).predict(child)).toEqual(plain.predict(child));
  });
});
