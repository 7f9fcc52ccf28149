// Transformer-XL as other tools write it: Hugging Face's TransfoXLConfig (also the one lts writes) and
// the block settings of archai's configs, as lts fields.
import { fail, j, requireFalse, requireTrueOrAbsent, TRAINING_ONLY, type Raw } from '../../config/foreign.js';
import { checkDHead, cutoffsBelowVocab, type ArchaiFieldRule } from '../layered/foreign.js';
import { keyFields } from '../layered/forms.js';
import type { ImportLog } from '../types.js';

const postLn = (raw: Raw): void => requireFalse(raw, 'pre_lnorm', 'lts builds Transformer-XL post-LN');

function relativeAttention(v: unknown): void {
  if (v !== 0) fail('attn_type', `${j(v)} is not supported: lts builds relative attention (attn_type 0)`);
}

/** archai's block settings, which describe Transformer-XL's blocks. */
export const TXL_ARCHAI_RULES: Record<string, ArchaiFieldRule> = {
  pre_lnorm: (raw) => postLn(raw),
  attn_type: (raw, log) => {
    relativeAttention(raw.attn_type);
    log.ignored.push('attn_type');
  },
};

export function readHfTransfoXl(raw: Raw, lts: { key?: string } | undefined, log: ImportLog): Raw {
  const out: Raw = {};
  for (const [k, v] of Object.entries(raw)) {
    switch (k) {
      case 'model_type': case 'd_head':
        continue;
      case 'vocab_size': case 'cutoffs': case 'd_model': case 'd_embed': case 'n_head': case 'd_inner': case 'div_val': case 'n_layer':
        out[k] = v; continue;
      case 'n_token': out.vocab_size = v; log.mapped.push('n_token -> vocab_size'); continue;
      case 'pre_lnorm': postLn(raw); continue;
      case 'attn_type': relativeAttention(v); continue;
      case 'untie_r': requireTrueOrAbsent(raw, k, 'lts gives every layer its own r_w_bias / r_r_bias'); continue;
      case 'adaptive': requireTrueOrAbsent(raw, k, 'lts builds Transformer-XL with adaptive input and softmax'); continue;
      case 'tie_weight': case 'tie_word_embeddings': requireTrueOrAbsent(raw, k, 'lts ties the output layer to the embedding'); continue;
      default:
        if (TRAINING_ONLY.has(k)) { log.ignored.push(k); continue; }
        fail(k, 'has no meaning for an lts Transformer-XL (not a TransfoXLConfig field lts knows)');
    }
  }
  // A file lts wrote: its div_val 0 (one tied table) is HF div_val 1 without clusters, and relative
  // positions write no table size; the key the file carries has both.
  const key = keyFields(lts);
  const cutoffs = Array.isArray(out.cutoffs) ? out.cutoffs : [];
  if (out.div_val === 1 && cutoffs.length === 0 && key.div_val === 0) {
    out.div_val = 0;
    delete out.cutoffs;
  }
  if (key.n_positions !== undefined) out.n_positions = key.n_positions;
  log.mapped.push('TransfoXLConfig -> family transfo-xl');
  checkDHead(raw, out, log);
  cutoffsBelowVocab(out, log);
  return out;
}
