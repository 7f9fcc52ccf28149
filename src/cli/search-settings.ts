// `lts search` options -> SearchSettings: population split, families, bounds, search-space overrides.
import type { DeviceProfile, Metric } from '../profile/types.js';
import { prepareAheadObstacle } from '../profile/gate.js';
import { SCREEN_DEFAULTS } from '../search/screening.js';
import type { SearchSettings, Strategy } from '../search/types.js';
import { defaultSpaceOptions, parseSpaceOverrides, type SpaceOverrides } from '../space/index.js';
import { familyDefinition, isFamily } from '../families/index.js';
import type { SpacePresets } from '../families/types.js';
import { FAMILIES, type Family } from '../space/types.js';
import { chooseProxies } from '../search/proxy-choice.js';
import { LtsError } from '../util/errors.js';
import { isPathLike, readJsonFile } from '../util/files.js';
import { resolve } from 'node:path';

/** The strategy of a new search when --strategy is not given. */
export const DEFAULT_STRATEGY: Strategy = 'exhaustive';

/** Reference defaults (reference §4): 100 = 20 parents + 40 mutations + 40 crossovers, 30 iterations. */
export const DEFAULTS = { iterations: 30, population: 100, parents: 20, mutations: 40, crossovers: 40 };

/** The preset flags the families offer (FamilyDefinition.spacePresets), with the family of each. */
export const PRESET_FLAGS: readonly (SpacePresets & { family: Family })[] = FAMILIES.flatMap((f) => {
  const p = familyDefinition(f).spacePresets;
  return p ? [{ ...p, family: f }] : [];
});

/** What `lts search` options hold once commander has parsed them. */
export interface SearchCliOptions {
  metric: Metric[];
  family: string;
  seed: number;
  iterations: number;
  population?: number;
  parents?: number;
  mutations?: number;
  crossovers?: number;
  paramMin?: number;
  paramMax?: number;
  latencyMax?: number;
  budget?: number;
  calibration?: string;
  dataset?: string;
  space?: string;
  divVal?: number[];
  vocabSize?: number;
  cutoffs?: number[];
  strategy?: Strategy;
  screenMargin?: number;
  auditShare?: number;
  screenKeep?: number;
  screenBreed?: number;
  driftCorrection?: 'on' | 'off';
  sentinelEvery?: number;
  sentinelMinutes?: number;
  /** false with --no-prepare-ahead. */
  prepareAhead?: boolean;
  /** A family's preset flag (PRESET_FLAGS), e.g. `primer: 'ez'`, or its proxy choice (FamilyDefinition.proxyChoice), e.g. `moeProxy`. */
  [familyFlag: string]: unknown;
}

/** Drift correction (default on for a new search) and the sentinel's schedule, recorded so that --resume keeps them. */
export function driftSettings(o: Pick<SearchCliOptions, 'driftCorrection' | 'sentinelEvery' | 'sentinelMinutes'>): Pick<SearchSettings, 'drift_correction' | 'sentinel_every' | 'sentinel_minutes'> {
  const s: Pick<SearchSettings, 'drift_correction' | 'sentinel_every' | 'sentinel_minutes'> = { drift_correction: o.driftCorrection ?? 'off' };
  if (o.sentinelEvery !== undefined) s.sentinel_every = o.sentinelEvery;
  if (o.sentinelMinutes !== undefined) s.sentinel_minutes = o.sentinelMinutes;
  return s;
}

export function parseFamilies(v: string): Family[] {
  if (v === 'all') return [...FAMILIES];
  if (!isFamily(v)) throw new LtsError(`--family must be one of ${FAMILIES.join(', ')} or all, got '${v}'`);
  return [v];
}

/** Population split: explicit values win; otherwise the reference's 20/40/40 proportions of --population. */
export function populationSplit(o: Pick<SearchCliOptions, 'population' | 'parents' | 'mutations' | 'crossovers'>): {
  population: number;
  parents: number;
  mutations: number;
  crossovers: number;
} {
  const population = o.population ?? DEFAULTS.population;
  const scale = population / DEFAULTS.population;
  const parents = o.parents ?? Math.max(1, Math.round(DEFAULTS.parents * scale));
  const mutations = o.mutations ?? Math.round(DEFAULTS.mutations * scale);
  const crossovers = o.crossovers ?? Math.max(0, population - parents - mutations);
  return { population, parents, mutations, crossovers };
}

