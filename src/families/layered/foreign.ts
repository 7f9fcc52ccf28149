// Reading other tools' configs of a layered family: archai's (one reader for every layered family, with
// the family's own field rules) and the conversions the Hugging Face readers share.
import { fail, j, requireTrueOrAbsent, TRAINING_ONLY, type Raw } from '../../config/foreign.js';
import type { ImportLog } from '../types.js';
import { layeredFieldNames } from './parse.js';
import { switchOwners } from './switches.js';

/** Per-layer head count at layer i (scalar or list). */
function headAt(nHead: unknown, i: number): number | undefined {
  const h = Array.isArray(nHead) ? nHead[i] : nHead;
  return typeof h === 'number' ? h : undefined;
}

/** d_head must be what lts uses (d_model / n_head, per layer); -1 means exactly that. */
export function checkDHead(raw: Raw, out: Raw, log: ImportLog): void {
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
  log.mapped.push(`d_head ${Array.isArray(dHead) ? '(per layer)' : j(dHead)} -> d_model / n_head`);
}

/** Cutoffs as archai writes them end with the vocabulary (and the lm1b GPT-2 rows carry some beyond it). */
export function cutoffsBelowVocab(out: Raw, log: ImportLog): void {
  const c = out.cutoffs;
  const v = out.vocab_size;
  if (!Array.isArray(c) || typeof v !== 'number') return;
  const kept = c.filter((x) => !(typeof x === 'number' && x >= v));
  if (kept.length !== c.length) {
    log.mapped.push(`cutoffs ${j(c)} -> ${j(kept)} (entries >= vocab_size dropped)`);
    out.cutoffs = kept;
  }
}

/** A family's own reading of one archai field (a check, or a note in the log). */
export type ArchaiFieldRule = (raw: Raw, log: ImportLog) => void;

/** Block settings archai writes on every config: checked by a family whose blocks they describe, else dropped. */
const ARCHAI_BLOCK_FIELDS = new Set(['pre_lnorm', 'attn_type']);

/**
 * An archai / reference-code config of the family `name` -> lts raw fields: n_token is the vocabulary,
 * d_embed -1 is d_model, d_head must be d_model / n_head, cutoffs end with the vocabulary, `adaptive`
 * false is a plain tied embedding. `rules` read the fields whose meaning is the family's.
 */
export function readArchai(name: string, rules: Readonly<Record<string, ArchaiFieldRule>>, raw: Raw, log: ImportLog): Raw {
  const fields = layeredFieldNames();
  const out: Raw = {};
  for (const [k, v] of Object.entries(raw)) {
    if (k === 'family' || k === 'model_type' || k === 'd_head') continue;
    if (k === 'n_token') { out.vocab_size = v; log.mapped.push('n_token -> vocab_size'); continue; }
    if (k === 'd_embed' && v === -1) { out.d_embed = raw.d_model; log.mapped.push('d_embed -1 -> d_model'); continue; }
    if (k === 'tie_weight') { requireTrueOrAbsent(raw, k, 'lts ties the output layer to the embedding'); continue; }
    if (k === 'adaptive') continue;
    const rule = rules[k];
    if (rule) { rule(raw, log); continue; }
    if (ARCHAI_BLOCK_FIELDS.has(k) || TRAINING_ONLY.has(k)) { log.ignored.push(k); continue; }
    if (!fields.has(k)) fail(k, 'has no meaning for an lts architecture (not an lts, archai or Hugging Face field)');
    out[k] = v;
  }
  if (raw.adaptive === false) {
    // archai without adaptive softmax: one plain embedding tied to the output, lts's div_val 0.
    out.div_val = 0;
    out.cutoffs = [];
    log.mapped.push('adaptive false -> div_val 0 (plain tied embedding)');
  }
  // archai writes every family's switches, false, on every config.
  for (const [s, owner] of switchOwners()) if (owner !== name && out[s] === false) delete out[s];
  checkDHead(raw, out, log);
  cutoffsBelowVocab(out, log);
  return out;
}
