// GPT-2 (Hugging Face GPT2LMHeadModel): pre-LN blocks, learned positions, gelu_tanh FFN, tied output.

import { layeredFamily } from '../layered/family.js';
import { buildGpt2Graph } from './graph.js';
import type { Gpt2Config } from './config.js';
import { readHfGpt2 } from './foreign.js';
import { gpt2TrainingConfig } from './training-config.js';

export const GPT2_VOCAB = 50257;

/** Per layer: c_attn (d x 3a + 3a), c_proj (a x d + d). */
export const gpt2AttentionParams = (d: number, a: number): number => 3 * d * a + 3 * a + a * d + d;

export const gpt2Family = layeredFamily<Gpt2Config>({
  name: 'gpt2',
  description: 'GPT-2: pre-LN, learned positions, gelu_tanh FFN, tied or adaptive embedding',
  hfModelTypes: ['gpt2'],
  vocabSize: GPT2_VOCAB,
  divVal: { config: 0, table: 0 },
  minParams: 6e6,
  switches: [],
  attentionParams: (_cfg, d, a) => gpt2AttentionParams(d, a),
  finalNorm: true,
  learnedPositions: true,
  buildGraph: (cfg, opts, extras) => buildGpt2Graph(cfg, opts, extras),
  foreign: {
    hf: { architecturePrefix: 'GPT2', marker: 'n_embd', read: readHfGpt2 },
    archai: { modelTypes: ['hf_gpt2_flex', 'hf_gpt2'] },
  },
  trainingConfig: gpt2TrainingConfig,
  calibration: (dataset) => ({ name: `gpt2-${dataset}` }),
  cost: { memory: false, qkvConv: false },
});
