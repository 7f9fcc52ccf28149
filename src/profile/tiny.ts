// A tiny hand-built ONNX model (MatMul + Add + Relu) for probing execution providers and testing the
// harness without the exporter. Standard ai.onnx ops only, so every provider can run it.
import { createRequire } from 'node:module';
import type { ExportedModel } from '../export/types.js';

const require = createRequire(import.meta.url);

export function tinyModel(width = 16, batch = 1): ExportedModel {
  const { onnx } = require('onnx-proto') as typeof import('onnx-proto');
  const w = new Float32Array(width * width).map((_, i) => ((i * 7919) % 13) / 13 - 0.5);
  const b = new Float32Array(width).map((_, i) => (i % 5) * 0.01);
  const f32 = (name: string, dims: number[], data: Float32Array) =>
    onnx.TensorProto.create({ name, dims, dataType: onnx.TensorProto.DataType.FLOAT, rawData: new Uint8Array(data.buffer) });
  const vi = (name: string, dims: number[]) =>
    onnx.ValueInfoProto.create({ name, type: { tensorType: { elemType: onnx.TensorProto.DataType.FLOAT, shape: { dim: dims.map((d) => ({ dimValue: d })) } } } });
  const graph = onnx.GraphProto.create({
    name: 'tiny',
    node: [
      onnx.NodeProto.create({ name: 'mm', opType: 'MatMul', input: ['x', 'w'], output: ['h'] }),
      onnx.NodeProto.create({ name: 'add', opType: 'Add', input: ['h', 'b'], output: ['hb'] }),
      onnx.NodeProto.create({ name: 'relu', opType: 'Relu', input: ['hb'], output: ['y'] }),
    ],
    initializer: [f32('w', [width, width], w), f32('b', [width], b)],
    input: [vi('x', [batch, width])],
    output: [vi('y', [batch, width])],
  });
  const model = onnx.ModelProto.create({ irVersion: 8, producerName: 'lts-tiny', opsetImport: [{ domain: '', version: 17 }], graph });
  return {
    bytes: onnx.ModelProto.encode(model).finish(),
    externalData: [],
    inputs: [{ name: 'x', type: 'float32', dims: [batch, width] }],
    outputs: [{ name: 'y', type: 'float32', dims: [batch, width] }],
  };
}
