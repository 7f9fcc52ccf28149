// The cpu profile with a short protocol and limits for tests that run real tiny models.
import { expect } from 'vitest';
import { loadDevice } from '../../src/profile/index.js';
import type { DeviceProfile, LatencyStats } from '../../src/profile/types.js';

export function tinyDevice(over: Partial<DeviceProfile> = {}): DeviceProfile {
  const d = loadDevice('cpu');
  return {
    ...d,
    protocol: { warmupMin: 2, warmupMax: 5, minRuns: 5, maxRuns: 30, maxSeconds: 2, targetRelCi: 0.05 },
    limits: { memoryMb: 2048, timeoutS: 60 },
    ...over,
  };
}

/** What every timed measurement must satisfy, whatever runtime produced it (Node worker or browser page). */
export function expectTimedStats(l: LatencyStats): void {
  expect(l.runs).toBeGreaterThanOrEqual(5);
  expect(l.samples_ms).toHaveLength(l.runs);
  expect(l.warmup_runs).toBeGreaterThanOrEqual(2);
  expect(l.min_ms).toBeGreaterThan(0);
  expect(l.ci95_low_ms).toBeLessThanOrEqual(l.median_ms);
  expect(l.ci95_high_ms).toBeGreaterThanOrEqual(l.median_ms);
  expect(['ci', 'max_runs', 'max_seconds']).toContain(l.stopped_by);
}
