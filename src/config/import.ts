// Configs as other tools write them -> lts's raw config, before lts's own parser (src/space/parse.ts)
// sees them: archai / LTS reference configs (n_token, cutoffs ending with the vocabulary, d_embed -1,
// d_head -1, per-layer lists) and Hugging Face config.json for GPT2Config and TransfoXLConfig.
// Training-only settings are dropped and listed; a field that would change the architecture in a way lts
// does not model, or that no known tool writes, is an error naming it.
import { FAMILIES, type Family } from '../space/types.js';
import { LtsError } from '../util/errors.js';

export type ConfigDialect = 'lts' | 'archai' | 'hf-gpt2' | 'hf-transfo-xl';

export interface ImportedConfig {
  /** lts raw config (ArchConfig fields), for parseConfig. */
  raw: Record<string, unknown>;
  dialect: ConfigDialect;
  /** What was renamed or converted, e.g. `n_token -> vocab_size`. */
  mapped: string[];
  /** Settings of training or of the measurement, not of the architecture. */
  ignored: string[];
}

type Raw = Record<string, unknown>;

/** lts's own fields (and the aliases its parser takes). */
const LTS_FIELDS = new Set([
  'family', 'n_layer', 'd_model', 'd_inner', 'n_head', 'div_val', 'd_embed', 'vocab_size', 'cutoffs', 'n_positions',
  'primer_square', 'primer_conv', 'n_embd', 'n_inner', 'n_token', 'n_ctx',
]);

