// The warm worker with real child processes and tiny models: one process for successive latency
// candidates, a fresh one after any failure, and never for memory.
import { afterEach, describe, expect, it } from 'vitest';
import { WarmMeasurer } from '../../src/profile/index.js';
import { tinyDevice } from './helpers.js';
import { parseConfig } from '../../src/space/index.js';


const tiny = (width: number) => ({ kind: 'tiny' as const, width });
let warm: WarmMeasurer | undefined;
afterEach(() => warm?.close());

describe('warm worker', () => {
  it('measures successive candidates in one process, each with its own placement', async () => {
    warm = new WarmMeasurer();
    const pids: number[] = [];
    const opts = { metrics: ['latency' as const], seed: 1, onStart: (pid: number) => pids.push(pid) };
    const a = await warm.measure(tiny(16), tinyDevice(), opts);
    const b = await warm.measure(tiny(32), tinyDevice(), opts);
    const shapes = { batch: 1, seq: 8, mem_len: 8, context: 8 };
    const gpt2 = parseConfig({ family: 'gpt2', n_layer: 2, d_model: 32, d_inner: [64, 96], n_head: [2, 4], div_val: 0, vocab_size: 97, n_positions: 32 });
    const c = await warm.measure({ kind: 'config', cfg: gpt2 }, tinyDevice({ shapes }), { ...opts, metrics: ['latency', 'decode'] });
    for (const m of [a, b, c]) {
      expect(m.error).toBeUndefined();
      expect(m.ok).toBe(true);
      expect(m.provider).toBe('cpu');
      expect(m.placement!.cpu).toBeGreaterThan(0);
    }
    expect(c.decode!.median_ms).toBeGreaterThan(0);
    // The tiny model is one node; the GPT-2 prefill and decode graphs have many: lines went to the right task.
    expect(a.placement!.cpu).toBe(b.placement!.cpu);
    expect(c.placement!.cpu).toBeGreaterThan(a.placement!.cpu! * 2);
    expect(new Set(pids).size).toBe(1);
    expect(warm.started).toBe(1);
  });

  it('a crash in one candidate does not affect the next', async () => {
    warm = new WarmMeasurer();
    const ok1 = await warm.measure(tiny(16), tinyDevice(), { metrics: ['latency'], seed: 1 });
    // A long timed phase, and the crash sent once it has begun: a warm worker finishes a tiny model in milliseconds.
    const long = { warmupMin: 1, warmupMax: 2, minRuns: 1e6, maxRuns: 1e6, maxSeconds: 30, targetRelCi: 0 };
    let pid = 0;
    const crashed = await warm.measure(tiny(16), tinyDevice({ protocol: long }), {
      metrics: ['latency'],
      seed: 1,
      onStart: (p) => (pid = p),
      onPhase: (phase) => phase.startsWith('measure') && process.kill(pid, 'SIGSEGV'),
    });
    const next = await warm.measure(tiny(16), tinyDevice(), { metrics: ['latency'], seed: 1 });
    expect(ok1.ok).toBe(true);
    expect(crashed.ok).toBe(false);
    expect(crashed.error).toMatch(/^crashed: signal SIGSEGV/);
    expect(next.error).toBeUndefined();
    expect(next.ok).toBe(true);
    expect(warm.started).toBe(2);
  });

  it('a timeout in one candidate does not affect the next', async () => {
    warm = new WarmMeasurer();
    const never = { warmupMin: 1, warmupMax: 2, minRuns: 1, maxRuns: 1e9, maxSeconds: 1e6, targetRelCi: 0 };
    const stuck = await warm.measure(tiny(128), tinyDevice({ protocol: never, limits: { memoryMb: 2048, timeoutS: 1 } }), { metrics: ['latency'], seed: 1 });
    const next = await warm.measure(tiny(16), tinyDevice(), { metrics: ['latency'], seed: 1 });
    expect(stuck).toMatchObject({ ok: false, error: 'timeout after 1 s' });
    expect(next.ok).toBe(true);
    expect(warm.started).toBe(2);
  });

  it('a memory-limit breach replaces the worker', async () => {
    warm = new WarmMeasurer();
    const over = await warm.measure(tiny(16), tinyDevice({ limits: { memoryMb: 1, timeoutS: 60 } }), { metrics: ['latency'], seed: 1 });
    const next = await warm.measure(tiny(16), tinyDevice(), { metrics: ['latency'], seed: 1 });
    expect(over).toMatchObject({ ok: false, error: 'out of memory (limit 1 MB)' });
    expect(next.ok).toBe(true);
    expect(warm.started).toBe(2);
  });

  it('is replaced every recycleEvery candidates', async () => {
    warm = new WarmMeasurer({ recycleEvery: 2 });
    const pids: number[] = [];
    for (let i = 0; i < 3; i++) {
      const m = await warm.measure(tiny(16), tinyDevice(), { metrics: ['latency'], seed: 1, onStart: (pid) => pids.push(pid) });
      expect(m.ok).toBe(true);
    }
    expect(pids[0]).toBe(pids[1]);
    expect(pids[2]).not.toBe(pids[1]);
  });

  it('memory runs still use one process per candidate', async () => {
    warm = new WarmMeasurer();
    const pids: number[] = [];
    for (let i = 0; i < 2; i++) {
      const m = await warm.measure(tiny(16), tinyDevice(), { metrics: ['latency', 'memory'], seed: 1, onStart: (pid) => pids.push(pid) });
      expect(m.ok).toBe(true);
      expect(m.memory!.inference_peak_mb).toBeGreaterThan(0);
    }
    expect(new Set(pids).size).toBe(2);
    expect(warm.started).toBe(0);
  });
});