export function buildSettings(o: SearchCliOptions, device: DeviceProfile): SearchSettings {
  const families = parseFamilies(o.family);
  // Bounds default to the loosest of the chosen families' reference bounds.
  const defaults = families.map((f) => defaultSpaceOptions(f).bounds);
  const param_min = o.paramMin ?? Math.min(...defaults.map((b) => b.min));
  const param_max = o.paramMax ?? Math.max(...defaults.map((b) => b.max));
  if (param_min > param_max) throw new LtsError(`--param-min ${param_min} is above --param-max ${param_max}`);
  const s: SearchSettings = {
    metrics: o.metric,
    families,
    shapes: device.shapes,
    graph: device.graph,
    protocol: device.protocol,
    seed: o.seed,
    param_min,
    param_max,
    iterations: o.iterations,
    ...populationSplit(o),
  };
  if (o.latencyMax !== undefined) s.latency_max_ms = o.latencyMax;
  if (o.budget !== undefined) s.budget_minutes = o.budget;
  Object.assign(s, driftSettings(o));
  // A file is recorded by its absolute path: --resume and `lts report` may run from another directory.
  if (o.calibration !== undefined) s.calibration = isPathLike(o.calibration) ? resolve(o.calibration) : o.calibration;
  if (o.dataset !== undefined) s.dataset = o.dataset;
  Object.assign(s, chooseProxies(families, o as Record<string, string | undefined>));
  Object.assign(s, screenSettings(o));
  // Recorded as it will run: on only where the profile leaves a core for the preparing process.
  s.prepare_ahead = o.prepareAhead !== false && prepareAheadObstacle(device) === undefined;
  const space = spaceOverrides(o);
  if (Object.keys(space).length > 0) s.space = space;
  return s;
}

/** --strategy and its knobs, recorded in the settings so that --resume keeps them. */
export function screenSettings(
  o: Pick<SearchCliOptions, 'strategy' | 'screenMargin' | 'auditShare' | 'screenKeep' | 'screenBreed'>,
): Pick<SearchSettings, 'strategy' | 'screen_margin' | 'audit_share' | 'screen_keep' | 'screen_breed'> {
  const strategy = o.strategy ?? DEFAULT_STRATEGY;
  if (strategy !== 'exhaustive' && strategy !== 'screened') throw new LtsError(`--strategy must be exhaustive or screened, got '${String(strategy)}'`);
  if (strategy === 'exhaustive') {
    if (o.screenMargin !== undefined || o.auditShare !== undefined || o.screenKeep !== undefined || o.screenBreed !== undefined) {
      throw new LtsError('--screen-margin, --audit-share, --screen-keep and --screen-breed apply to --strategy screened only');
    }
    return { strategy };
  }
  if (o.screenKeep !== undefined && !(o.screenKeep > 0)) throw new LtsError(`--screen-keep must be a fraction in (0, 1], got '${o.screenKeep}'`);
  if (o.screenBreed !== undefined && !(Number.isInteger(o.screenBreed) && o.screenBreed >= 1)) throw new LtsError(`--screen-breed must be a whole number >= 1, got '${o.screenBreed}'`);
  const s: Pick<SearchSettings, 'strategy' | 'screen_margin' | 'audit_share' | 'screen_keep' | 'screen_breed'> = {
    strategy,
    screen_margin: o.screenMargin ?? SCREEN_DEFAULTS.margin,
    audit_share: o.auditShare ?? SCREEN_DEFAULTS.auditShare,
  };
  if (o.screenKeep !== undefined && o.screenKeep < 1) s.screen_keep = o.screenKeep;
  if (o.screenBreed !== undefined && o.screenBreed > 1) s.screen_breed = o.screenBreed;
  return s;
}

/** Gene choices and vocabulary from --space <file> and the gene flags (flags win over the file). */
export function spaceOverrides(o: Pick<SearchCliOptions, 'space' | 'divVal' | 'vocabSize' | 'cutoffs'> & Record<string, unknown>): SpaceOverrides {
  const space: SpaceOverrides = o.space !== undefined ? { ...parseSpaceOverrides(readJsonFile(o.space, '--space'), o.space) } : {};
  if (o.divVal !== undefined) space.div_val = o.divVal;
  if (o.vocabSize !== undefined) space.vocab_size = o.vocabSize;
  if (o.cutoffs !== undefined) space.cutoffs = o.cutoffs;
  for (const p of PRESET_FLAGS) {
    const name = o[p.flag];
    if (name === undefined) continue;
    const v = typeof name === 'string' && Object.hasOwn(p.presets, name) ? p.presets[name] : undefined;
    if (!v) throw new LtsError(`--${p.flag} must be one of ${Object.keys(p.presets).join(', ')}, got '${String(name)}'`);
    space[p.family] = { ...(space[p.family] ?? {}), ...v };
  }
  return space;
}
