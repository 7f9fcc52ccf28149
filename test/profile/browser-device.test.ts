// Browser profiles as files: what parses, what is refused with one line.
import { describe, expect, it } from 'vitest';
import { launchArgs } from '../../src/profile/browser/chromium.js';
import { loadDevice, parseDevice } from '../../src/profile/index.js';

const base = { name: 'b', runtime: 'browser', executionProviders: ['wasm'], shapes: { batch: 1, seq: 8, mem_len: 0, context: 8 } };

describe('browser device profiles', () => {
  it('ships chromium-wasm (every core) and chromium-webgpu', () => {
    const w = loadDevice('chromium-wasm');
    expect(w.runtime).toBe('browser');
    expect(w.executionProviders).toEqual(['wasm']);
    expect(w.threads.intraOp).toBe(0);
    expect(loadDevice('chromium-webgpu').executionProviders).toEqual(['webgpu']);
  });

  it('refuses what a page cannot do, in one line', () => {
    expect(() => parseDevice({ ...base, executionProviders: ['cpu'] })).toThrow(/^device profile: \/executionProviders: a browser profile runs exactly one of 'wasm' or 'webgpu'$/);
    expect(() => parseDevice({ ...base, executionProviders: ['webgpu', 'wasm'] })).toThrow(/exactly one/);
    const protocol = { warmupMin: 1, warmupMax: 2, minRuns: 1, maxRuns: 2, maxSeconds: 1, targetRelCi: 0.1, clock: 'cpu' };
    expect(() => parseDevice({ ...base, protocol })).toThrow(/^device profile: \/protocol\/clock: a browser page can time only 'wall' clock$/);
    expect(() => parseDevice({ ...base, runtime: 'onnxruntime-node', executionProviders: ['cpu'], browser: { args: [] } })).toThrow(/\/browser: only for "runtime": "browser"/);
    expect(() => parseDevice({ ...base, browser: { args: ['no-dashes'] } })).toThrow(/\/browser\/args\/0/);
    expect(() => parseDevice({ ...base, runtime: 'onnxruntime-node' })).toThrow(/'wasm' needs "runtime": "onnxruntime-web" or "browser"/);
  });

  it('asks Chromium for WebGPU only in WebGPU profiles, and adds the profile flags', () => {
    const wasm = parseDevice({ ...base, browser: { args: ['--foo'] } });
    expect(launchArgs(wasm)).not.toContain('--enable-unsafe-webgpu');
    expect(launchArgs(wasm)).toContain('--foo');
    expect(launchArgs(parseDevice({ ...base, executionProviders: ['webgpu'] }))).toContain('--enable-unsafe-webgpu');
  });
});
