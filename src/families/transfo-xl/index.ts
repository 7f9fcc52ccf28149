// Transformer-XL (Hugging Face TransfoXLLMHeadModel): post-LN blocks, relative attention over a memory
// of past segments, ReLU FFN, adaptive embedding and softmax (HF wt103: div_val 4).
import { buildTransfoXl } from './graph.js';
import { layeredFamily } from '../layered/family.js';
import { keyFields } from '../layered/forms.js';
import type { TransfoXlConfig } from './config.js';
import { transfoXlTrainingConfig } from './training-config.js';

export const TXL_WT103_VOCAB = 267735;

export const transfoXlFamily = layeredFamily<TransfoXlConfig>({
  name: 'transfo-xl',
  description: 'Transformer-XL: post-LN, relative attention over a memory, ReLU FFN, adaptive embedding',
  hfModelTypes: ['transfo-xl'],
  vocabSize: TXL_WT103_VOCAB,
  // HF's wt103 config has div_val 4; the reference code's tables leave it at 1.
  divVal: { config: 4, table: 1 },
  minParams: 4e6,
  switches: [],
  // qkv (no bias) + r_net + o_net + r_w_bias + r_r_bias
  attentionParams: (_cfg, d, a) => 3 * d * a + d * a + a * d + 2 * a,
  finalNorm: false,
  // Sinusoidal relative positions: nothing learned.
  learnedPositions: false,
  buildGraph: buildTransfoXl,
  fromHf: (raw, lts) => {
    const key = keyFields(lts);
    const cutoffs = Array.isArray(raw.cutoffs) ? raw.cutoffs : [];
    // lts writes its div_val 0 (one tied table) as HF div_val 1 without clusters; its key says which it was.
    const plain = raw.div_val === 1 && cutoffs.length === 0 && key.div_val === 0;
    return {
      n_layer: raw.n_layer, d_model: raw.d_model, n_head: raw.n_head, d_inner: raw.d_inner, d_embed: raw.d_embed,
      vocab_size: raw.vocab_size, div_val: plain ? 0 : raw.div_val, ...(plain ? {} : { cutoffs }),
      ...(key.n_positions !== undefined ? { n_positions: key.n_positions } : {}),
    };
  },
  trainingConfig: transfoXlTrainingConfig,
  calibration: (dataset) => ({ name: `transfo-xl-${dataset}` }),
  cost: { memory: true, qkvConv: false },
});
