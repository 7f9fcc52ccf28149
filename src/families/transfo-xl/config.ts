import type { LayeredConfig } from '../layered/config.js';

/** Transformer-XL (Hugging Face TransfoXLLMHeadModel): post-LN, relative attention over a memory, ReLU FFN. */
export interface TransfoXlConfig extends LayeredConfig {
  family: 'transfo-xl';
}
