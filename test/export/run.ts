// Test helpers: run an exported model on onnxruntime-node's CPU provider.
import * as ort from 'onnxruntime-node';
import type { ExportedModel } from '../../src/export/types.js';

export type Feeds = Record<string, { data: Float32Array | BigInt64Array; dims: number[] }>;

export async function runModel(model: ExportedModel, feeds: Feeds): Promise<Record<string, Float32Array>> {
  const session = await ort.InferenceSession.create(model.bytes, {
    intraOpNumThreads: 1,
    ...(model.externalData.length ? { externalData: model.externalData } : {}),
  });
  const inputs: Record<string, ort.Tensor> = {};
  for (const [name, f] of Object.entries(feeds)) {
    inputs[name] = f.data instanceof BigInt64Array ? new ort.Tensor('int64', f.data, f.dims) : new ort.Tensor('float32', f.data, f.dims);
  }
  const out = await session.run(inputs);
  await session.release();
  return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, v.data as Float32Array]));
}

export function idsFeed(ids: number[][]): Feeds[string] {
  return { data: BigInt64Array.from(ids.flat().map(BigInt)), dims: [ids.length, ids[0]!.length] };
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

export function concat(parts: ArrayLike<number>[]): Float64Array {
  const out = new Float64Array(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
