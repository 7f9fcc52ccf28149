// A layered family's config from JSON fields, with the family's defaults filled, or one LtsError naming
// the field (every missing required field at once).
import { LtsError } from '../../util/errors.js';
import type { LayeredConfig } from './config.js';
import { DEFAULT_N_POSITIONS, WT103_CUTOFFS, clipCutoffs } from './defaults.js';
import { switchOwners } from './switches.js';

const BASE_FIELDS = ['family', 'n_layer', 'd_model', 'd_inner', 'n_head', 'div_val', 'd_embed', 'vocab_size', 'cutoffs', 'n_positions'] as const;
/** Other spellings met in HF / archai configs. */
const ALIASES: Record<string, string> = { n_embd: 'd_model', n_inner: 'd_inner', n_token: 'vocab_size', n_ctx: 'n_positions' };
/** What a config file must give; everything else has a default. */
/** Every field name parseLayered takes: lts's own, the aliases, and every layered family's switches. */
export function layeredFieldNames(): Set<string> {
  return new Set([...BASE_FIELDS, ...Object.keys(ALIASES), ...switchOwners().keys()]);
}

export const REQUIRED_FIELDS = ['n_layer', 'd_model', 'n_head'] as const;

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

export interface LayeredDefaults<S extends string> {
  family: string;
  vocabSize: number;
  divVal: number;
  switches: readonly S[];
}

/**
 * Accepts the config fields with the aliases n_embd, n_inner, n_token, n_ctx. Defaults: d_inner 4 x
 * d_model; div_val the family's; d_embed d_model (-1 too, as archai writes it); the family's vocabulary;
 * the wt103 cutoffs clipped below vocab_size; n_positions 1024; switches false. Structural rules are
 * the caller's (findViolation) to check.
 */
export function parseLayered<S extends string>(raw: Record<string, unknown>, def: LayeredDefaults<S>): LayeredConfig & { family: string } {
  const fields = [...BASE_FIELDS, ...switchOwners().keys()];
  const r: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(raw)) {
    const name = ALIASES[k] ?? k;
    if (!fields.includes(name)) fail(k, `unknown field (known: ${fields.join(', ')})`);
    if (name in r) fail(k, `given twice (as ${name} and an alias)`);
    r[name] = v;
  }
  const missing = REQUIRED_FIELDS.filter((f) => r[f] === undefined);
  if (missing.length > 0) throw new LtsError(missing.map((f) => `config.${f}: missing`).join('; '));
  const family = def.family;
  const n_layer = int('n_layer', r.n_layer, 1);
  const d_model = int('d_model', r.d_model, 1);
  const d_inner = perLayer('d_inner', r.d_inner ?? 4 * d_model, n_layer);
  const n_head = perLayer('n_head', r.n_head, n_layer);
  const div_val = int('div_val', r.div_val ?? def.divVal, 0);
  const d_embed = r.d_embed === undefined || r.d_embed === -1 ? d_model : int('d_embed', r.d_embed, 1);
  const vocab_size = int('vocab_size', r.vocab_size ?? def.vocabSize, 1);
  let cutoffs: number[];
  if (r.cutoffs === undefined) cutoffs = div_val === 0 ? [] : clipCutoffs(clipCutoffs(WT103_CUTOFFS, def.vocabSize), vocab_size);
  else if (!Array.isArray(r.cutoffs)) cutoffs = fail('cutoffs', `${JSON.stringify(r.cutoffs)} is not a list`);
  else cutoffs = r.cutoffs.map((c, i) => int(`cutoffs[${i}]`, c, 1));
  const n_positions = int('n_positions', r.n_positions ?? DEFAULT_N_POSITIONS, 0);

  const cfg: LayeredConfig & { family: string } = { family, n_layer, d_model, d_inner, n_head, div_val, d_embed, vocab_size, cutoffs, n_positions };
  for (const [f, owner] of switchOwners()) {
    const v = r[f];
    if (v === undefined) continue;
    if (typeof v !== 'boolean') fail(f, `${JSON.stringify(v)} is not a boolean`);
    if (owner !== family && v) fail(f, `only family ${owner} takes ${f} (family is ${family})`);
  }
  for (const s of def.switches) (cfg as unknown as Record<S, boolean>)[s] = r[s] === true;
  return cfg;
}

// ---- trained-model table rows (mode 'table') -------------------------------------------------------

