// This machine as a search evaluator: latency and decode measured by a warm worker (warm.ts), each
// candidate in a fresh child process whenever memory is measured. Where the profile leaves a core free,
// two such evaluators (lanes) share the device through a DeviceGate: one exports and creates the next
// candidate's session while the other times its candidate.
import type { Evaluation, Evaluator } from '../search/types.js';
import { fingerprint } from './doctor.js';
import { closeBrowser, killedByStopSignal } from './measure.js';
import type { DeviceProfile, Measurement } from './types.js';
import { WarmMeasurer } from './warm.js';
import { DeviceGate, prepareAheadObstacle } from './gate.js';

/** A measurement as the search should take it: a child stopped by a signal is the measuring side's failure, to retry. */
export function asEvaluation(m: Measurement): Evaluation {
  return killedByStopSignal(m) ? { ...m, retryable: true } : m;
}

/** One local evaluator; `lane`: its name and the device's turn it shares with the other lane. */
export function localEvaluator(device: DeviceProfile, lane?: { name: string; turn: () => Promise<() => void> }): Evaluator {
  const warm = new WarmMeasurer();
  return {
    name: lane?.name ?? 'local',
    evaluate: async (cfg, req) => asEvaluation(await warm.measure({ kind: 'config', cfg }, device, lane ? { ...req, turn: lane.turn } : req)),
    fingerprint: () => fingerprint(device),
    // A browser profile measures each candidate in a fresh page anyway: no worker process to follow.
    freshProcessNext: (metrics) => device.runtime !== 'browser' && warm.freshNext(metrics),
    newProcess: () => warm.recycle(),
    // The warm worker, and the browser of a 'browser' profile, live for the whole search.
    close: async () => {
      warm.close();
      if (device.runtime === 'browser') await closeBrowser();
    },
  };
}

/**
 * The local evaluators of a search: two lanes sharing the device's timed phase when `prepareAhead` is
 * asked for and the profile allows it (gate.ts prepareAheadObstacle), one otherwise.
 */
export function localEvaluators(device: DeviceProfile, prepareAhead: boolean): Evaluator[] {
  if (!prepareAhead || prepareAheadObstacle(device) !== undefined) return [localEvaluator(device)];
  const gate = new DeviceGate();
  const turn = (): Promise<() => void> => gate.acquire();
  return [localEvaluator(device, { name: 'local', turn }), localEvaluator(device, { name: 'local#2', turn })];
}
