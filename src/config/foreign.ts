// The toolkit of the readers of other tools' configs (each family's, under src/families/<name>/): the
// settings every tool writes that are not the architecture's, and the one error form, `config.<field>:`.
import { LtsError } from '../util/errors.js';

export type Raw = Record<string, unknown>;

/** Training or runtime settings: accepted and dropped (listed in the importer's note). */
export const TRAINING_ONLY: ReadonlySet<string> = new Set([
  // archai / reference code
  'tgt_len', 'mem_len', 'ext_len', 'dropout', 'dropatt', 'clamp_len', 'same_length', 'sample_softmax', 'tie_projs',
  'init', 'init_range', 'init_std', 'proj_init_std', 'proj_share_all_but_first', 'use_cache', 'layer_norm_epsilon',
  // Hugging Face
  'attn_pdrop', 'embd_pdrop', 'resid_pdrop', 'initializer_range', 'summary_type', 'summary_use_proj', 'summary_activation',
  'summary_proj_to_labels', 'summary_first_dropout', 'bos_token_id', 'eos_token_id', 'pad_token_id', 'transformers_version',
  'torch_dtype', 'dtype', 'architectures', 'task_specific_params', 'scale_attn_weights', 'scale_attn_by_inverse_layer_idx',
  'reorder_and_upcast_attn', 'output_past', 'gradient_checkpointing', '_name_or_path', 'id2label', 'label2id',
  // the block lts itself writes into exported training configs
  'lts',
]);

export const fail = (field: string, detail: string): never => {
  throw new LtsError(`config.${field}: ${detail}`);
};

export const j = (v: unknown): string => JSON.stringify(v);

export function isObject(v: unknown): v is Raw {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function requireFalse(raw: Raw, field: string, why: string): void {
  if (raw[field] === true) fail(field, `true is not supported: ${why}`);
}

export function requireTrueOrAbsent(raw: Raw, field: string, why: string): void {
  if (field in raw && raw[field] !== true && raw[field] !== null) fail(field, `${j(raw[field])} is not supported: ${why}`);
}
