// The measuring child must not outlive its parent: without the parent nothing enforces its limits, and
// an orphaned measurement would compete for the CPU with the next one (a resumed search).
import { fork } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { loadDevice } from '../../src/profile/index.js';
import { workerPath } from '../../src/profile/paths.js';
import type { WorkerReply, WorkerTask } from '../../src/profile/wire.js';

describe('worker without its parent', () => {
  it('exits when the IPC channel to the parent closes mid-measurement', async () => {
    const d = loadDevice('cpu');
    // A measurement that would run for minutes: the CI target is unreachable and the caps are huge.
    const device = {
      ...d,
      protocol: { warmupMin: 2, warmupMax: 5, minRuns: 1_000_000, maxRuns: 2_000_000, maxSeconds: 600, targetRelCi: 1e-9 },
      limits: { memoryMb: 2048, timeoutS: 600 },
    };
    const child = fork(workerPath(), [], { stdio: ['ignore', 'ignore', 'ignore', 'ipc'], serialization: 'advanced' });
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((res) =>
      child.on('exit', (code, signal) => res({ code, signal })),
    );
    try {
      await new Promise<void>((res, rej) => {
        child.on('message', (m: WorkerReply) => {
          if (m.kind === 'phase' && m.phase.startsWith('measure')) res();
          if (m.kind === 'measured') rej(new Error('the measurement finished; it was meant to be still running'));
        });
        const task: WorkerTask = { kind: 'measure', source: { kind: 'tiny', width: 16 }, device, metrics: ['latency'], seed: 1 };
        child.send(task);
      });
      // What the child sees when its parent is killed: the channel closes.
      child.disconnect();
      const how = await exited;
      // Exited by itself, not killed by us.
      expect(how.signal).toBeNull();
      expect(how.code).not.toBe(0);
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
  }, 60_000);
});