/** Training or runtime settings: accepted and dropped. */
const TRAINING_ONLY = new Set([
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

/** Fields only other tools write: their presence marks an archai / reference-code config. */
const ARCHAI_MARKERS = ['n_token', 'd_head', 'tgt_len', 'mem_len', 'ext_len', 'tie_weight', 'tie_projs', 'adaptive', 'pre_lnorm', 'attn_type', 'same_length', 'clamp_len', 'model_type'];

const ARCHAI_MODEL_TYPES: Record<string, Family> = { mem_transformer: 'transfo-xl', hf_transfo_xl: 'transfo-xl', hf_gpt2: 'gpt2', hf_gpt2_flex: 'gpt2' };

const fail = (field: string, detail: string): never => {
  throw new LtsError(`config.${field}: ${detail}`);
};

const j = (v: unknown): string => JSON.stringify(v);

function isObject(v: unknown): v is Raw {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function dialectOf(raw: Raw): ConfigDialect {
  // A configs/<id>.json that lts wrote (it carries its `lts` block): the family reads its own forms back.
  if (isObject(raw.lts) && typeof raw.lts.kind === 'string') return 'lts';
  const mt = raw.model_type;
  const arch = Array.isArray(raw.architectures) ? raw.architectures.map(String) : [];
  if (mt === 'gpt2' || arch.some((a) => a.startsWith('GPT2')) || 'n_embd' in raw && !('d_model' in raw)) return 'hf-gpt2';
  if (mt === 'transfo-xl' || arch.some((a) => a.startsWith('TransfoXL'))) return 'hf-transfo-xl';
  if (ARCHAI_MARKERS.some((k) => k in raw)) return 'archai';
  return 'lts';
}

/** Per-layer head count at layer i (scalar or list). */
function headAt(nHead: unknown, i: number): number | undefined {
  const h = Array.isArray(nHead) ? nHead[i] : nHead;
  return typeof h === 'number' ? h : undefined;
}

/** d_head must be what lts uses (d_model / n_head, per layer); -1 means exactly that. */
function checkDHead(raw: Raw, out: Raw, mapped: string[]): void {
  const dHead = raw.d_head;
  if (dHead === undefined || dHead === null) return;
  const nLayer = typeof raw.n_layer === 'number' ? raw.n_layer : 0;
  const dModel = out.d_model;
  const list = Array.isArray(dHead) ? dHead : new Array<unknown>(nLayer).fill(dHead);
  for (let i = 0; i < Math.min(nLayer, list.length); i++) {
    const d = list[i];
    if (d === -1) continue;
    const h = headAt(out.n_head, i);
    if (typeof d !== 'number' || typeof dModel !== 'number' || h === undefined || d !== Math.floor(dModel / h)) {
      fail(Array.isArray(dHead) ? `d_head[${i}]` : 'd_head', `${j(d)} is not d_model / n_head (${typeof dModel === 'number' && h ? Math.floor(dModel / h) : '?'}): lts splits d_model across the heads`);
    }
  }
  mapped.push(`d_head ${Array.isArray(dHead) ? '(per layer)' : j(dHead)} -> d_model / n_head`);
}

/** Cutoffs as archai writes them end with the vocabulary (and the lm1b GPT-2 rows carry some beyond it). */
function cutoffsBelowVocab(out: Raw, mapped: string[]): void {
  const c = out.cutoffs;
  const v = out.vocab_size;
  if (!Array.isArray(c) || typeof v !== 'number') return;
  const kept = c.filter((x) => !(typeof x === 'number' && x >= v));
  if (kept.length !== c.length) {
    mapped.push(`cutoffs ${j(c)} -> ${j(kept)} (entries >= vocab_size dropped)`);
    out.cutoffs = kept;
  }
}

function requireFalse(raw: Raw, field: string, why: string): void {
  if (raw[field] === true) fail(field, `true is not supported: ${why}`);
}

function requireTrueOrAbsent(raw: Raw, field: string, why: string): void {
  if (field in raw && raw[field] !== true && raw[field] !== null) fail(field, `${j(raw[field])} is not supported: ${why}`);
}

function fromArchai(raw: Raw, family: Family | undefined, mapped: string[], ignored: string[]): Raw {
  const out: Raw = {};
  let fam = family ?? (typeof raw.family === 'string' ? (raw.family as Family) : undefined);
  if (fam === undefined && typeof raw.model_type === 'string') {
    fam = ARCHAI_MODEL_TYPES[raw.model_type];
    if (!fam) fail('model_type', `${j(raw.model_type)} is not an archai model type lts knows (${Object.keys(ARCHAI_MODEL_TYPES).join(', ')})`);
    mapped.push(`model_type ${raw.model_type} -> family ${fam}`);
  }
  if (fam === undefined) fail('family', 'missing: this archai config does not say its family (GPT-2 and Transformer-XL configs share their fields); add "family": "transfo-xl" | "gpt2" | "primer", or archai\'s "model_type": "mem_transformer" | "hf_gpt2_flex"');
  if (!FAMILIES.includes(fam!)) fail('family', `${j(fam)} is not one of ${FAMILIES.join(', ')}`);
  for (const [k, v] of Object.entries(raw)) {
    if (k === 'family' || k === 'model_type' || k === 'd_head') continue;
    if (k === 'n_token') { out.vocab_size = v; mapped.push('n_token -> vocab_size'); continue; }
    if (k === 'd_embed' && v === -1) { out.d_embed = raw.d_model; mapped.push('d_embed -1 -> d_model'); continue; }
    if (k === 'tie_weight') { requireTrueOrAbsent(raw, k, 'lts ties the output layer to the embedding'); continue; }
    if (k === 'adaptive') continue;
    if (k === 'pre_lnorm') { if (fam === 'transfo-xl') requireFalse(raw, k, 'lts builds Transformer-XL post-LN'); else ignored.push(k); continue; }
    if (k === 'attn_type') { if (fam === 'transfo-xl' && v !== 0) fail(k, `${j(v)} is not supported: lts builds relative attention (attn_type 0)`); ignored.push(k); continue; }
    if (TRAINING_ONLY.has(k)) { ignored.push(k); continue; }
    if (!LTS_FIELDS.has(k)) fail(k, 'has no meaning for an lts architecture (not an lts, archai or Hugging Face field)');
    out[k] = v;
  }
  if (raw.adaptive === false) {
    // archai without adaptive softmax: one plain embedding tied to the output, lts's div_val 0.
    out.div_val = 0;
    out.cutoffs = [];
    mapped.push('adaptive false -> div_val 0 (plain tied embedding)');
  }
  if ((fam === 'gpt2') && (raw.primer_square === true || raw.primer_conv === true)) {
    fam = 'primer';
    mapped.push('primer_square/primer_conv on a GPT-2 -> family primer');
  }
  if (fam !== 'primer') {
    // archai writes both switches, false, on every config.
    for (const k of ['primer_square', 'primer_conv']) if (out[k] === false) delete out[k];
  }
  out.family = fam;
  checkDHead(raw, out, mapped);
  cutoffsBelowVocab(out, mapped);
  return out;
}

const GELU_TANH = new Set(['gelu_new', 'gelu_pytorch_tanh', 'gelu_fast', 'gelu']);

function fromHfGpt2(raw: Raw, mapped: string[], ignored: string[]): Raw {
  const out: Raw = { family: 'gpt2', div_val: 0, cutoffs: [] };
  for (const [k, v] of Object.entries(raw)) {
    switch (k) {
      case 'model_type':
        continue;
      case 'n_embd': out.d_model = v; mapped.push('n_embd -> d_model'); continue;
      case 'n_inner':
        if (v === null || v === undefined) {
          if (typeof raw.n_embd === 'number') out.d_inner = 4 * raw.n_embd;
          mapped.push('n_inner null -> d_inner 4 x n_embd');
          continue;
        }
        out.d_inner = v; mapped.push('n_inner -> d_inner'); continue;
      case 'n_head': case 'n_layer': case 'vocab_size': case 'n_positions':
        out[k] = v; continue;
      case 'n_ctx':
        if (raw.n_positions !== undefined && v !== raw.n_positions) fail(k, `${j(v)} differs from n_positions ${j(raw.n_positions)}`);
        if (raw.n_positions === undefined) { out.n_positions = v; mapped.push('n_ctx -> n_positions'); }
        continue;
      case 'activation_function':
        if (!GELU_TANH.has(String(v))) fail(k, `${j(v)} is not supported: lts's GPT-2 uses GELU (tanh)`);
        ignored.push(k); continue;
      case 'tie_word_embeddings':
        requireTrueOrAbsent(raw, k, 'lts ties the output layer to the embedding'); continue;
      case 'add_cross_attention':
        requireFalse(raw, k, 'lts builds decoder-only models'); continue;
      default:
        if (TRAINING_ONLY.has(k)) { ignored.push(k); continue; }
        fail(k, 'has no meaning for an lts GPT-2 (not a GPT2Config field lts knows)');
    }
  }
  if (out.d_model === undefined && raw.d_model !== undefined) out.d_model = raw.d_model;
  mapped.push('GPT2Config -> family gpt2, div_val 0 (plain tied embedding)');
  return out;
}

function fromHfTransfoXl(raw: Raw, mapped: string[], ignored: string[]): Raw {
  const out: Raw = { family: 'transfo-xl' };
  for (const [k, v] of Object.entries(raw)) {
    switch (k) {
      case 'model_type': case 'd_head':
        continue;
      case 'vocab_size': case 'cutoffs': case 'd_model': case 'd_embed': case 'n_head': case 'd_inner': case 'div_val': case 'n_layer':
        out[k] = v; continue;
      case 'n_token': out.vocab_size = v; mapped.push('n_token -> vocab_size'); continue;
      case 'pre_lnorm': requireFalse(raw, k, 'lts builds Transformer-XL post-LN'); continue;
      case 'attn_type': if (v !== 0) fail(k, `${j(v)} is not supported: lts builds relative attention (attn_type 0)`); continue;
      case 'untie_r': requireTrueOrAbsent(raw, k, 'lts gives every layer its own r_w_bias / r_r_bias'); continue;
      case 'adaptive': requireTrueOrAbsent(raw, k, 'lts builds Transformer-XL with adaptive input and softmax'); continue;
      case 'tie_weight': case 'tie_word_embeddings': requireTrueOrAbsent(raw, k, 'lts ties the output layer to the embedding'); continue;
      default:
        if (TRAINING_ONLY.has(k)) { ignored.push(k); continue; }
        fail(k, 'has no meaning for an lts Transformer-XL (not a TransfoXLConfig field lts knows)');
    }
  }
  mapped.push('TransfoXLConfig -> family transfo-xl');
  checkDHead(raw, out, mapped);
  cutoffsBelowVocab(out, mapped);
  return out;
}

/**
 * A parsed JSON config in any of the dialects -> lts's raw config. `family` (e.g. from a table row)
 * names the family where an archai config does not. lts configs pass through unchanged. A record that
 * holds the config under `config` (a pareto.json point, a table row) is unwrapped.
 */
export function importConfig(json: unknown, opts: { family?: Family } = {}): ImportedConfig {
  if (!isObject(json)) return { raw: json as Raw, dialect: 'lts', mapped: [], ignored: [] };
  let raw = json;
  if (!('n_layer' in raw) && isObject(raw.config)) raw = raw.config;
  const dialect = dialectOf(raw);
  const mapped: string[] = [];
  const ignored: string[] = [];
  if (dialect === 'lts') return { raw, dialect, mapped, ignored };
  const out = dialect === 'archai' ? fromArchai(raw, opts.family, mapped, ignored) : dialect === 'hf-gpt2' ? fromHfGpt2(raw, mapped, ignored) : fromHfTransfoXl(raw, mapped, ignored);
  if (opts.family && out.family !== opts.family && !(opts.family === 'primer' && out.family === 'gpt2')) {
    fail('family', `the config is a ${String(out.family)} config (${dialect}) but its row says ${opts.family}`);
  }
  return { raw: out, dialect, mapped, ignored };
}

/** The one-line note printed when a foreign config was converted, or null for an lts config. */
export function importNote(imp: Pick<ImportedConfig, 'dialect' | 'mapped' | 'ignored'>, where: string): string | null {
  if (imp.dialect === 'lts') return null;
  const ignored = [...new Set(imp.ignored)];
  const shown = ignored.length > 8 ? [...ignored.slice(0, 8), `and ${ignored.length - 8} more`] : ignored;
  const mem = ignored.includes('mem_len') ? ' (mem_len is a measurement shape here: --mem-len)' : '';
  const ign = ignored.length ? `; ignored as training/measurement settings: ${shown.join(', ')}${mem}` : '';
  return `${where}: read as ${imp.dialect} config: ${[...new Set(imp.mapped)].join('; ')}${ign}`;
}
