// A warm worker for latency and decode: one long-lived child measures candidate after candidate
// (export, session, protocol, release), saving the process and onnxruntime start-up per candidate. It is
// replaced after a crash, a timeout, a memory-limit breach, any failed measurement (which may leave a
// session behind), and every `recycleEvery` candidates, so leaks and heap fragmentation stay bounded.
// Memory is never measured warm: the high-water mark must be the candidate's own, so a metric list with
// memory gets a fresh process per candidate as before.
import { WorkerProcess } from './child.js';
import { measureIn, measureSource, type MeasureOptions } from './measure.js';
import type { DeviceProfile, Measurement } from './types.js';
import type { ModelSource } from './wire.js';

export interface WarmOptions {
  /** Candidates per worker process before it is replaced (default 20). */
  recycleEvery?: number;
}

export class WarmMeasurer {
  private worker: WorkerProcess | undefined;
  private readonly recycleEvery: number;
  /** Worker processes started so far (tests and the overhead benchmark read it). */
  started = 0;

  constructor(opts: WarmOptions = {}) {
    this.recycleEvery = Math.max(1, opts.recycleEvery ?? 20);
  }

  /** Measures one model: warm when no memory metric is asked for, in a fresh process otherwise. */
  async measure(source: ModelSource, device: DeviceProfile, opts: MeasureOptions): Promise<Measurement> {
    // Memory needs the candidate's own high-water mark; a browser profile measures in its page.
    if (opts.metrics.includes('memory') || device.runtime === 'browser') return measureSource(source, device, opts);
    if (!this.worker || !this.worker.alive || this.worker.tasks >= this.recycleEvery) {
      this.worker?.close();
      this.worker = new WorkerProcess();
      this.started++;
    }
    const w = this.worker;
    const m = await measureIn((task) => w.run<Measurement>(task, device.limits, opts, 'keep'), source, device, opts);
    if (!m.ok || !w.alive) {
      w.close();
      this.worker = undefined;
    }
    return m;
  }

  close(): void {
    this.worker?.close();
    this.worker = undefined;
  }
}
