/** Thrown to a waiting job whose requester went away before its turn. */
export class JobCancelled extends Error {
  override name = 'JobCancelled';
}

interface Job {
  start: () => void;
  cancel: () => void;
}

/**
 * Runs one job at a time (measurements on one device must not disturb each other) with at most
 * `maxWaiting` jobs waiting behind the running one. A full queue refuses at once instead of growing,
 * so a flood of requests costs the agent a bounded amount of memory.
 */
export class SerialQueue {
  private readonly waiting: Job[] = [];
  private active = false;
  private done = 0;

  constructor(readonly maxWaiting: number) {
    if (!Number.isInteger(maxWaiting) || maxWaiting < 0) throw new RangeError(`queue size must be a non-negative integer, got ${maxWaiting}`);
  }

  /** Waiting jobs plus the running one. */
  get depth(): number {
    return this.waiting.length + (this.active ? 1 : 0);
  }

  get busy(): boolean {
    return this.active;
  }

  get completed(): number {
    return this.done;
  }

  /**
   * Queues `fn`; null when the queue is full. A job still waiting when `signal` aborts is dropped
   * and rejects with JobCancelled; a running job always finishes (its child process is already
   * measuring and is cheapest to let end).
   */
  submit<T>(fn: () => Promise<T>, signal?: AbortSignal): Promise<T> | null {
    if (this.active && this.waiting.length >= this.maxWaiting) return null;
    return new Promise<T>((resolve, reject) => {
      const onAbort = (): void => job.cancel();
      const job: Job = {
        start: () => {
          signal?.removeEventListener('abort', onAbort);
          this.active = true;
          let p: Promise<T>;
          try {
            p = fn();
          } catch (e) {
            p = Promise.reject(e);
          }
          p.then(resolve, reject).finally(() => {
            this.active = false;
            this.done++;
            this.next();
          });
        },
        cancel: () => {
          const i = this.waiting.indexOf(job);
          if (i >= 0) {
            this.waiting.splice(i, 1);
            reject(new JobCancelled('request went away while waiting'));
          }
        },
      };
      if (signal?.aborted) {
        reject(new JobCancelled('request went away before queueing'));
        return;
      }
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiting.push(job);
      if (!this.active) this.next();
    });
  }

  private next(): void {
    const job = this.waiting.shift();
    if (job) job.start();
  }
}
