// This machine as a search evaluator: latency and decode measured by a warm worker (warm.ts), each
// candidate in a fresh child process whenever memory is measured.
import type { Evaluation, Evaluator } from '../search/types.js';
import { fingerprint } from './doctor.js';
import { closeBrowser, killedByStopSignal, measureCandidate } from './measure.js';
import type { DeviceProfile, Measurement } from './types.js';
import { WarmMeasurer } from './warm.js';

/** A measurement as the search should take it: a child stopped by a signal is the measuring side's failure, to retry. */
export function asEvaluation(m: Measurement): Evaluation {
  return killedByStopSignal(m) ? { ...m, retryable: true } : m;
}

export function localEvaluator(device: DeviceProfile): Evaluator {
  if (device.runtime === 'browser') {
    // Pages of one browser, which lives for the whole search (src/profile/browser), not worker processes.
    return {
      name: 'local',
      evaluate: async (cfg, req) => asEvaluation(await measureCandidate(cfg, device, req)),
      fingerprint: () => fingerprint(device),
      close: closeBrowser,
    };
  }
  const warm = new WarmMeasurer();
  return {
    name: 'local',
    evaluate: async (cfg, req) => asEvaluation(await warm.measure({ kind: 'config', cfg }, device, req)),
    fingerprint: () => fingerprint(device),
    freshProcessNext: (metrics) => warm.freshNext(metrics),
    newProcess: () => warm.recycle(),
    close: async () => warm.close(),
  };
}
