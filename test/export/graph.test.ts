import { describe, expect, it } from 'vitest';
import * as ort from 'onnxruntime-node';
import { GraphBuilder } from '../../src/export/graph.js';

describe('GraphBuilder', () => {
  it('builds a model onnxruntime runs, with fused and standard ops', async () => {
    const g = new GraphBuilder('tiny');
    const x = g.input('x', 'float32', [1, 2, 4]);
    const w = g.weight('w', [4, 4], Float32Array.from({ length: 16 }, (_, i) => (i % 5) * 0.1));
    const gamma = g.weight('gamma', [4], Float32Array.from([1, 1, 1, 1]));
    const beta = g.weight('beta', [4], Float32Array.from([0, 0, 0, 0]));
    const h = g.node('MatMul', [x, w]);
    const ln = g.node('LayerNormalization', [h, gamma, beta], { axis: -1, epsilon: { float: 1e-5 } });
    const y = g.ms('FastGelu', [ln]);
    g.output(y, 'y', 'float32', [1, 2, 4]);
    const model = g.build();
    expect(model.externalData).toEqual([]);
    const session = await ort.InferenceSession.create(model.bytes);
    const out = await session.run({ x: new ort.Tensor('float32', Float32Array.from([1, 2, 3, 4, -1, 0, 1, 2]), [1, 2, 4]) });
    const data = out.y!.data as Float32Array;
    expect(data.length).toBe(8);
    expect(Array.from(data).every(Number.isFinite)).toBe(true);
  });

  it('keeps tied weights once and rejects duplicate tensor names', () => {
    const g = new GraphBuilder('tied');
    const a = g.weight('wte', [2, 2], new Float32Array(4));
    expect(g.weight('wte', [2, 2], new Float32Array(4))).toBe(a);
    expect(() => g.weight('wte', [4], new Float32Array(4))).toThrow(/different shapes/);
    g.input('x', 'float32', [1]);
    expect(() => g.input('x', 'float32', [1])).toThrow(/used twice/);
  });
});
