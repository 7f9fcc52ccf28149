// Every form a layered family's config is written in, read back as the plain lts fields: the per-layer
// training-config form (configs/<id>.json for models Hugging Face cannot build) and the family's HF
// config.json. So a file `lts report` wrote is accepted by every --config, with the same id.
import { LtsError } from '../../util/errors.js';

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** The file's `lts` block (configs/<id>.json carry one). */
export function ltsBlock(raw: Record<string, unknown>): { key?: string; kind?: string; family?: string } | undefined {
  return isObject(raw.lts) ? (raw.lts as { key?: string; kind?: string; family?: string }) : undefined;
}

/** True for the per-layer training-config form (schemas/training-config.schema.json). */
export function isPerLayerForm(raw: Record<string, unknown>): boolean {
  return Array.isArray(raw.layers) && isObject(raw.embedding);
}

/**
 * The per-layer form's plain fields: layers[i].n_head / d_inner, the embedding block, learned positions.
 * `switches` reads the family's switches from the block description.
 */
export function fromPerLayerForm(raw: Record<string, unknown>, switches?: (block: Record<string, unknown>) => Record<string, boolean | undefined>): Record<string, unknown> {
  const layers = raw.layers as unknown[];
  const field = (i: number, k: string): unknown => {
    const l = layers[i];
    if (!isObject(l)) throw new LtsError(`config.layers[${i}]: expected an object with n_head and d_inner`);
    return l[k];
  };
  const emb = raw.embedding as Record<string, unknown>;
  const out: Record<string, unknown> = {
    family: raw.family,
    n_layer: raw.n_layer ?? layers.length,
    d_model: raw.d_model,
    n_head: layers.map((_, i) => field(i, 'n_head')),
    d_inner: layers.map((_, i) => field(i, 'd_inner')),
    vocab_size: raw.vocab_size,
    d_embed: emb.d_embed,
  };
  if (emb.kind === 'tied') out.div_val = 0;
  else if (emb.kind === 'adaptive') {
    out.div_val = emb.div_val;
    out.cutoffs = emb.cutoffs;
  } else throw new LtsError(`config.embedding.kind: ${JSON.stringify(emb.kind)} is not tied or adaptive`);
  if (isObject(raw.positions) && raw.positions.kind === 'learned') out.n_positions = raw.positions.n_positions;
  if (switches && isObject(raw.block)) Object.assign(out, switches(raw.block));
  for (const [k, v] of Object.entries(out)) if (v === undefined) delete out[k];
  return out;
}

/** The fields of the lts key a file carries (the canonical config it was written from), or {}. */
export function keyFields(lts: { key?: string } | undefined): Record<string, unknown> {
  if (typeof lts?.key !== 'string') return {};
  try {
    const k = JSON.parse(lts.key) as unknown;
    return isObject(k) ? k : {};
  } catch {
    return {};
  }
}
