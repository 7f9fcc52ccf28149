// The device's timed phase as a turn that one measurement at a time holds. Two measuring processes
// (lanes) share a CPU device this way: while one lane times its candidate, the other exports the next
// candidate and creates its session on a core the timed runs do not use, then waits its turn. Turns are
// granted in the order they were asked for, so the lanes alternate.
import { cpus } from 'node:os';
import type { DeviceProfile } from './types.js';

export class DeviceGate {
  private tail: Promise<void> = Promise.resolve();

  /** Resolves when it is the caller's turn, with the function that ends it (calling it again does nothing). */
  acquire(): Promise<() => void> {
    let end!: () => void;
    const ended = new Promise<void>((r) => (end = r));
    let done = false;
    const release = (): void => {
      if (done) return;
      done = true;
      end();
    };
    const turn = this.tail.then(() => release);
    this.tail = this.tail.then(() => ended);
    return turn;
  }
}

/** Execution providers whose timed runs use only the CPU threads the profile gives them. */
const CPU_ONLY = new Set(['cpu', 'wasm']);

/**
 * Why preparing the next candidate while one is timed would disturb the timing on this profile, or
 * undefined when it fits: the timed runs must leave a core free (intra-op threads fewer than the
 * cores) and run on the CPU alone (a GPU's session creation copies weights to the device the timed
 * runs use), in a worker process (a browser page measures one candidate at a time).
 */
export function prepareAheadObstacle(device: DeviceProfile, cores = cpus().length): string | undefined {
  if (device.agents) return 'the profile measures on agents';
  if (device.runtime === 'browser') return 'a browser profile measures in one page';
  if (!device.executionProviders.every((ep) => CPU_ONLY.has(ep))) return `execution providers ${device.executionProviders.join('+')} are not CPU-only`;
  const threads = device.threads.intraOp;
  if (threads === 0) return 'the timed runs use every core (intraOp 0)';
  if (threads >= cores) return `the timed runs use ${threads} of ${cores} cores`;
  return undefined;
}
