import { describe, expect, it } from 'vitest';
import { checkMeasureRequest, PROTOCOL_VERSION, targetMismatch, type MeasureRequest } from '../../src/agent/protocol.js';
import { requestDevice } from '../../src/agent/server.js';
import { tinyConfig, tinyDevice } from './helpers.js';

const base = { protocol_version: PROTOCOL_VERSION, config: tinyConfig(), metrics: ['latency'], seed: 1 };

describe('measure request', () => {
  it('accepts a plain request and names what is wrong in a bad one', () => {
    expect(checkMeasureRequest(base)).toBeNull();
    expect(checkMeasureRequest({ ...base, shapes: { seq: 32 }, protocol: { minRuns: 3 }, graph: 'standard', limits: { timeoutS: 5 } })).toBeNull();
    expect(checkMeasureRequest([])).toMatch(/JSON object/);
    expect(checkMeasureRequest({ ...base, config: 'gpt2' })).toMatch(/'config' must be a JSON object/);
    expect(checkMeasureRequest({ ...base, metrics: [] })).toMatch(/non-empty/);
    expect(checkMeasureRequest({ ...base, seed: 1.5 })).toMatch(/'seed'/);
    expect(checkMeasureRequest({ ...base, shapes: { seq: 0 } })).toMatch(/shapes.seq/);
    expect(checkMeasureRequest({ ...base, shapes: { heads: 2 } })).toMatch(/unknown field 'heads'/);
    expect(checkMeasureRequest({ ...base, protocol: { minRuns: -1 } })).toMatch(/protocol.minRuns/);
    expect(checkMeasureRequest({ ...base, graph: 'onnx' })).toMatch(/'graph'/);
    expect(checkMeasureRequest({ ...base, limits: { memoryMb: 0 } })).toMatch(/limits.memoryMb/);
    expect(checkMeasureRequest({ ...base, weights: 'AAAA' })).toMatch(/unknown field 'weights'/);
  });

  it('applies the request settings to the agent profile; limits only get tighter', () => {
    const dev = tinyDevice({ limits: { memoryMb: 1000, timeoutS: 30 } });
    const req = { ...base, shapes: { seq: 32 }, protocol: { minRuns: 7 }, graph: 'standard', limits: { memoryMb: 5000, timeoutS: 3 } } as MeasureRequest;
    const eff = requestDevice(dev, req);
    expect(eff.shapes).toEqual({ ...dev.shapes, seq: 32 });
    expect(eff.protocol).toEqual({ ...dev.protocol, minRuns: 7 });
    expect(eff.graph).toBe('standard');
    expect(eff.limits).toEqual({ memoryMb: 1000, timeoutS: 3 });
    expect(eff.executionProviders).toEqual(dev.executionProviders);
    expect(requestDevice(dev, base as MeasureRequest)).toEqual(dev);
  });

  it('names every difference between the agent device and the search target', () => {
    const dev = tinyDevice();
    expect(targetMismatch(dev, undefined)).toBeNull();
    expect(targetMismatch(dev, { runtime: dev.runtime, executionProviders: dev.executionProviders, threads: dev.threads })).toBeNull();
    const why = targetMismatch(dev, { runtime: 'onnxruntime-web', executionProviders: ['wasm'], threads: { intraOp: 4, interOp: 1 } });
    expect(why).toMatch(/runtime onnxruntime-node \(search wants onnxruntime-web\)/);
    expect(why).toMatch(/providers \[cpu\] \(search wants \[wasm\]\)/);
    expect(why).toMatch(/threads 1\/1 \(search wants 4\/1\)/);
  });
});
