// The registry: every model family, one line each. Adding a family = a folder under src/families/
// implementing FamilyDefinition (./types.ts), its config type in the ArchConfig union below, and its
// definition in FAMILY_DEFINITIONS. The mapped type makes a missing or mistyped entry a compile error.
import type { FamilyDefinition } from './types.js';
import type { Gpt2Config } from './gpt2/config.js';
import type { PrimerConfig } from './primer/config.js';
import type { TransfoXlConfig } from './transfo-xl/config.js';

/** One candidate architecture, discriminated on `family`. */
export type ArchConfig = Gpt2Config | TransfoXlConfig | PrimerConfig;
export type Family = ArchConfig['family'];
export type ConfigOf<F extends Family> = Extract<ArchConfig, { family: F }>;

/** Each family's definition under its name, typed to its own config. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each family has its own space options type
export type FamilyRegistry = { readonly [F in Family]: FamilyDefinition<ConfigOf<F>, any> };

// Filled as the families move in (issue 9):
//   export const FAMILY_DEFINITIONS: FamilyRegistry = { gpt2: gpt2Family, 'transfo-xl': transfoXlFamily, primer: primerFamily };
