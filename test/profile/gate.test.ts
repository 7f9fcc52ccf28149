// Prepare-ahead: two measuring processes share the device's timed phase through a DeviceGate, one
// preparing while the other times. Pure gate behaviour, where it applies, and real processes with tiny
// models: timed phases never overlap, a crash gives the turn back, waiting does not count as time.
import { cpus } from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import { DeviceGate, localEvaluators, prepareAheadObstacle, WarmMeasurer, type Measurement } from '../../src/profile/index.js';
import type { Evaluator } from '../../src/search/types.js';
import { parseConfig } from '../../src/space/index.js';
import { tinyDevice } from './helpers.js';

const tick = (): Promise<void> => new Promise((r) => setTimeout(r, 5));

describe('DeviceGate', () => {
  it('grants turns one at a time, in the order they were asked for', async () => {
    const gate = new DeviceGate();
    const log: string[] = [];
    const ends: (() => void)[] = [];
    for (const who of ['a', 'b', 'c']) void gate.acquire().then((end) => (log.push(who), ends.push(end)));
    await tick();
    expect(log).toEqual(['a']);
    ends[0]!();
    ends[0]!(); // ending a turn twice must not end the next one
    await tick();
    expect(log).toEqual(['a', 'b']);
    ends[1]!();
    await tick();
    expect(log).toEqual(['a', 'b', 'c']);
  });
});

describe('prepareAheadObstacle', () => {
  const cpu = tinyDevice({ threads: { intraOp: 1, interOp: 1 } });
  it('allows a CPU profile whose timed runs leave a core free', () => {
    expect(prepareAheadObstacle(cpu, 2)).toBeUndefined();
    expect(prepareAheadObstacle({ ...cpu, threads: { intraOp: 3, interOp: 1 } }, 4)).toBeUndefined();
  });
  it('refuses every core in use, a GPU, a browser page and agents, saying why', () => {
    expect(prepareAheadObstacle(cpu, 1)).toMatch(/use 1 of 1 cores/);
    expect(prepareAheadObstacle({ ...cpu, threads: { intraOp: 0, interOp: 1 } }, 16)).toMatch(/every core/);
    expect(prepareAheadObstacle({ ...cpu, executionProviders: ['cuda'] }, 16)).toMatch(/not CPU-only/);
    expect(prepareAheadObstacle({ ...cpu, runtime: 'browser' }, 16)).toMatch(/browser/);
    expect(prepareAheadObstacle({ ...cpu, agents: { urls: ['http://127.0.0.1:1'] } }, 16)).toMatch(/agents/);
  });
});

describe('prepare-ahead with real measuring processes', () => {
  let closers: Array<{ close?: () => unknown }> = [];
  afterEach(async () => {
    for (const c of closers) await c.close?.();
    closers = [];
  });
  const gpt2 = (d: number) => parseConfig({ family: 'gpt2', n_layer: 2, d_model: d, d_inner: 2 * d, n_head: 2, div_val: 0, vocab_size: 97, n_positions: 32 });
  const device = tinyDevice({ shapes: { batch: 1, seq: 8, mem_len: 8, context: 8 }, threads: { intraOp: 1, interOp: 1 } });
  const req = { metrics: ['latency' as const], seed: 1 };

  it('gives one evaluator where the profile leaves no core free or it is not asked for', () => {
    expect(localEvaluators({ ...device, threads: { intraOp: 0, interOp: 1 } }, true)).toHaveLength(1);
    expect(localEvaluators(device, false)).toHaveLength(1);
  });

  it.skipIf(cpus().length < 2)('two lanes measure concurrently, and their timed phases never overlap', async () => {
    const lanes = localEvaluators(device, true);
    closers = lanes;
    expect(lanes.map((e) => e.name)).toEqual(['local', 'local#2']);
    const out: Measurement[] = [];
    let next = 0;
    const cfgs = [gpt2(16), gpt2(24), gpt2(32), gpt2(16), gpt2(24), gpt2(32)];
    const work = async (ev: Evaluator): Promise<void> => {
      for (let i = next++; i < cfgs.length; i = next++) out[i] = await ev.evaluate(cfgs[i]!, req);
    };
    await Promise.all(lanes.map(work));
    for (const m of out) {
      expect(m.error).toBeUndefined();
      expect(m.timing.turn_start).toBeLessThanOrEqual(m.timing.turn_end!);
      expect(m.timing.wait_ms).toBeGreaterThanOrEqual(0);
      expect(m.timing.measure_ms).toBeLessThanOrEqual(m.timing.turn_end! - m.timing.turn_start! + 50);
    }
    const turns = out.map((m) => [m.timing.turn_start!, m.timing.turn_end!] as const).sort((a, b) => a[0] - b[0]);
    for (let i = 1; i < turns.length; i++) expect(turns[i]![0]).toBeGreaterThanOrEqual(turns[i - 1]![1]);
  });

  it('a candidate that crashes during its turn gives the device back to the other lane', async () => {
    const gate = new DeviceGate();
    const turn = (): Promise<() => void> => gate.acquire();
    const a = new WarmMeasurer();
    const b = new WarmMeasurer();
    closers = [a, b];
    const long = { warmupMin: 1, warmupMax: 2, minRuns: 1e6, maxRuns: 1e6, maxSeconds: 60, targetRelCi: 0 };
    let pid = 0;
    const crashing = a.measure({ kind: 'tiny', width: 16 }, tinyDevice({ protocol: long }), {
      ...req,
      turn,
      onStart: (p) => (pid = p),
      onPhase: (phase) => phase.startsWith('measure') && setTimeout(() => process.kill(pid, 'SIGSEGV'), 200),
    });
    // Asks for its turn after the crashing one took it.
    await new Promise((r) => setTimeout(r, 100));
    const other = b.measure({ kind: 'tiny', width: 16 }, tinyDevice(), { ...req, turn });
    const [x, y] = await Promise.all([crashing, other]);
    expect(x.error).toMatch(/^crashed: signal SIGSEGV/);
    expect(y.error).toBeUndefined();
    expect(y.timing.turn_start).toBeGreaterThanOrEqual(x.timing.turn_end!);
  });

  it('the time limit does not run while a prepared candidate waits for its turn', async () => {
    const gate = new DeviceGate();
    const held = await gate.acquire();
    const w = new WarmMeasurer();
    closers = [w];
    const m = w.measure({ kind: 'tiny', width: 16 }, tinyDevice({ limits: { memoryMb: 2048, timeoutS: 1 } }), { ...req, turn: () => gate.acquire() });
    setTimeout(held, 1500);
    const r = await m;
    expect(r.error).toBeUndefined();
    expect(r.timing.wait_ms).toBeGreaterThan(1000);
    expect(r.timing.total_ms).toBeGreaterThan(1500);
  });
});
