import type { LayeredConfig } from '../layered/config.js';

/** GPT-2 (Hugging Face GPT2LMHeadModel): pre-LN, learned positions, gelu_tanh FFN. */
export interface Gpt2Config extends LayeredConfig {
  family: 'gpt2';
}
