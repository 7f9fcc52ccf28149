// Real child processes running real (tiny) models. No timed assertions: only that numbers are sane.
import { describe, expect, it } from 'vitest';
import { loadDevice, measureCandidate, measureSource, requestedProtocol } from '../../src/profile/index.js';
import { parseConfig } from '../../src/space/index.js';
import { expectTimedStats, tinyDevice } from './helpers.js';

describe('measuring in a fresh child process', () => {
  it('a tiny model gives sane latency, memory and timing fields', async () => {
    const m = await measureSource({ kind: 'tiny', width: 64 }, tinyDevice(), { metrics: ['latency', 'memory'], seed: 3 });
    expect(m.error).toBeUndefined();
    expect(m.ok).toBe(true);
    const l = m.latency!;
    expectTimedStats(l);
    expect(l.runs).toBeLessThanOrEqual(30);
    expect(l.min_ms).toBeLessThanOrEqual(l.median_ms);
    expect(l.median_ms).toBeLessThanOrEqual(l.p90_ms);
    expect(l.clock).toBe('wall');
    expect(l.wall_median_ms).toBe(l.median_ms);
    expect(l.cpu_median_ms).toBeGreaterThan(0);
    expect(m.memory!.baseline_mb).toBeGreaterThan(10);
    expect(m.memory!.load_peak_mb).toBeGreaterThan(0);
    expect(m.memory!.inference_peak_mb).toBeGreaterThan(0);
    expect(m.provider).toBe('cpu');
    expect(m.placement!.cpu).toBeGreaterThan(0);
    expect(m.runtime).toEqual({ name: 'onnxruntime-node', version: '1.30.0' });
    const t = m.timing;
    expect(t.session_ms).toBeGreaterThan(0);
    expect(t.measure_ms).toBeGreaterThan(0);
    expect(t.total_ms).toBeGreaterThan(t.session_ms + t.measure_ms);
  });

  it("clock 'cpu' times runs by process CPU time and still reports the wall median", async () => {
    const d = tinyDevice();
    const m = await measureSource({ kind: 'tiny', width: 64 }, { ...d, protocol: { ...d.protocol, clock: 'cpu' } }, { metrics: ['latency'], seed: 3 });
    expect(m.ok).toBe(true);
    expect(m.latency!.clock).toBe('cpu');
    expect(m.latency!.cpu_median_ms).toBe(m.latency!.median_ms);
    expect(m.latency!.wall_median_ms).toBeGreaterThan(0);
  });

  it('a requested minimum of timed runs (the sentinel\'s) raises the protocol\'s, never past its maxRuns', async () => {
    const d = tinyDevice();
    const more = await measureSource({ kind: 'tiny', width: 16 }, d, { metrics: ['latency'], seed: 3, minRuns: 20 });
    expect(more.latency!.runs).toBeGreaterThanOrEqual(20);
    const capped = await measureSource({ kind: 'tiny', width: 16 }, d, { metrics: ['latency'], seed: 3, minRuns: 99 });
    expect(capped.latency!.runs).toBe(d.protocol.maxRuns);
    expect(requestedProtocol(d.protocol, { minRuns: 2, ciTarget: 0.01 })).toEqual({ ...d.protocol, targetRelCi: 0.01 });
  });

  it('memory only: a fixed short run, no latency reported', async () => {
    const m = await measureSource({ kind: 'tiny', width: 64 }, tinyDevice(), { metrics: ['memory'], seed: 3 });
    expect(m.ok).toBe(true);
    expect(m.latency).toBeUndefined();
    expect(m.memory!.inference_peak_mb).toBeGreaterThan(0);
  });

  it('runs on onnxruntime-web (wasm) too', async () => {
    const m = await measureSource({ kind: 'tiny', width: 32 }, tinyDevice({ ...loadDevice('wasm'), protocol: tinyDevice().protocol, limits: tinyDevice().limits }), {
      metrics: ['latency'],
      seed: 1,
    });
    expect(m.ok).toBe(true);
    expect(m.provider).toBe('wasm');
    expect(m.runtime!.name).toBe('onnxruntime-web');
  });

  it('a timeout fails the candidate with the reason and the parent carries on', async () => {
    const never = { warmupMin: 1, warmupMax: 2, minRuns: 1, maxRuns: 1e9, maxSeconds: 1e6, targetRelCi: 0 };
    const m = await measureSource({ kind: 'tiny', width: 128 }, tinyDevice({ protocol: never, limits: { memoryMb: 2048, timeoutS: 1 } }), { metrics: ['latency'], seed: 1 });
    expect(m).toMatchObject({ ok: false, error: 'timeout after 1 s' });
    const next = await measureSource({ kind: 'tiny', width: 16 }, tinyDevice(), { metrics: ['latency'], seed: 1 });
    expect(next.ok).toBe(true);
  });

  it('an impossible memory limit fails with out of memory', async () => {
    const m = await measureSource({ kind: 'tiny', width: 16 }, tinyDevice({ limits: { memoryMb: 1, timeoutS: 60 } }), { metrics: ['latency'], seed: 1 });
    expect(m).toMatchObject({ ok: false, error: 'out of memory (limit 1 MB)' });
  });

  it('a crashing child is reported by signal', async () => {
    const m = await measureSource({ kind: 'tiny', width: 16 }, tinyDevice(), {
      metrics: ['latency'],
      seed: 1,
      onStart: (pid) => setTimeout(() => process.kill(pid, 'SIGSEGV'), 50),
    });
    expect(m.ok).toBe(false);
    expect(m.error).toMatch(/^crashed: signal SIGSEGV/);
  });

  it('a provider that cannot start is a session-creation failure, not a fallback', async () => {
    const m = await measureSource({ kind: 'tiny', width: 16 }, tinyDevice({ executionProviders: ['cuda'] }), { metrics: ['latency'], seed: 1 });
    // On a machine with a working CUDA provider this would run on cuda; here it must not quietly use the CPU.
    if (m.ok) expect(m.provider).toMatch(/^cuda/);
    else expect(m.error).toMatch(/^session creation failed: /);
  });
});

