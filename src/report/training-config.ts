// Per frontier point, a config a training pipeline can start from: a Hugging Face config.json where the
// architecture is one HF can build (uniform layers), else lts's per-layer description
// (schemas/training-config.schema.json). The `lts` block in every file says which it is.
import type { FrontierPoint, SearchSettings } from '../search/types.js';
import type { ArchConfig } from '../space/types.js';

export type TrainingConfigKind = 'hf-gpt2' | 'hf-transfo-xl' | 'per-layer';
export const TRAINING_CONFIG_SCHEMA = 'schemas/training-config.schema.json';

export interface LtsBlock {
  kind: TrainingConfigKind;
  schema: string;
  id: string;
  key: string;
  family: ArchConfig['family'];
  decoder_params: number;
  total_params: number;
  predicted_ppl?: number;
  /** Why this is not a Hugging Face config (per-layer only). */
  reason?: string;
  note?: string;
}

export type TrainingConfig = Record<string, unknown> & { lts: LtsBlock };

function uniform(xs: readonly number[]): boolean {
  return xs.every((x) => x === xs[0]);
}

/** Why HF's GPT2Config / TransfoXLConfig cannot describe this architecture, or null when it can. */
export function hfMismatch(cfg: ArchConfig): string | null {
  const heads = cfg.n_head.slice(0, cfg.n_layer);
  const inner = cfg.d_inner.slice(0, cfg.n_layer);
  if (cfg.family === 'primer') return 'Hugging Face has no Primer config (squared ReLU, depthwise Q/K/V convs)';
  const why: string[] = [];
  if (!uniform(heads)) why.push('per-layer head counts differ');
  if (!uniform(inner)) why.push('per-layer d_inner differ');
  if (cfg.family === 'gpt2') {
    if (cfg.div_val !== 0) why.push('GPT2Config has no adaptive embedding (div_val must be 0)');
    if (cfg.d_embed !== cfg.d_model) why.push('GPT2Config needs d_embed = d_model');
    if (cfg.d_model % heads[0]! !== 0) why.push('GPT2Config needs n_head to divide d_model');
  }
  return why.length ? why.join('; ') : null;
}

function lts(p: FrontierPoint, kind: TrainingConfigKind, extra: Partial<LtsBlock> = {}): LtsBlock {
  return {
    kind,
    schema: TRAINING_CONFIG_SCHEMA,
    id: p.id,
    key: p.key,
    family: p.family,
    decoder_params: p.decoder_params,
    total_params: p.total_params,
    ...(p.predicted_ppl !== undefined ? { predicted_ppl: p.predicted_ppl } : {}),
    ...extra,
  };
}

function hfGpt2(p: FrontierPoint): TrainingConfig {
  const c = p.config;
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
    layer_norm_epsilon: 1e-5,
    initializer_range: 0.02,
    tie_word_embeddings: true,
    ...eos,
    lts: lts(p, 'hf-gpt2', { note: 'GPT2Config fields; load with transformers.GPT2LMHeadModel(GPT2Config(**cfg)) (the extra "lts" key is carried as an attribute)' }),
  };
}

function hfTransfoXl(p: FrontierPoint, s: SearchSettings): TrainingConfig {
  const c = p.config;
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
    mem_len: s.shapes.mem_len,
    tgt_len: s.shapes.seq,
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
    layer_norm_epsilon: 1e-5,
    eos_token_id: 0,
    lts: lts(p, 'hf-transfo-xl', {
      note: `TransfoXLConfig fields (deprecated in transformers >= 4.35; use an older release or copy the model code)${plain ? '; lts div_val 0 written as div_val 1 with no clusters, which adds one output bias per token' : ''}`,
    }),
  };
}

function perLayer(p: FrontierPoint, s: SearchSettings, reason: string): TrainingConfig {
  const c = p.config;
  const txl = c.family === 'transfo-xl';
  const primer = c.family === 'primer';
  return {
    family: c.family,
    vocab_size: c.vocab_size,
    d_model: c.d_model,
    n_layer: c.n_layer,
    embedding:
      c.div_val === 0
        ? { kind: 'tied', d_embed: c.d_embed }
        : { kind: 'adaptive', d_embed: c.d_embed, div_val: c.div_val, cutoffs: c.cutoffs, tie_weight: true, tie_projs: [false, ...c.cutoffs.map(() => true)] },
    positions: txl ? { kind: 'relative-sinusoidal', mem_len: s.shapes.mem_len } : { kind: 'learned', n_positions: c.n_positions },
    block: {
      norm: txl ? 'post' : 'pre',
      attention: txl ? 'relative' : 'causal',
      ffn_activation: txl ? 'relu' : primer && c.primer_square ? 'relu_squared' : 'gelu_tanh',
      qkv_depthwise_conv: primer && c.primer_conv ? 3 : 0,
      final_layer_norm: !txl,
      layer_norm_epsilon: 1e-5,
      bias: txl ? 'ffn-only' : 'all',
    },
    layers: Array.from({ length: c.n_layer }, (_, i) => ({ n_head: c.n_head[i]!, d_head: Math.floor(c.d_model / c.n_head[i]!), d_inner: c.d_inner[i]! })),
    training: { seq_len: s.shapes.seq, ...(txl ? { mem_len: s.shapes.mem_len } : {}) },
    lts: lts(p, 'per-layer', { reason }),
  };
}

export function trainingConfig(p: FrontierPoint, settings: SearchSettings): TrainingConfig {
  const why = hfMismatch(p.config);
  if (why) return perLayer(p, settings, why);
  return p.family === 'gpt2' ? hfGpt2(p) : hfTransfoXl(p, settings);
}
