// Measuring one generation across the evaluators: each takes the next unmeasured candidate until none
// is left. An evaluator that rejects is dropped and its candidate goes back for another; a failure the
// evaluator marks retryable, or one that coincides with the search's own interrupt, is not the
// candidate's and is measured again (a few times at most for the former).
import { LtsError } from '../util/errors.js';
import type { Fingerprint, Measurement, Metric } from '../profile/types.js';
import type { Candidate } from './evolution.js';
import type { Evaluation, Evaluator } from './types.js';

/** A candidate whose measurement keeps coming back retryable is recorded as failed after this many retries. */
const MAX_RETRIES = 2;

export interface ScheduleOptions {
  /** The evaluators still usable; one that rejects is removed from this list. */
  alive: Evaluator[];
  request: { metrics: Metric[]; seed: number; ciTarget?: number };
  signal?: AbortSignal;
  /** True once the search must stop: no new measurement starts (the ones running finish). */
  shouldStop(): boolean;
  now(): number;
  log(line: string): void;
  /** Runs before an evaluator takes its next candidate (the drift sentinel, when due). */
  before?(evaluator: Evaluator): Promise<void>;
  /** A measurement to record (retryable flag removed), with the time it took. */
  onMeasured(index: number, m: Measurement, evaluator: Evaluator, ms: number): void;
}

/** Measures batch[i] for each i in `todo`, in order; returns once every one has a result or the search must stop. */
export async function measureEach(batch: readonly Candidate[], todo: number[], o: ScheduleOptions): Promise<void> {
  const queue = [...todo];
  const retries = new Map<number, number>();

  const worker = async (ev: Evaluator): Promise<void> => {
    for (;;) {
      if (o.shouldStop()) return;
      if (o.before && queue.length > 0) {
        await o.before(ev);
        if (o.shouldStop()) return;
      }
      const i = queue.shift();
      if (i === undefined) return;
      const abortedBefore = o.signal?.aborted ?? false;
      const t0 = o.now();
      let m: Evaluation;
      try {
        m = await ev.evaluate(batch[i]!.config, o.request);
      } catch (err) {
        // The evaluator itself is unusable: its candidate goes back for another one.
        queue.unshift(i);
        const at = o.alive.indexOf(ev);
        if (at >= 0) o.alive.splice(at, 1);
        o.log(`evaluator ${ev.name} dropped: ${(err as Error).message}; ${o.alive.length} left`);
        return;
      }
      const { retryable, ...measurement } = m;
      const retry = retryable === true && (retries.get(i) ?? 0) < MAX_RETRIES;
      // Ctrl-C reaches the measuring child too, possibly before this process has handled its own SIGINT:
      // a failure that coincides with it is not the candidate's.
      if (!m.ok && (retry || (!abortedBefore && o.signal?.aborted))) {
        if (retry) retries.set(i, (retries.get(i) ?? 0) + 1);
        queue.unshift(i);
        return;
      }
      o.onMeasured(i, measurement, ev, o.now() - t0);
    }
  };

  // A dropped evaluator's candidate returns to the queue after the others may have drained it and
  // exited, so keep starting rounds of workers until the queue is empty or the search must stop.
  while (queue.length > 0 && !o.shouldStop()) {
    await Promise.all([...o.alive].map(worker));
  }
}

/** The first fingerprint an evaluator gives; evaluators that fail to give one are dropped from `alive`. */
export async function firstFingerprint(alive: Evaluator[], log: (l: string) => void): Promise<Fingerprint> {
  const errors: string[] = [];
  for (const ev of [...alive]) {
    try {
      return await ev.fingerprint();
    } catch (err) {
      errors.push(`${ev.name}: ${(err as Error).message}`);
      alive.splice(alive.indexOf(ev), 1);
      log(`evaluator ${ev.name} dropped: fingerprint failed: ${(err as Error).message}`);
    }
  }
  throw new LtsError(`no evaluator answered: ${errors.join('; ')}`);
}
