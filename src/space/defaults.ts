// Each family's reference search space (its defaults live in its folder under src/families).
import { familyDefinition } from '../families/index.js';
import type { BaseSpaceOptions } from '../families/types.js';
import type { Family } from './types.js';

export type { ParamBounds } from '../families/types.js';
export type { LayeredSpaceOptions as SpaceOptions } from '../families/layered/defaults.js';
export { clipCutoffs, D_INNER_RATIO } from '../families/layered/defaults.js';

export function defaultSpaceOptions(family: Family): BaseSpaceOptions & Record<string, unknown> {
  return familyDefinition(family).defaultSpaceOptions();
}
