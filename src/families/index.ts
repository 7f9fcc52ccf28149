// The registry: every model family, one line each. Adding a family = a folder under src/families/
// implementing FamilyDefinition (./types.ts), its config type in the ArchConfig union below, and its
// definition in FAMILY_DEFINITIONS. The mapped type makes a missing or mistyped entry a compile error.
import type { BrainformerConfig } from './brainformer/config.js';
import { brainformerFamily } from './brainformer/index.js';
import type { Gpt2Config } from './gpt2/config.js';
import { gpt2Family } from './gpt2/index.js';
import type { PrimerConfig } from './primer/config.js';
import { primerFamily } from './primer/index.js';
import type { TransfoXlConfig } from './transfo-xl/config.js';
import { transfoXlFamily } from './transfo-xl/index.js';
import type { FamilyDefinition } from './types.js';
import { LtsError } from '../util/errors.js';

/** One candidate architecture, discriminated on `family`. */
export type ArchConfig = Gpt2Config | TransfoXlConfig | PrimerConfig | BrainformerConfig;
export type Family = ArchConfig['family'];
export type ConfigOf<F extends Family> = Extract<ArchConfig, { family: F }>;

/** Each family's definition under its name, typed to its own config. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each family has its own space options type
export type FamilyRegistry = { readonly [F in Family]: FamilyDefinition<ConfigOf<F>, any> };

/** In this order in `--help`, `--family all` and reports; the first is the default family of a config file. */
export const FAMILY_DEFINITIONS: FamilyRegistry = {
  gpt2: gpt2Family,
  'transfo-xl': transfoXlFamily,
  primer: primerFamily,
  brainformer: brainformerFamily,
};

export const FAMILIES = Object.keys(FAMILY_DEFINITIONS) as Family[];

export function isFamily(name: unknown): name is Family {
  return typeof name === 'string' && Object.hasOwn(FAMILY_DEFINITIONS, name);
}

/** The definition of a family by name; LtsError for one that is not registered. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the caller's config decides the options type
export function familyDefinition(name: string): FamilyDefinition<ArchConfig, any> {
  if (!isFamily(name)) throw new LtsError(`unknown family ${JSON.stringify(name)} (known: ${FAMILIES.join(', ')})`);
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- one entry of the union; its config type is the caller's
  return FAMILY_DEFINITIONS[name] as FamilyDefinition<any, any>;
}

/** The definition that handles this config. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function definitionOf(cfg: { family: string }): FamilyDefinition<ArchConfig, any> {
  return familyDefinition(cfg.family);
}

export type { FamilyDefinition } from './types.js';
