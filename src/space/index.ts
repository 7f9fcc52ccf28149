// Public face of the search space: families, identity, validity, config files. Each family's own rules
// live in its folder under src/families; this stage dispatches through the registry.
import { makeSpace, type SearchSpace } from './space.js';
import type { Family } from './types.js';

export type { ArchConfig, Family, ShapeSettings } from './types.js';
export { FAMILIES } from './types.js';
export type { SpaceOptions, ParamBounds } from './defaults.js';
export { defaultSpaceOptions, clipCutoffs, D_INNER_RATIO } from './defaults.js';
export type { SearchSpace } from './space.js';
export { MUTATION_PROB } from './space.js';
export { canonical, candidateKey, candidateId } from './canonical.js';
export { validateConfig, findViolation, formatViolation, type Rule, type Violation } from './validate.js';
export { parseConfig } from './parse.js';
export { loadConfigFile } from './file.js';
export { parseSpaceOverrides, overridesFor, type SpaceOverrides } from './overrides.js';
export { Rng } from '../util/rng.js';

export function getSpace(family: Family, opts?: Record<string, unknown>): SearchSpace {
  return makeSpace(family, opts);
}
