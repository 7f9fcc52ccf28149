import { describe, expect, it } from 'vitest';
import { JobCancelled, SerialQueue } from '../../src/agent/queue.js';

function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((r) => (open = r));
  return { promise, open };
}

describe('SerialQueue', () => {
  it('runs one job at a time, in order', async () => {
    const q = new SerialQueue(5);
    const log: string[] = [];
    let running = 0;
    let maxRunning = 0;
    const job = (name: string) => async () => {
      running++;
      maxRunning = Math.max(maxRunning, running);
      log.push(`start ${name}`);
      await new Promise((r) => setImmediate(r));
      log.push(`end ${name}`);
      running--;
      return name;
    };
    const results = await Promise.all(['a', 'b', 'c'].map((n) => q.submit(job(n))!));
    expect(results).toEqual(['a', 'b', 'c']);
    expect(maxRunning).toBe(1);
    expect(log).toEqual(['start a', 'end a', 'start b', 'end b', 'start c', 'end c']);
    expect(q.completed).toBe(3);
    expect(q.depth).toBe(0);
  });

  it('refuses once maxWaiting jobs wait behind the running one', async () => {
    const q = new SerialQueue(1);
    const g = gate();
    const first = q.submit(() => g.promise);
    const second = q.submit(async () => 'second');
    expect(first).not.toBeNull();
    expect(second).not.toBeNull();
    expect(q.depth).toBe(2);
    expect(q.busy).toBe(true);
    expect(q.submit(async () => 'third')).toBeNull();
    g.open();
    await first;
    expect(await second).toBe('second');
    // Room again once drained.
    expect(await q.submit(async () => 'fourth')).toBe('fourth');
  });

  it('a failing job rejects alone and the queue goes on', async () => {
    const q = new SerialQueue(2);
    const bad = q.submit(async () => {
      throw new Error('boom');
    })!;
    const good = q.submit(async () => 42)!;
    await expect(bad).rejects.toThrow('boom');
    expect(await good).toBe(42);
  });

  it('drops a waiting job whose requester went away', async () => {
    const q = new SerialQueue(2);
    const g = gate();
    const first = q.submit(() => g.promise)!;
    const ac = new AbortController();
    let ran = false;
    const waiting = q.submit(async () => {
      ran = true;
    }, ac.signal)!;
    ac.abort();
    await expect(waiting).rejects.toBeInstanceOf(JobCancelled);
    expect(q.depth).toBe(1);
    g.open();
    await first;
    expect(ran).toBe(false);
  });
});
