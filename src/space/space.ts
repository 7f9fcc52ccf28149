// One search space per family (archai style), built by the family from its options.
import { familyDefinition } from '../families/index.js';
import type { FamilySpace } from '../families/types.js';
import type { ArchConfig, Family } from './types.js';

export type SearchSpace = FamilySpace<ArchConfig> & { readonly slots?: number };
export { MUTATION_PROB } from '../families/layered/space.js';

/** The family's space over its defaults with `opts` applied; LtsError for an unknown family or unusable choices. */
export function makeSpace(family: Family, opts: Record<string, unknown> = {}): SearchSpace {
  return familyDefinition(family).makeSpace(opts);
}
