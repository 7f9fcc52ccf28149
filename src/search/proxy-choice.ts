// Families whose proxy is one of several counts (FamilyDefinition.proxyChoice): the CLI flags, the
// choice recorded in the search settings, and the space option that hands it to proxyParams.
import { FAMILIES, familyDefinition } from '../families/index.js';
import type { ProxyChoice } from '../families/types.js';
import type { SpaceOverrides } from '../space/overrides.js';
import type { Family } from '../space/types.js';
import { LtsError } from '../util/errors.js';
import type { SearchSettings } from './types.js';

/** `moe_proxy` -> `--moe-proxy`, and commander's camel-case key `moeProxy`. */
export const flagOf = (c: ProxyChoice): string => `--${c.setting.replace(/_/g, '-')}`;
export const optionKeyOf = (c: ProxyChoice): string => c.setting.replace(/_(\w)/g, (_, x: string) => x.toUpperCase());

/** Every registered family's choice, one per settings field. */
export function allProxyChoices(): ProxyChoice[] {
  const out = new Map<string, ProxyChoice>();
  for (const f of FAMILIES) {
    const c = familyDefinition(f).proxyChoice;
    if (c && !out.has(c.setting)) out.set(c.setting, c);
  }
  return [...out.values()];
}

/**
 * The settings fields for the chosen families: each choice (given, else the default) and its source.
 * A flag given for a search with no family that offers it is an error.
 */
export function chooseProxies(families: readonly Family[], given: Record<string, string | undefined>): Pick<SearchSettings, 'moe_proxy' | 'moe_proxy_source'> {
  const out: Record<string, string> = {};
  for (const c of allProxyChoices()) {
    const v = given[optionKeyOf(c)];
    const offered = families.some((f) => familyDefinition(f).proxyChoice?.setting === c.setting);
    if (!offered) {
      if (v !== undefined) throw new LtsError(`${flagOf(c)} applies to families ${FAMILIES.filter((f) => familyDefinition(f).proxyChoice === c).join(', ')} (or all)`);
      continue;
    }
    const choice = v ?? c.default;
    if (!c.choices.includes(choice)) throw new LtsError(`${flagOf(c)} must be one of ${c.choices.join(', ')}, got ${JSON.stringify(choice)}`);
    out[c.setting] = choice;
    out[`${c.setting}_source`] = c.source[choice]!;
  }
  return out;
}

/** The chosen value of a family's proxy choice in these settings, if it has one. */
export function chosenProxy(s: Pick<SearchSettings, 'moe_proxy'>, family: Family): string | undefined {
  const c = familyDefinition(family).proxyChoice;
  return c ? s[c.setting] : undefined;
}

/** The space overrides the spaces are built from, each family's proxy choice in its own section. */
export function withProxyChoices(s: SearchSettings): SpaceOverrides {
  const space: SpaceOverrides = { ...(s.space ?? {}) };
  for (const f of s.families) {
    const c = familyDefinition(f).proxyChoice;
    const v = chosenProxy(s, f);
    if (c && v !== undefined) space[f] = { ...((space[f] as Record<string, unknown> | undefined) ?? {}), [c.spaceKey]: v };
  }
  return space;
}
