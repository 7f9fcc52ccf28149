// The cpu profile with a short protocol and limits for tests that run real tiny models.
import { loadDevice } from '../../src/profile/index.js';
import type { DeviceProfile } from '../../src/profile/types.js';

export function tinyDevice(over: Partial<DeviceProfile> = {}): DeviceProfile {
  const d = loadDevice('cpu');
  return {
    ...d,
    protocol: { warmupMin: 2, warmupMax: 5, minRuns: 5, maxRuns: 30, maxSeconds: 2, targetRelCi: 0.05 },
    limits: { memoryMb: 2048, timeoutS: 60 },
    ...over,
  };
}
