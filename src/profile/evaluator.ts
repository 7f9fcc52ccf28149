// This machine as a search evaluator: each candidate measured in a fresh child process.
import type { Evaluation, Evaluator } from '../search/types.js';
import { fingerprint } from './doctor.js';
import { closeBrowser, killedByStopSignal, measureCandidate } from './measure.js';
import type { DeviceProfile, Measurement } from './types.js';

/** A measurement as the search should take it: a child stopped by a signal is the measuring side's failure, to retry. */
export function asEvaluation(m: Measurement): Evaluation {
  return killedByStopSignal(m) ? { ...m, retryable: true } : m;
}

export function localEvaluator(device: DeviceProfile): Evaluator {
  return {
    name: 'local',
    evaluate: async (cfg, req) => asEvaluation(await measureCandidate(cfg, device, req)),
    fingerprint: () => fingerprint(device),
    // The browser of a 'browser' profile lives for the whole search.
    ...(device.runtime === 'browser' ? { close: closeBrowser } : {}),
  };
}
