import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { exportPart } from '../../src/export/index.js';
import type { ExportOptions } from '../../src/export/types.js';

const opts = (form: ExportOptions['form']): ExportOptions => ({ form, mode: 'prefill', shapes: { batch: 1, seq: 6, mem_len: 0, context: 6 }, seed: 3 });

async function run(form: ExportOptions['form'], part: unknown): Promise<ort.Tensor> {
  const m = exportPart('brainformer', part, 16, opts(form));
  const s = await ort.InferenceSession.create(m.bytes, m.externalData.length > 0 ? { externalData: m.externalData } : {});
  const x = new ort.Tensor('float32', Float32Array.from({ length: 6 * 16 }, (_, i) => Math.sin(i)), [1, 6, 16]);
  const y = (await s.run({ x })).y!;
  await s.release();
  return y;
}

describe('a model part alone (FamilyDefinition.buildPart)', () => {
  it('builds a Brainformer MoE sub-layer in both forms, which agree', async () => {
    const moe = { kind: 'moe', experts: 4, top_k: 1, d_inner: 32, act: 'gelu' };
    const a = await run('ort', moe);
    const b = await run('standard', moe);
    expect(a.dims).toEqual([1, 6, 16]);
    const ya = a.data as Float32Array;
    const yb = b.data as Float32Array;
    for (let i = 0; i < ya.length; i++) expect(Math.abs(ya[i]! - yb[i]!)).toBeLessThan(1e-4);
  });

  it('says in one line what is wrong with a part, and which families have none', () => {
    expect(() => exportPart('brainformer', { kind: 'moe', experts: 4, top_k: 5, d_inner: 32, act: 'gelu' }, 16, opts('ort'))).toThrow(/^brainformer part \.top_k: must be an integer in 1\.\.experts \(4\), got 5$/);
    expect(() => exportPart('gpt2', {}, 16, opts('ort'))).toThrow(/family gpt2 has no parts to build alone/);
  });
});
