import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { listDevices, loadDevice, parseDevice } from '../../src/profile/index.js';
import { LtsError } from '../../src/util/errors.js';

const dir = mkdtempSync(join(tmpdir(), 'lts-dev-'));
const good = {
  name: 'mine',
  runtime: 'onnxruntime-node',
  executionProviders: ['cpu'],
  shapes: { batch: 1, seq: 64, mem_len: 0, context: 32 },
};
function file(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}
function errorOf(f: () => unknown): LtsError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(LtsError);
    expect((e as Error).message).not.toContain('\n');
    return e as LtsError;
  }
  throw new Error('expected an LtsError');
}

describe('device profiles', () => {
  it('ships every documented profile, and each validates', () => {
    const names = listDevices();
    expect(names).toEqual(expect.arrayContaining(['cpu', 'cpu-all', 'cuda', 'webgpu', 'wasm', 'raspberry-pi', 'jetson']));
    for (const n of names) {
      const d = loadDevice(n);
      expect(d.name).toBe(n);
      expect(d.protocol.minRuns).toBeLessThanOrEqual(d.protocol.maxRuns);
    }
  });

  it('cpu is the LTS setting; jetson names its agents through env vars', () => {
    const cpu = loadDevice('cpu');
    expect(cpu).toMatchObject({ runtime: 'onnxruntime-node', executionProviders: ['cpu'], threads: { intraOp: 1 }, shapes: { batch: 1, seq: 192 } });
    expect(cpu.protocol).toMatchObject({ warmupMin: 3, warmupMax: 20, minRuns: 10, maxRuns: 200, maxSeconds: 20, targetRelCi: 0.02 });
    expect(loadDevice('cpu-all').threads.intraOp).toBe(0);
    expect(loadDevice('wasm').runtime).toBe('onnxruntime-web');
    expect(loadDevice('raspberry-pi').threads.intraOp).toBe(4);
    expect(loadDevice('jetson').agents).toEqual({ urlsEnv: 'LTS_JETSON_AGENTS', tokenEnv: 'LTS_JETSON_TOKEN' });
    expect('$schema' in cpu).toBe(false);
  });

  it('resolves names against the package, not the working directory', () => {
    const cwd = process.cwd();
    try {
      process.chdir(tmpdir());
      expect(loadDevice('cpu').name).toBe('cpu');
    } finally {
      process.chdir(cwd);
    }
  });

  it('loads a user file by path and fills defaults', () => {
    const d = loadDevice(file('mine.json', JSON.stringify(good)));
    expect(d.protocol.targetRelCi).toBe(0.02);
    expect(d.limits.timeoutS).toBeGreaterThan(0);
    expect(d.graph).toBe('ort');
    expect(d.threads).toEqual({ intraOp: 1, interOp: 1 });
  });

  it('unknown name lists the known ones', () => {
    expect(errorOf(() => loadDevice('tpu')).message).toMatch(/unknown device 'tpu' \(known: .*cpu.*jetson/);
  });

  it('unreadable file, bad JSON', () => {
    expect(errorOf(() => loadDevice(join(dir, 'nope.json'))).message).toMatch(/cannot read device profile .*ENOENT/);
    expect(errorOf(() => loadDevice(file('bad.json', '{"name": "x",'))).message).toMatch(/not valid JSON/);
  });

  it('schema violations name the field', () => {
    const cases: [unknown, RegExp][] = [
      [{ ...good, runtime: 'tflite' }, /\/runtime must be one of/],
      [{ ...good, executionProviders: [] }, /\/executionProviders/],
      [{ ...good, executionProviders: ['npu'] }, /\/executionProviders\/0 must be one of/],
      [{ ...good, shapes: { ...good.shapes, seq: 0 } }, /\/shapes\/seq must be >= 1/],
      [{ ...good, shapes: { batch: 1, seq: 4, mem_len: 0 } }, /\/shapes: missing field 'context'/],
      [{ ...good, colour: 'red' }, /unknown field 'colour'/],
      [{ ...good, protocol: { warmupMin: 3, warmupMax: 20, minRuns: 10, maxRuns: '200', maxSeconds: 20, targetRelCi: 0.02 } }, /\/protocol\/maxRuns must be integer/],
      [{ ...good, protocol: { warmupMin: 30, warmupMax: 20, minRuns: 10, maxRuns: 200, maxSeconds: 20, targetRelCi: 0.02 } }, /warmupMin \(30\) exceeds warmupMax/],
      [{ ...good, protocol: { warmupMin: 3, warmupMax: 20, minRuns: 10, maxRuns: 200, maxSeconds: 20, targetRelCi: 0.02, clock: 'gpu' } }, /\/protocol\/clock must be one of "wall", "cpu"/],
      [{ ...good, limits: { memoryMb: -1, timeoutS: 10 } }, /\/limits\/memoryMb must be > 0/],
      [{ ...good, runtime: 'onnxruntime-web' }, /onnxruntime-web in Node runs only 'wasm'/],
      [{ name: 'x' }, /missing field 'runtime'/],
    ];
    for (const [json, re] of cases) {
      const p = file('case.json', JSON.stringify(json));
      expect(errorOf(() => loadDevice(p)).message).toMatch(re);
      expect(errorOf(() => parseDevice(json)).message).toMatch(re);
    }
  });
});
