// The loop's view of the search space: one space per family plus the identity and proxy functions.
// Kept behind this small interface so the loop stays family-agnostic.
import { familyDefinition } from '../families/index.js';
import { totalParams } from '../proxy/index.js';
import { candidateId, candidateKey, canonical, getSpace, overridesFor, type SearchSpace, type SpaceOverrides } from '../space/index.js';
import type { Rng } from '../util/rng.js';
import type { ArchConfig, Family } from '../space/types.js';

export interface FamilySpace {
  sample(rng: Rng): ArchConfig;
  mutate(cfg: ArchConfig, rng: Rng): ArchConfig;
  crossover(a: ArchConfig, b: ArchConfig, rng: Rng): ArchConfig;
  /** null when valid, else a message naming the rule. */
  validate(cfg: ArchConfig): string | null;
}

export interface SearchSpaces {
  families: Family[];
  space(family: Family): FamilySpace;
  canonical(cfg: ArchConfig): ArchConfig;
  candidateKey(cfg: ArchConfig): string;
  candidateId(cfg: ArchConfig): string;
  /** The family's accuracy proxy (recorded as `decoder_params`). */
  decoderParams(cfg: ArchConfig): number;
  totalParams(cfg: ArchConfig): number;
}

/** The real spaces for the given families, with the search's parameter bounds (and gene choices, if given). */
export function searchSpaces(
  families: readonly Family[],
  bounds: { min: number; max: number },
  overrides: SpaceOverrides = {},
): SearchSpaces {
  const spaces = new Map<Family, SearchSpace>(families.map((f) => [f, getSpace(f, { ...overridesFor(overrides, f), bounds })]));
  return {
    families: [...families],
    space(family) {
      const s = spaces.get(family);
      if (!s) throw new Error(`no search space for family ${family}`);
      return s;
    },
    canonical,
    candidateKey,
    candidateId,
    // The proxy as this search's options for the family define it.
    decoderParams: (cfg) => familyDefinition(cfg.family).proxyParams(cfg, spaces.get(cfg.family)?.options),
    totalParams,
  };
}