const bad = (msg: string): never => {
  throw new LtsError(msg);
};

/** A number, or a string holding one (CSV). */
function num(field: string, v: unknown): number {
  const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isFinite(n)) bad(`${field} must be a number, got ${JSON.stringify(v)}`);
  return n as number;
}

function tableInt(field: string, v: unknown): number {
  const n = num(field, v);
  if (!Number.isInteger(n)) bad(`${field} must be an integer, got ${JSON.stringify(v)}`);
  return n;
}

const absent = (v: unknown): boolean => v === undefined || v === null || v === '';

/** A per-layer list: a JSON array, a ';' or space separated string (CSV), or one number meaning every layer. */
function layerList(field: string, v: unknown, nLayer: number): number[] {
  let items: unknown[];
  if (Array.isArray(v)) items = v;
  else if (typeof v === 'string' && v.trim().startsWith('[')) {
    try {
      items = JSON.parse(v) as unknown[];
    } catch {
      return bad(`${field} is not a valid list: ${v}`);
    }
  } else if (typeof v === 'string' && /[;\s]/.test(v.trim())) items = v.trim().split(/[;\s]+/);
  else if (absent(v)) return bad(`${field} is missing`);
  else items = new Array<unknown>(nLayer).fill(v);
  const out = items.map((x, i) => tableInt(`${field}[${i}]`, x));
  if (out.length < nLayer) bad(`${field} has ${out.length} entries for n_layer ${nLayer}`);
  return out;
}

export interface LayeredTableDefaults<S extends string> {
  family: string;
  vocabSize: number;
  divVal: number;
  switches: readonly { name: S; tableDefault: boolean }[];
}

/**
 * A trained model's row as the reference code's tables write it: n_token is the vocabulary, cutoffs may
 * end with n_token (or beyond it, as in the lm1b GPT-2 rows) and are clipped to those below it, d_embed
 * -1 means d_model, values may be CSV strings. Only the active n_layer entries are kept; only what the
 * parameter count needs is checked. Errors are one LtsError without a location (the caller adds it).
 */
export function parseLayeredRow<S extends string>(raw: Record<string, unknown>, def: LayeredTableDefaults<S>): LayeredConfig & { family: string } {
  const nLayer = tableInt('n_layer', raw.n_layer);
  if (nLayer < 1) bad(`n_layer must be >= 1, got ${nLayer}`);
  const dModel = tableInt('d_model', raw.d_model);
  if (dModel < 1) bad(`d_model must be >= 1, got ${dModel}`);
  const vocab = raw.vocab_size ?? raw.n_token;
  const vocabSize = vocab === undefined || vocab === '' ? def.vocabSize : tableInt('vocab_size', vocab);
  const dEmbedRaw = raw.d_embed === undefined || raw.d_embed === '' ? -1 : tableInt('d_embed', raw.d_embed);
  const cutoffsRaw = raw.cutoffs === undefined || raw.cutoffs === '' ? [] : layerList('cutoffs', raw.cutoffs, 0);
  const cfg: LayeredConfig & { family: string } = {
    family: def.family,
    n_layer: nLayer,
    d_model: dModel,
    d_inner: layerList('d_inner', raw.d_inner, nLayer).slice(0, nLayer),
    n_head: layerList('n_head', raw.n_head, nLayer).slice(0, nLayer),
    div_val: raw.div_val === undefined || raw.div_val === '' ? def.divVal : tableInt('div_val', raw.div_val),
    d_embed: dEmbedRaw === -1 ? dModel : dEmbedRaw,
    vocab_size: vocabSize,
    cutoffs: cutoffsRaw.filter((c) => c < vocabSize),
    n_positions: raw.n_positions === undefined || raw.n_positions === '' ? DEFAULT_N_POSITIONS : tableInt('n_positions', raw.n_positions),
  };
  for (const [i, h] of cfg.n_head.entries()) if (h < 1 || h > dModel) bad(`n_head[${i}] = ${h} does not fit d_model ${dModel}`);
  for (const [i, f] of cfg.d_inner.entries()) if (f < 1) bad(`d_inner[${i}] must be >= 1, got ${f}`);
  for (const s of def.switches) {
    const v = raw[s.name];
    (cfg as unknown as Record<string, boolean>)[s.name] = v === undefined ? s.tableDefault : v === true || v === 'true';
  }
  return cfg;
}
