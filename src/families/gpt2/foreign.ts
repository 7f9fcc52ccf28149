// Hugging Face's GPT2Config (config.json of GPT2LMHeadModel, also the one lts writes) as lts fields.
import { fail, j, requireFalse, requireTrueOrAbsent, TRAINING_ONLY, type Raw } from '../../config/foreign.js';
import type { ImportLog } from '../types.js';

const GELU_TANH = new Set(['gelu_new', 'gelu_pytorch_tanh', 'gelu_fast', 'gelu']);

/** Uniform layers and a plain tied embedding (div_val 0); n_inner null means 4 x n_embd. */
export function readHfGpt2(raw: Raw, _lts: unknown, log: ImportLog): Raw {
  const out: Raw = { div_val: 0, cutoffs: [] };
  for (const [k, v] of Object.entries(raw)) {
    switch (k) {
      case 'model_type':
        continue;
      case 'n_embd': out.d_model = v; log.mapped.push('n_embd -> d_model'); continue;
      case 'n_inner':
        if (v === null || v === undefined) {
          if (typeof raw.n_embd === 'number') out.d_inner = 4 * raw.n_embd;
          log.mapped.push('n_inner null -> d_inner 4 x n_embd');
          continue;
        }
        out.d_inner = v; log.mapped.push('n_inner -> d_inner'); continue;
      case 'n_head': case 'n_layer': case 'vocab_size': case 'n_positions':
        out[k] = v; continue;
      case 'n_ctx':
        if (raw.n_positions !== undefined && v !== raw.n_positions) fail(k, `${j(v)} differs from n_positions ${j(raw.n_positions)}`);
        if (raw.n_positions === undefined) { out.n_positions = v; log.mapped.push('n_ctx -> n_positions'); }
        continue;
      case 'activation_function':
        if (!GELU_TANH.has(String(v))) fail(k, `${j(v)} is not supported: lts's GPT-2 uses GELU (tanh)`);
        log.ignored.push(k); continue;
      case 'tie_word_embeddings':
        requireTrueOrAbsent(raw, k, 'lts ties the output layer to the embedding'); continue;
      case 'add_cross_attention':
        requireFalse(raw, k, 'lts builds decoder-only models'); continue;
      default:
        if (TRAINING_ONLY.has(k)) { log.ignored.push(k); continue; }
        fail(k, 'has no meaning for an lts GPT-2 (not a GPT2Config field lts knows)');
    }
  }
  if (out.d_model === undefined && raw.d_model !== undefined) out.d_model = raw.d_model;
  log.mapped.push('GPT2Config -> family gpt2, div_val 0 (plain tied embedding)');
  return out;
}
