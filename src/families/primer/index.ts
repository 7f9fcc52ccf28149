// Primer-EZ (So et al.) on GPT-2: GPT-2's blocks with two switches, each searched: primer_square (FFN
// relu(x)^2) and primer_conv (a causal depthwise conv of width 3 after each of Q, K, V).
import { buildGpt2Graph } from '../gpt2/graph.js';
import { GPT2_VOCAB, gpt2AttentionParams } from '../gpt2/index.js';
import { GPT2_STYLE } from '../gpt2/training-config.js';
import { layeredFamily } from '../layered/family.js';
import { perLayerTrainingConfig } from '../layered/training-config.js';
import type { PrimerConfig } from './config.js';
import { qkvConv } from './conv.js';

export const primerFamily = layeredFamily<PrimerConfig, 'primer_square' | 'primer_conv'>({
  name: 'primer',
  description: 'Primer-EZ on GPT-2: squared-ReLU FFN and depthwise Q/K/V convs, each a searched switch',
  hfModelTypes: [],
  vocabSize: GPT2_VOCAB,
  divVal: { config: 0, table: 0 },
  minParams: 6e6,
  // A trained-model row without the switches is Primer-EZ (both on).
  switches: [{ name: 'primer_square', tableDefault: true }, { name: 'primer_conv', tableDefault: true }],
  // ez = squared ReLU and conv together (Primer-EZ); any = each switch drawn freely.
  spacePresets: {
    flag: 'primer',
    description: 'Primer variants to search (family primer/all)',
    presets: {
      any: { primer_square: [false, true], primer_conv: [false, true] },
      ez: { primer_square: [true], primer_conv: [true] },
      square: { primer_square: [true], primer_conv: [false] },
      conv: { primer_square: [false], primer_conv: [true] },
    },
  },
  // Three depthwise width-3 convs (Q, K, V), one kernel per channel, no bias.
  attentionParams: (cfg, d, a) => gpt2AttentionParams(d, a) + (cfg.primer_conv ? 9 * a : 0),
  finalNorm: true,
  learnedPositions: true,
  // archai writes Primer as a GPT-2 config with the switches on.
  foreign: { basedOn: { family: 'gpt2', note: 'primer_square/primer_conv on a GPT-2 -> family primer' } },
  switchesFromBlock: (block) => ({ primer_square: block.ffn_activation === 'relu_squared', primer_conv: block.qkv_depthwise_conv === 3 }),
  // GPT-2's graph with the switches as variations of its blocks.
  buildGraph: (cfg, opts, extras) =>
    buildGpt2Graph(cfg, opts, extras, { activation: cfg.primer_square ? 'relu_squared' : 'gelu_tanh', ...(cfg.primer_conv ? { qkvTransform: qkvConv } : {}) }),
  trainingConfig: (c, s, lts) =>
    perLayerTrainingConfig(c, s, lts, 'Hugging Face has no Primer config (squared ReLU, depthwise Q/K/V convs)', {
      ...GPT2_STYLE,
      ffn_activation: c.primer_square ? 'relu_squared' : 'gelu_tanh',
      qkv_depthwise_conv: c.primer_conv ? 3 : 0,
    }),
  cost: (cfg) => ({ memory: false, qkvConv: cfg.primer_conv === true }),
  calibration: (dataset) => ({
    name: `gpt2-${dataset}`,
    note: `Primer uses GPT-2's calibration (gpt2-${dataset}): no trained Primer models to fit on; Primer's extra Q/K/V conv params are counted in its decoder params`,
  }),
});
