import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { doctorCommand } from '../../src/cli/doctor.js';
import { applyDeviceOverrides, applyProtocol, parseMetrics } from '../../src/cli/options.js';
import { profileCommand, repeatSpread, type ProfileCliOptions } from '../../src/cli/profile.js';
import { parseArgs } from '../search/helpers.js';
import { loadDevice } from '../../src/profile/index.js';
import type { Measurement } from '../../src/profile/types.js';
import { LtsError } from '../../src/util/errors.js';

const dir = mkdtempSync(join(tmpdir(), 'lts-cli-'));

function captureStdout(): { text: () => string } {
  let buf = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => ((buf += String(s)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  return { text: () => buf };
}
afterEach(() => vi.restoreAllMocks());

describe('lts profile', () => {
  it('parses metric lists and rejects unknown ones, and a metric named twice (as lts search does)', () => {
    expect(parseMetrics('latency, memory')).toEqual(['latency', 'memory']);
    expect(() => parseMetrics('latency, memory,latency')).toThrow(/--metric lists 'latency' twice/);
    expect(() => parseMetrics('latency,energy')).toThrow(LtsError);
    expect(() => parseMetrics('latency,energy')).toThrow(/unknown metric 'energy'/);
  });

  it('command-line overrides replace the profile protocol and keep ranges ordered', () => {
    const d = applyProtocol(loadDevice('cpu'), { warmupMin: 30, maxRuns: 5, targetCi: 0.01, timeout: 9 });
    expect(d.protocol).toMatchObject({ warmupMin: 30, warmupMax: 30, minRuns: 5, maxRuns: 5, targetRelCi: 0.01 });
    expect(d.limits.timeoutS).toBe(9);
    expect(loadDevice('cpu').protocol.warmupMin).toBe(3);
    expect(() => applyProtocol(loadDevice('cpu'), { minRuns: 9, maxRuns: 4 })).toThrow(/--min-runs \(9\) exceeds --max-runs \(4\)/);
  });

  it('takes the same shape and graph overrides as lts search', () => {
    const o = parseArgs<ProfileCliOptions>(profileCommand(), ['--config', 'c.json', '--seq', '64', '--batch', '2', '--graph', 'standard', '--max-runs', '7']);
    const d = applyDeviceOverrides(loadDevice('cpu'), o);
    expect(d.shapes).toMatchObject({ batch: 2, seq: 64 });
    expect(d.graph).toBe('standard');
    expect(d.protocol.maxRuns).toBe(7);
    expect(() => parseArgs(profileCommand(), ['--config', 'c.json', '--seq', '0'])).toThrow(/--seq must be an integer >= 1, got '0'/);
  });

  it('the spread of repeated runs uses each run median', () => {
    const m = (med: number): Measurement => ({ ok: true, latency: { median_ms: med } as Measurement['latency'], timing: { export_ms: 0, session_ms: 0, measure_ms: 0, total_ms: 0 } });
    const s = repeatSpread([m(10), m(11), m(12)]);
    expect(s.latency).toEqual({ medians: [10, 11, 12], min: 10, max: 12, rel_range: 2 / 11 });
  });

  it('--repeat 2 measures in fresh processes and prints JSON with the spread', async () => {
    const cfg = join(dir, 'c.json');
    writeFileSync(cfg, JSON.stringify({ family: 'gpt2', n_layer: 1, d_model: 32, d_inner: [64], n_head: [2], div_val: 0, vocab_size: 50, n_positions: 16 }));
    const dev = join(dir, 'd.json');
    writeFileSync(dev, JSON.stringify({ name: 'tinycpu', runtime: 'onnxruntime-node', executionProviders: ['cpu'], shapes: { batch: 1, seq: 8, mem_len: 0, context: 8 } }));
    const out = captureStdout();
    await profileCommand().parseAsync(['--config', cfg, '--device', dev, '--metric', 'latency', '--repeat', '2', '--max-runs', '10', '--min-runs', '5', '--max-seconds', '1'], { from: 'user' });
    const json = JSON.parse(out.text());
    expect(json.device).toBe('tinycpu');
    expect(json.runs).toHaveLength(2);
    expect(json.runs.every((r: Measurement) => r.ok && r.latency!.runs <= 10)).toBe(true);
    expect(json.spread.latency.medians).toHaveLength(2);
  });
});

describe('lts doctor', () => {
  it('--json reports the machine and a verdict for every provider', async () => {
    const out = captureStdout();
    await doctorCommand().parseAsync(['--json'], { from: 'user' });
    const r = JSON.parse(out.text());
    expect(r.cores).toBeGreaterThan(0);
    expect(r.runtimes['onnxruntime-node']).toBe('1.30.0');
    expect(r.runtimes['onnxruntime-web']).toBe('1.30.0');
    expect(r.providers.map((p: { provider: string; runtime: string }) => `${p.provider} ${p.runtime}`)).toEqual([
      'cpu onnxruntime-node', 'webgpu onnxruntime-node', 'cuda onnxruntime-node', 'wasm onnxruntime-web', 'wasm browser', 'webgpu browser',
    ]);
    // The browser is named with its version, and a tiny model runs in it on wasm (threads and SIMD noted).
    expect(r.browser).toMatch(/^Chromium \d+\.[\d.]+ \(\/.+\)$/);
    const web = r.providers.find((p: { provider: string; runtime: string }) => p.runtime === 'browser' && p.provider === 'wasm');
    expect(web.ok).toBe(true);
    expect(web.note).toMatch(/wasm thread\(s\), SIMD, cross-origin isolated/);
    const cpu = r.providers.find((p: { provider: string }) => p.provider === 'cpu');
    expect(cpu.ok).toBe(true);
    for (const p of r.providers) if (!p.ok) expect(p.error).toMatch(/\S/);
  });
});