describe('measuring exported candidates', () => {
  const shapes = { batch: 1, seq: 8, mem_len: 8, context: 8 };
  const gpt2 = { family: 'gpt2', n_layer: 2, d_model: 32, d_inner: [64, 96], n_head: [2, 4], div_val: 0, vocab_size: 97, n_positions: 32 };

  it('latency, decode and memory of a tiny GPT-2 through measureCandidate', async () => {
    const m = await measureCandidate(parseConfig(gpt2), tinyDevice({ shapes }), { metrics: ['latency', 'decode', 'memory'], seed: 5 });
    expect(m.error).toBeUndefined();
    expect(m.ok).toBe(true);
    expect(m.latency!.runs).toBeGreaterThanOrEqual(5);
    expect(m.decode!.runs).toBeGreaterThanOrEqual(5);
    expect(m.decode!.median_ms).toBeGreaterThan(0);
    expect(m.memory!.graph).toBe('prefill');
    expect(m.memory!.inference_peak_mb).toBeGreaterThan(0);
    expect(m.timing.export_ms).toBeGreaterThan(0);
    expect(m.provider).toBe('cpu');
  });

  it('a primer candidate (squared ReLU, depthwise conv) measures too', async () => {
    const cfg = parseConfig({ ...gpt2, family: 'primer', n_layer: 1, d_inner: [64], n_head: [2], primer_square: true, primer_conv: true });
    const m = await measureCandidate(cfg, tinyDevice({ shapes }), { metrics: ['latency'], seed: 5 });
    expect(m.error).toBeUndefined();
    expect(m.latency!.median_ms).toBeGreaterThan(0);
  });
});
