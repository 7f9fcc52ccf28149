// A user's JSON config -> ArchConfig with the family's defaults filled, or one LtsError naming the field.
import { FAMILIES, familyDefinition, isFamily } from '../families/index.js';
import type { ParseMode } from '../families/types.js';
import { LtsError } from '../util/errors.js';
import type { ArchConfig } from './types.js';
import { findViolation } from './validate.js';

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * The family a config's fields belong to: `family`, else the one that reads its Hugging Face
 * `model_type` (a configs/<id>.json the report wrote), else the `lts` block's, else the first registered
 * family (gpt2).
 */
function familyOf(raw: Record<string, unknown>): string {
  if (raw.family !== undefined) {
    if (!isFamily(raw.family)) throw new LtsError(`config.family: ${JSON.stringify(raw.family)} is not one of ${FAMILIES.join(', ')}`);
    return raw.family;
  }
  if (raw.model_type !== undefined) {
    const reader = FAMILIES.find((f) => familyDefinition(f).hfModelTypes.includes(String(raw.model_type)));
    const known = FAMILIES.flatMap((f) => familyDefinition(f).hfModelTypes);
    if (!reader) throw new LtsError(`config.model_type: ${JSON.stringify(raw.model_type)} is not a Hugging Face model type lts reads (${known.join(', ')})`);
    return reader;
  }
  if (isObject(raw.lts) && isFamily(raw.lts.family)) return raw.lts.family;
  return FAMILIES[0]!;
}

/**
 * Accepts a family's config fields (or a record holding one under `config`, like a pareto.json point);
 * the family fills its defaults and the result must satisfy its structural rules.
 */
export function parseConfig(json: unknown, mode: ParseMode = 'config'): ArchConfig {
  if (!isObject(json)) throw new LtsError('config: expected a JSON object');
  let raw = json;
  if (!('n_layer' in raw) && isObject(raw.config)) raw = raw.config;
  const def = familyDefinition(familyOf(raw));
  const cfg = def.parseConfig(raw, mode);
  if (mode === 'config') {
    const v = findViolation(cfg);
    if (v) throw new LtsError(`config.${v.field}: ${v.detail} (rule ${v.rule})`);
  }
  return cfg;
}


