// Transformer-XL's configs/<id>.json: HF's TransfoXLConfig for uniform layers, else the per-layer form.
import { LN_EPS } from '../../export/blocks/norm.js';
import type { ShapeSettings } from '../../space/types.js';
import { nonUniformLayers, perLayerTrainingConfig, type BlockStyle } from '../layered/training-config.js';
import type { LtsBlockOf, TrainingConfig } from '../types.js';
import type { TransfoXlConfig } from './config.js';

const TXL_STYLE: BlockStyle = {
  positions: 'relative-sinusoidal', norm: 'post', attention: 'relative', ffn_activation: 'relu', qkv_depthwise_conv: 0,
  final_layer_norm: false, bias: 'ffn-only', memory: true,
};

export function transfoXlTrainingConfig(c: TransfoXlConfig, s: ShapeSettings, lts: LtsBlockOf): TrainingConfig {
  const why = nonUniformLayers(c);
  if (why.length) return perLayerTrainingConfig(c, s, lts, why.join('; '), TXL_STYLE);
  const h = c.n_head[0]!;
  const plain = c.div_val === 0;
  return {
    architectures: ['TransfoXLLMHeadModel'],
    model_type: 'transfo-xl',
    vocab_size: c.vocab_size,
    // lts div_val 0 (one tied table) is HF's adaptive embedding with a single cluster.
    cutoffs: plain ? [] : c.cutoffs,
    div_val: plain ? 1 : c.div_val,
    d_model: c.d_model,
    d_embed: c.d_embed,
    n_head: h,
    d_head: Math.floor(c.d_model / h),
    d_inner: c.d_inner[0]!,
    n_layer: c.n_layer,
    pre_lnorm: false,
    mem_len: s.mem_len,
    tgt_len: s.seq,
    clamp_len: 1000,
    same_length: true,
    attn_type: 0,
    adaptive: true,
    sample_softmax: -1,
    proj_share_all_but_first: true,
    untie_r: true,
    tie_word_embeddings: true,
    dropout: 0.1,
    dropatt: 0.0,
    init: 'normal',
    init_range: 0.01,
    proj_init_std: 0.01,
    init_std: 0.02,
    layer_norm_epsilon: LN_EPS, // the graphs' own
    eos_token_id: 0,
    lts: lts('hf-transfo-xl', {
      note: `TransfoXLConfig fields (deprecated in transformers >= 4.35; use an older release or copy the model code)${plain ? '; lts div_val 0 written as div_val 1 with no clusters, which adds one output bias per token' : ''}`,
    }),
  };
}
