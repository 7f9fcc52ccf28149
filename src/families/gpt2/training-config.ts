// GPT-2's configs/<id>.json: HF's GPT2Config where it can describe the model, else the per-layer form.
import { LN_EPS } from '../../export/blocks/norm.js';
import type { ShapeSettings } from '../../space/types.js';
import { nonUniformLayers, perLayerTrainingConfig, type BlockStyle } from '../layered/training-config.js';
import type { LtsBlockOf, TrainingConfig } from '../types.js';
import type { Gpt2Config } from './config.js';

export const GPT2_STYLE: BlockStyle = {
  positions: 'learned', norm: 'pre', attention: 'causal', ffn_activation: 'gelu_tanh', qkv_depthwise_conv: 0,
  final_layer_norm: true, bias: 'all', memory: false,
};

/** Why HF's GPT2Config cannot describe this architecture, or null when it can. */
export function gpt2Mismatch(cfg: Gpt2Config): string | null {
  const why = nonUniformLayers(cfg);
  if (cfg.div_val !== 0) why.push('GPT2Config has no adaptive embedding (div_val must be 0)');
  if (cfg.d_embed !== cfg.d_model) why.push('GPT2Config needs d_embed = d_model');
  if (cfg.d_model % cfg.n_head[0]! !== 0) why.push('GPT2Config needs n_head to divide d_model');
  return why.length ? why.join('; ') : null;
}

export function gpt2TrainingConfig(c: Gpt2Config, s: ShapeSettings, lts: LtsBlockOf): TrainingConfig {
  const why = gpt2Mismatch(c);
  if (why) return perLayerTrainingConfig(c, s, lts, why, GPT2_STYLE);
  const eos = c.vocab_size === 50257 ? { bos_token_id: 50256, eos_token_id: 50256 } : {};
  return {
    architectures: ['GPT2LMHeadModel'],
    model_type: 'gpt2',
    vocab_size: c.vocab_size,
    n_positions: c.n_positions,
    n_ctx: c.n_positions,
    n_embd: c.d_model,
    n_layer: c.n_layer,
    n_head: c.n_head[0]!,
    n_inner: c.d_inner[0]!,
    activation_function: 'gelu_new',
    resid_pdrop: 0.1,
    embd_pdrop: 0.1,
    attn_pdrop: 0.1,
    layer_norm_epsilon: LN_EPS, // the graphs' own
    initializer_range: 0.02,
    tie_word_embeddings: true,
    ...eos,
    lts: lts('hf-gpt2', { note: 'GPT2Config fields; load with transformers.GPT2LMHeadModel(GPT2Config(**cfg)) (the extra "lts" key is carried as an attribute)' }),
  };
}
