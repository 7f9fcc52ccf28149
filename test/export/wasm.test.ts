// The `wasm` device runs onnxruntime-web in Node: every op the exporter emits must run there too.
import * as ortWeb from 'onnxruntime-web';
import { describe, expect, it } from 'vitest';
import { exportModel } from '../../src/export/index.js';
import type { ArchConfig } from '../../src/space/types.js';
import { referenceForward } from './reference.js';
import { concat, maxAbsDiff } from './run.js';

const cfg: ArchConfig = {
  family: 'primer', n_layer: 2, d_model: 16, d_inner: [40, 30], n_head: [2, 4], div_val: 2, d_embed: 16,
  vocab_size: 50, cutoffs: [20, 35], n_positions: 16, primer_square: true, primer_conv: true,
};
const IDS = [[3, 49, 17, 22, 40, 8]];

describe('onnxruntime-web (wasm) runs both forms', () => {
  for (const family of ['gpt2', 'primer'] as const) {
    it(`${family}: prefill logits match the reference`, async () => {
      ortWeb.env.wasm.numThreads = 1;
      const c = family === 'gpt2' ? { ...cfg, family, primer_conv: undefined, primer_square: undefined } : cfg;
      const ref = concat(referenceForward(c, 5, 5, IDS).logits);
      for (const form of ['ort', 'standard'] as const) {
        const m = exportModel(c, { form, mode: 'prefill', shapes: { batch: 1, seq: 6, mem_len: 0, context: 0 }, seed: 5 }, { weightScale: 5 });
        const s = await ortWeb.InferenceSession.create(m.bytes, { executionProviders: ['wasm'] });
        const out = await s.run({ input_ids: new ortWeb.Tensor('int64', BigInt64Array.from(IDS[0]!.map(BigInt)), [1, 6]) });
        expect(maxAbsDiff(out.logits!.data as Float32Array, ref), form).toBeLessThan(1e-4);
        await s.release();
      }
    });
  }
});
