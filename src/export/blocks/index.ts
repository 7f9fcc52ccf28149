// The block library every family's graph writer shares: each family's decoder is a short loop over these.
export { LN_EPS, lnWeights, layerNorm, skipLayerNorm, addAndNorm } from './norm.js';
export { MASKED, causalMaskData } from './masks.js';
export { splitHeads, mergeHeads } from './heads.js';
export { softmaxAttend, multiHeadAttention, type MhaInputs } from './attention.js';
export { causalAttention, passShapes, type CausalPass, type AttentionShape } from './causal-attention.js';
export { activation, feedForward, geluTanh, type Activation, type FfnWeights } from './ffn.js';
export { adaptiveClusters, adaptiveEmbedding, adaptiveLogSoftmax, type AdaptivePrefixes, type AdaptiveSettings, type Cluster } from './adaptive.js';
