// A user's JSON config file -> ArchConfig with the family's defaults filled, or one LtsError naming the field.
import { LtsError } from '../util/errors.js';
import { DEFAULT_N_POSITIONS, clipCutoffs, defaultDivVal, familyVocab } from './defaults.js';
import { FAMILIES, type ArchConfig, type Family } from './types.js';
import { findViolation } from './validate.js';

const FIELDS = [
  'family', 'n_layer', 'd_model', 'd_inner', 'n_head', 'div_val', 'd_embed', 'vocab_size', 'cutoffs', 'n_positions',
  'primer_square', 'primer_conv',
] as const;
/** Other spellings met in HF / archai configs. */
const ALIASES: Record<string, (typeof FIELDS)[number]> = { n_embd: 'd_model', n_inner: 'd_inner', n_token: 'vocab_size', n_ctx: 'n_positions' };

const fail = (field: string, detail: string): never => {
  throw new LtsError(`config.${field}: ${detail}`);
};

function int(field: string, v: unknown, min: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) fail(field, `${JSON.stringify(v)} is not an integer >= ${min}`);
  return v as number;
}

/** A number applies to every layer; a list must cover n_layer (longer lists keep their extra slots). */
function perLayer(field: string, v: unknown, n: number): number[] {
  if (typeof v === 'number') return Array.from({ length: n }, () => int(field, v, 1));
  if (!Array.isArray(v)) return fail(field, `${JSON.stringify(v)} is neither a number nor a list`);
  if (v.length < n) fail(field, `has ${v.length} entries, needs at least n_layer ${n}`);
  return v.map((x, i) => int(`${field}[${i}]`, x, 1));
}

/**
 * Accepts the ArchConfig fields (or a record holding one under `config`, like a pareto.json point), with
 * the aliases n_embd, n_inner, n_token, n_ctx. Defaults: family gpt2; d_inner 4 x d_model; div_val 0
 * (gpt2, primer) or 4 (transfo-xl); d_embed d_model (-1 too, as archai writes it); the family's
 * vocabulary; its cutoffs clipped below vocab_size; n_positions 1024; Primer switches false.
 */
export function parseConfig(json: unknown): ArchConfig {
  if (json === null || typeof json !== 'object' || Array.isArray(json)) throw new LtsError('config: expected a JSON object');
  let raw = json as Record<string, unknown>;
  if (!('n_layer' in raw) && raw.config !== null && typeof raw.config === 'object' && !Array.isArray(raw.config)) {
    raw = raw.config as Record<string, unknown>;
  }
  const r: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(raw)) {
    const name = ALIASES[k] ?? k;
    if (!(FIELDS as readonly string[]).includes(name)) fail(k, `unknown field (known: ${FIELDS.join(', ')})`);
    if (name in r) fail(k, `given twice (as ${name} and an alias)`);
    r[name] = v;
  }

  const family = (r.family ?? 'gpt2') as Family;
  if (!FAMILIES.includes(family)) fail('family', `${JSON.stringify(r.family)} is not one of ${FAMILIES.join(', ')}`);
  if (r.n_layer === undefined) fail('n_layer', 'missing');
  if (r.d_model === undefined) fail('d_model', 'missing');
  if (r.n_head === undefined) fail('n_head', 'missing');
  const n_layer = int('n_layer', r.n_layer, 1);
  const d_model = int('d_model', r.d_model, 1);
  const d_inner = perLayer('d_inner', r.d_inner ?? 4 * d_model, n_layer);
  const n_head = perLayer('n_head', r.n_head, n_layer);
  const div_val = int('div_val', r.div_val ?? defaultDivVal(family), 0);
  const d_embed = r.d_embed === undefined || r.d_embed === -1 ? d_model : int('d_embed', r.d_embed, 1);
  const fam = familyVocab(family);
  const vocab_size = int('vocab_size', r.vocab_size ?? fam.vocab_size, 1);
  let cutoffs: number[];
  if (r.cutoffs === undefined) cutoffs = div_val === 0 ? [] : clipCutoffs(fam.cutoffs, vocab_size);
  else if (!Array.isArray(r.cutoffs)) cutoffs = fail('cutoffs', `${JSON.stringify(r.cutoffs)} is not a list`);
  else cutoffs = r.cutoffs.map((c, i) => int(`cutoffs[${i}]`, c, 1));
  const n_positions = int('n_positions', r.n_positions ?? DEFAULT_N_POSITIONS, 0);

  const cfg: ArchConfig = { family, n_layer, d_model, d_inner, n_head, div_val, d_embed, vocab_size, cutoffs, n_positions };
  for (const f of ['primer_square', 'primer_conv'] as const) {
    const v = r[f];
    if (v === undefined) continue;
    if (typeof v !== 'boolean') fail(f, `${JSON.stringify(v)} is not a boolean`);
    if (family !== 'primer' && v) fail(f, `only family primer takes ${f} (family is ${family})`);
  }
  if (family === 'primer') {
    cfg.primer_square = r.primer_square === true;
    cfg.primer_conv = r.primer_conv === true;
  }
  const v = findViolation(cfg);
  if (v) fail(v.field, `${v.detail} (rule ${v.rule})`);
  return cfg;
}
