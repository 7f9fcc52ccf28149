// User overrides of the search space (`lts search --space file.json` and the gene flags): which keys
// exist and what type each holds. Whether the choices make a usable space is checked by getSpace.
import { LtsError } from '../util/errors.js';
import { FAMILIES, FAMILY_DEFINITIONS, type Family } from '../families/index.js';
import type { OptionKind } from '../families/types.js';

type Overridable = Record<string, unknown>;
/** Keys that apply to every chosen family, plus optional per-family sections that win over them. */
export type SpaceOverrides = Overridable & Partial<Record<Family, Overridable>>;

// Every family's keys: a key one family does not know is ignored there (a shared section may hold
// another family's switches), as long as some family knows it.
const KINDS: Record<string, OptionKind> = Object.assign({}, ...FAMILIES.map((f) => FAMILY_DEFINITIONS[f].spaceOptionKinds));

function checkSection(obj: unknown, where: string, allowFamilies: boolean): void {
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) throw new LtsError(`${where}: expected a JSON object`);
  for (const [key, value] of Object.entries(obj)) {
    const at = `${where}.${key}`;
    if (allowFamilies && (FAMILIES as readonly string[]).includes(key)) {
      checkSection(value, at, false);
      continue;
    }
    if (key === 'bounds') throw new LtsError(`${at}: set decoder-param bounds with --param-min / --param-max`);
    const kind = KINDS[key];
    if (!kind) throw new LtsError(`${at}: unknown search-space option (known: ${Object.keys(KINDS).join(', ')}${allowFamilies ? `, or a section per family: ${FAMILIES.join(', ')}` : ''})`);
    const isInt = (v: unknown) => Number.isInteger(v) && (v as number) >= 0;
    const ok =
      kind === 'ints' ? Array.isArray(value) && value.length > 0 && value.every(isInt)
      : kind === 'intlist' ? Array.isArray(value) && value.every(isInt)
      : kind === 'bools' ? Array.isArray(value) && value.length > 0 && value.every((v) => typeof v === 'boolean')
      : kind === 'strings' ? Array.isArray(value) && value.length > 0 && value.every((v) => typeof v === 'string')
      : kind === 'int' ? isInt(value)
      : typeof value === 'number' && value > 0;
    if (!ok) {
      const want = { ints: 'a non-empty list of non-negative integers', intlist: 'a list of non-negative integers', bools: 'a non-empty list of booleans', strings: 'a non-empty list of strings', int: 'a non-negative integer', number: 'a positive number' }[kind];
      throw new LtsError(`${at}: expected ${want}, got ${JSON.stringify(value)}`);
    }
  }
}

/** Validates the shape of user overrides; throws one LtsError line naming the bad key. */
export function parseSpaceOverrides(json: unknown, where = 'space'): SpaceOverrides {
  checkSection(json, where, true);
  return json as SpaceOverrides;
}

/** The overrides that apply to one family: the shared keys, then that family's own section. */
export function overridesFor(overrides: SpaceOverrides, family: Family): Partial<Overridable> {
  const shared: Partial<Overridable> = {};
  for (const [k, v] of Object.entries(overrides)) {
    if (!(FAMILIES as readonly string[]).includes(k)) (shared as Record<string, unknown>)[k] = v;
  }
  return { ...shared, ...((overrides[family] as Overridable | undefined) ?? {}) };
}
