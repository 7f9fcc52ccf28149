// Validity: the family's rules, each failure naming its rule so a rejected candidate says why.
import { FAMILIES, isFamily, familyDefinition } from '../families/index.js';
import type { ParamBounds, Violation } from '../families/types.js';
import type { ArchConfig } from './types.js';

export type { Violation } from '../families/types.js';
/** A rule's name, e.g. `heads-divide-d_model` (each family documents its own). */
export type Rule = Violation['rule'];

export function formatViolation(v: Violation): string {
  return `${v.rule}: ${v.field}: ${v.detail}`;
}

/** First violated rule, or null. Bounds are checked only when given (and only once the structure is valid). */
export function findViolation(cfg: ArchConfig, bounds?: ParamBounds, dInnerRatio?: number): Violation | null {
  if (!isFamily(cfg.family)) {
    return { rule: 'family', field: 'family', detail: `unknown family ${JSON.stringify(cfg.family)} (known: ${FAMILIES.join(', ')})` };
  }
  return familyDefinition(cfg.family).findViolation(cfg, bounds, dInnerRatio === undefined ? undefined : { dInnerRatio });
}

/** null when valid, else `<rule>: <field>: <what is wrong>`. */
export function validateConfig(cfg: ArchConfig, bounds?: ParamBounds, dInnerRatio?: number): string | null {
  const v = findViolation(cfg, bounds, dInnerRatio);
  return v ? formatViolation(v) : null;
}
