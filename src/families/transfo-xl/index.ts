// Transformer-XL (Hugging Face TransfoXLLMHeadModel): post-LN blocks, relative attention over a memory
// of past segments, ReLU FFN, adaptive embedding and softmax (HF wt103: div_val 4).
import { buildTransfoXl } from './graph.js';
import { layeredFamily } from '../layered/family.js';
import type { TransfoXlConfig } from './config.js';
import { readHfTransfoXl, TXL_ARCHAI_RULES } from './foreign.js';
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
  foreign: {
    hf: { architecturePrefix: 'TransfoXL', read: readHfTransfoXl },
    archai: { modelTypes: ['mem_transformer', 'hf_transfo_xl'], rules: TXL_ARCHAI_RULES },
  },
  trainingConfig: transfoXlTrainingConfig,
  calibration: (dataset) => ({ name: `transfo-xl-${dataset}` }),
  cost: { memory: true, qkvConv: false },
});
