// The loop's view of the search space: one space per family plus the identity and proxy functions.
// Kept behind this small interface so the loop stays family-agnostic.
import { familyDefinition } from '../families/index.js';
import { candidateId, canonical, formatViolation, getSpace, overridesFor, type SpaceOverrides } from '../space/index.js';
import type { Rng } from '../util/rng.js';
import type { ArchConfig, Family } from '../space/types.js';
import type { CandidateInfo } from './types.js';

export interface FamilySpace {
  sample(rng: Rng): ArchConfig;
  mutate(cfg: ArchConfig, rng: Rng): ArchConfig;
  crossover(a: ArchConfig, b: ArchConfig, rng: Rng): ArchConfig;
  /** null when the structure is valid, else a message naming the rule. The parameter bounds are the search's (see identify). */
  validate(cfg: ArchConfig): string | null;
}

/** A candidate's identity and exact counts, computed once from one canonical form. */
export type Identity = Omit<CandidateInfo, 'iteration'>;

export interface SearchSpaces {
  families: Family[];
  space(family: Family): FamilySpace;
  /** Canonical config, key, id and parameter counts of a valid genome (one canonicalisation, one count). */
  identify(genome: ArchConfig): Identity;
}

/** The real spaces for the given families, with the search's parameter bounds (and gene choices, if given). */
export function searchSpaces(
  families: readonly Family[],
  bounds: { min: number; max: number },
  overrides: SpaceOverrides = {},
): SearchSpaces {
  const options = new Map<Family, Record<string, unknown>>();
  const spaces = new Map<Family, FamilySpace>(
    families.map((f) => {
      const s = getSpace(f, { ...overridesFor(overrides, f), bounds });
      options.set(f, s.options as unknown as Record<string, unknown>);
      // Structure only (the family's rules under this space's settings): the loop checks the bounds
      // against the count identify() makes anyway.
      const validate = (cfg: ArchConfig): string | null => {
        if (cfg.family !== f) return `family: family: ${JSON.stringify(cfg.family)} is not this space's family ${f}`;
        const v = familyDefinition(f).findViolation(cfg, undefined, s.options);
        return v ? formatViolation(v) : null;
      };
      return [f, { sample: s.sample, mutate: s.mutate, crossover: s.crossover, validate }];
    }),
  );
  // The proxy as this search's options for the family define it.
  const identifyHere = (genome: ArchConfig): Identity => identify(genome, options.get(genome.family));
  return {
    families: [...families],
    space(family) {
      const s = spaces.get(family);
      if (!s) throw new Error(`no search space for family ${family}`);
      return s;
    },
    identify: identifyHere,
  };
}

/** A genome's identity; the proxy as `options` (a search's options for the family) define it, else the family default. */
export function identify(genome: ArchConfig, options?: Record<string, unknown>): Identity {
  const config = canonical(genome);
  const def = familyDefinition(config.family);
  const b = def.paramBreakdown(config);
  // canonical() of a canonical config is itself, so its JSON is the candidate key. A family with several
  // counts (ParamBreakdown.extra) records them all beside the proxy.
  return {
    config, key: JSON.stringify(config), id: candidateId(config), family: config.family, decoder_params: def.proxyParams(config, options), total_params: b.total,
    ...(b.extra ? { param_counts: { decoder: b.decoder, ...b.extra } } : {}),
  };
}
