// This machine as a search evaluator: latency and decode measured by a warm worker (warm.ts), each
// candidate in a fresh child process whenever memory is measured.
import type { Evaluation, Evaluator } from '../search/types.js';
import { fingerprint } from './doctor.js';
import { closeBrowser, killedByStopSignal } from './measure.js';
import type { DeviceProfile, Measurement } from './types.js';
import { WarmMeasurer } from './warm.js';

/** A measurement as the search should take it: a child stopped by a signal is the measuring side's failure, to retry. */
export function asEvaluation(m: Measurement): Evaluation {
  return killedByStopSignal(m) ? { ...m, retryable: true } : m;
}

export function localEvaluator(device: DeviceProfile): Evaluator {
  const warm = new WarmMeasurer();
  return {
    name: 'local',
    evaluate: async (cfg, req) => asEvaluation(await warm.measure({ kind: 'config', cfg }, device, req)),
    fingerprint: () => fingerprint(device),
    // The warm worker, and the browser of a 'browser' profile, live for the whole search.
    close: async () => {
      warm.close();
      if (device.runtime === 'browser') await closeBrowser();
    },
  };
}
