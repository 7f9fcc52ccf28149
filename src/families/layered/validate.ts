// Validity rules of the per-layer families. Each failure names its rule so a rejected candidate says why.
import type { ParamBounds, Violation } from '../types.js';
import type { LayeredConfig } from './config.js';
import { D_INNER_RATIO } from './defaults.js';
import { switchOwners } from './switches.js';

const isPosInt = (x: unknown): x is number => typeof x === 'number' && Number.isInteger(x) && x >= 1;

/** Checks of the adaptive-embedding settings (cutoffs, cluster widths): the one place they are checked. */
export function embeddingViolation(cfg: Pick<LayeredConfig, 'd_model' | 'd_embed' | 'div_val' | 'cutoffs' | 'vocab_size'>): Violation | null {
  if (!(Number.isInteger(cfg.div_val) && cfg.div_val >= 0)) {
    return { rule: 'div_val', field: 'div_val', detail: `${cfg.div_val} is not an integer >= 0` };
  }
  if (!Array.isArray(cfg.cutoffs)) return { rule: 'cutoffs', field: 'cutoffs', detail: 'is not a list' };
  for (let k = 0; k < cfg.cutoffs.length; k++) {
    const c = cfg.cutoffs[k];
    const prev = k === 0 ? 0 : cfg.cutoffs[k - 1]!;
    if (!isPosInt(c) || c <= prev) return { rule: 'cutoffs', field: `cutoffs[${k}]`, detail: `${c} is not an integer > ${prev} (cutoffs must be strictly increasing and positive)` };
    if (c >= cfg.vocab_size) return { rule: 'cutoffs', field: `cutoffs[${k}]`, detail: `${c} is not < vocab_size ${cfg.vocab_size}` };
  }
  if (cfg.div_val === 0) {
    if (cfg.d_embed !== cfg.d_model) return { rule: 'embed-width', field: 'd_embed', detail: `${cfg.d_embed} must equal d_model ${cfg.d_model} with a plain tied embedding (div_val 0)` };
  } else {
    const k = cfg.cutoffs.length;
    const w = Math.floor(cfg.d_embed / cfg.div_val ** k);
    if (w < 1) return { rule: 'embed-width', field: 'd_embed', detail: `${cfg.d_embed} / div_val ${cfg.div_val}^${k} leaves the last adaptive cluster with width 0` };
  }
  return null;
}

/**
 * First violated rule of a layered config of `family` (whose switches are `own`), or null. Bounds on
 * `proxy(cfg)` are checked only when given, and only once the structure is valid.
 */
export function layeredViolation(
  cfg: LayeredConfig & { family: string },
  own: readonly string[],
  proxy: () => number,
  bounds?: ParamBounds,
  dInnerRatio = D_INNER_RATIO,
): Violation | null {
  if (!isPosInt(cfg.n_layer)) return { rule: 'n_layer', field: 'n_layer', detail: `${cfg.n_layer} is not an integer >= 1` };
  for (const f of ['d_model', 'vocab_size', 'd_embed'] as const) {
    if (!isPosInt(cfg[f])) return { rule: 'positive-int', field: f, detail: `${cfg[f]} is not an integer >= 1` };
  }
  if (!(Number.isInteger(cfg.n_positions) && cfg.n_positions >= 0)) {
    return { rule: 'positive-int', field: 'n_positions', detail: `${cfg.n_positions} is not a non-negative integer` };
  }
  for (const f of ['d_inner', 'n_head'] as const) {
    if (!Array.isArray(cfg[f]) || cfg[f].length < cfg.n_layer) {
      const len = Array.isArray(cfg[f]) ? cfg[f].length : 'not a list';
      return { rule: 'list-length', field: f, detail: `has ${len} entries, needs at least n_layer ${cfg.n_layer}` };
    }
  }
  const d = cfg.d_model;
  for (let i = 0; i < cfg.n_layer; i++) {
    const h = cfg.n_head[i];
    if (!isPosInt(h)) return { rule: 'positive-int', field: `n_head[${i}]`, detail: `${h} is not an integer >= 1` };
    if (d % h !== 0) return { rule: 'heads-divide-d_model', field: `n_head[${i}]`, detail: `${h} does not divide d_model ${d}` };
  }
  for (let i = 0; i < cfg.n_layer; i++) {
    const f = cfg.d_inner[i];
    if (!isPosInt(f)) return { rule: 'positive-int', field: `d_inner[${i}]`, detail: `${f} is not an integer >= 1` };
    if (!(f > dInnerRatio * d)) {
      return { rule: 'd_inner-ratio', field: `d_inner[${i}]`, detail: `${f} is not > ${dInnerRatio} x d_model ${d} (${+(dInnerRatio * d).toFixed(4)})` };
    }
  }
  const emb = embeddingViolation(cfg);
  if (emb) return emb;
  const fields = cfg as unknown as Record<string, unknown>;
  for (const [name, owner] of switchOwners()) {
    const v = fields[name];
    if (own.includes(name)) {
      if (v !== undefined && typeof v !== 'boolean') return { rule: `${owner}-only`, field: name, detail: `${JSON.stringify(v)} is not a boolean` };
    } else if (v !== undefined && v !== false) {
      return { rule: `${owner}-only`, field: name, detail: `only family ${owner} takes ${name} (family is ${cfg.family})` };
    }
  }
  if (bounds) {
    const p = proxy();
    if (p < bounds.min || p > bounds.max) {
      return { rule: 'bounds', field: 'decoder_params', detail: `${p} outside [${bounds.min}, ${bounds.max}]` };
    }
  }
  return null;
}
