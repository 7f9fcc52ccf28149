import { describe, expect, it } from 'vitest';
import * as ort from 'onnxruntime-node';
import { GraphBuilder } from '../../src/export/graph.js';
import { adaptiveClusters, adaptiveEmbedding, adaptiveLogSoftmax } from '../../src/export/blocks/adaptive.js';
import { initWeight, WeightSource } from '../../src/export/weights.js';
import type { ArchConfig } from '../../src/space/types.js';

const base: ArchConfig = {
  family: 'transfo-xl', n_layer: 1, d_model: 16, d_inner: [40], n_head: [2], div_val: 2, d_embed: 16,
  vocab_size: 60, cutoffs: [20, 35], n_positions: 0,
};

async function run(cfg: ArchConfig, ids: number[], hidden: Float32Array) {
  const g = new GraphBuilder('adaptive');
  const w = new WeightSource(g, 5, 10);
  const idsIn = g.input('ids', 'int64', [1, ids.length]);
  const h = g.input('h', 'float32', [2, cfg.d_model]);
  g.output(adaptiveEmbedding(w, cfg, idsIn, 'emb'), 'e', 'float32', [1, ids.length, cfg.d_model]);
  g.output(adaptiveLogSoftmax(w, cfg, h, { emb: 'emb', crit: 'crit' }), 'lp', 'float32', [2, cfg.vocab_size]);
  const s = await ort.InferenceSession.create(g.build().bytes);
  const out = await s.run({
    ids: new ort.Tensor('int64', BigInt64Array.from(ids.map(BigInt)), [1, ids.length]),
    h: new ort.Tensor('float32', hidden, [2, cfg.d_model]),
  });
  return { e: out.e!.data as Float32Array, lp: out.lp!.data as Float32Array };
}

describe('adaptive embedding and softmax', () => {
  for (const div_val of [1, 2]) {
    it(`div_val ${div_val}: embedding rows come from the right cluster, projected and scaled; log-probs normalize`, async () => {
      const cfg = { ...base, div_val, d_embed: div_val === 1 ? 12 : 16 };
      const ids = [0, 19, 20, 34, 35, 59];
      const hidden = initWeight(1, 'hidden', 'normal', 2 * cfg.d_model, 50);
      const { e, lp } = await run(cfg, ids, hidden);
      const clusters = adaptiveClusters(cfg);
      const d = cfg.d_model;
      ids.forEach((id, t) => {
        const k = clusters.findIndex((c) => id < c.end);
        const c = clusters[k]!;
        const kk = div_val === 1 ? 0 : k;
        const table = initWeight(5, `emb.emb_layers.${kk}.weight`, 'normal', (div_val === 1 ? cfg.vocab_size : c.end - c.start) * c.width, 10);
        const row = div_val === 1 ? id : id - c.start;
        const proj = initWeight(5, `emb.emb_projs.${kk}`, 'normal', d * c.width, 10);
        for (let j = 0; j < d; j++) {
          let s = 0;
          for (let m = 0; m < c.width; m++) s += table[row * c.width + m]! * proj[j * c.width + m]!;
          expect(e[t * d + j]).toBeCloseTo(s * Math.sqrt(d), 4);
        }
      });
      for (let b = 0; b < 2; b++) {
        let z = 0;
        for (let v = 0; v < cfg.vocab_size; v++) z += Math.exp(lp[b * cfg.vocab_size + v]!);
        expect(z).toBeCloseTo(1, 5);
      }
    });
  }
});
