// The search settings the loop refuses to start with: counts that are no counts, empty bounds.
import { LtsError } from '../util/errors.js';
import type { SearchSettings } from './types.js';

export function checkSettings(s: SearchSettings): void {
  const ints: [string, number, number][] = [
    ['iterations', s.iterations, 0],
    ['population', s.population, 1],
    ['parents', s.parents, 1],
    ['mutations', s.mutations, 0],
    ['crossovers', s.crossovers, 0],
  ];
  for (const [name, v, min] of ints) {
    if (!Number.isInteger(v) || v < min) throw new LtsError(`${name} must be an integer >= ${min}, got ${v}`);
  }
  if (!(s.param_min <= s.param_max)) throw new LtsError(`param bounds empty: min ${s.param_min} > max ${s.param_max}`);
  if (s.metrics.length < 1 || s.metrics.length > 3) throw new LtsError('choose one to three metrics');
  if (s.families.length < 1) throw new LtsError('no family to search');
  if (s.drift_correction !== undefined && s.drift_correction !== 'on' && s.drift_correction !== 'off') throw new LtsError(`drift_correction must be on or off, got ${String(s.drift_correction)}`);
  if (s.sentinel_every !== undefined && !(Number.isInteger(s.sentinel_every) && s.sentinel_every >= 1)) throw new LtsError(`sentinel_every must be an integer >= 1, got ${s.sentinel_every}`);
  if (s.sentinel_minutes !== undefined && !(s.sentinel_minutes > 0)) throw new LtsError(`sentinel_minutes must be > 0, got ${s.sentinel_minutes}`);
}
