// Which layered family owns which switch, filled as the families are defined: a switch set on another
// family's config is an error naming its owner (`primer-only: primer_conv: only family primer takes ...`).
const owners = new Map<string, string>();

export function registerSwitches(family: string, names: readonly string[]): void {
  for (const n of names) owners.set(n, family);
}

/** Every registered switch and its family, in registration order. */
export function switchOwners(): ReadonlyMap<string, string> {
  return owners;
}
