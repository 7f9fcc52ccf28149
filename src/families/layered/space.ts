// The search space of a per-layer family (archai style): sample, mutate, crossover, repair, validate.
// The genes: n_layer, d_model, per-layer d_inner and n_head, div_val, and the family's switches.
import { LtsError } from '../../util/errors.js';
import type { Rng } from '../../util/rng.js';
import type { FamilySpace } from '../types.js';
import type { LayeredConfig } from './config.js';
import type { LayeredSpaceOptions } from './defaults.js';

export const MUTATION_PROB = 0.3;
const MAX_SAMPLE_TRIES = 10_000;

export type SwitchChoices<S extends string> = Record<S, boolean[]>;

/** The layered space as its tests see it: also the number of gene slots per per-layer list. */
export interface LayeredSpace<C, O extends LayeredSpaceOptions> extends FamilySpace<C & { family: string; d_model: number; vocab_size: number }, O> {
  /** Slots per per-layer list: max(n_layer choices). */
  readonly slots: number;
}

type Cfg = LayeredConfig & { family: string };
const switchOf = (cfg: Cfg, s: string): boolean => (cfg as unknown as Record<string, unknown>)[s] === true;

function checkChoices<S extends string>(family: string, o: LayeredSpaceOptions & SwitchChoices<S>, switches: readonly S[]): void {
  const need = (name: string, ok: boolean, why: string) => {
    if (!ok) throw new LtsError(`search space ${family}: ${name} ${why}`);
  };
  for (const k of ['n_layer', 'd_model', 'd_inner', 'n_head'] as const) {
    need(k, o[k].length > 0 && o[k].every((v) => Number.isInteger(v) && v >= 1), 'must be a non-empty list of positive integers');
  }
  need('div_val', o.div_val.length > 0 && o.div_val.every((v) => Number.isInteger(v) && v >= 0), 'must be a non-empty list of integers >= 0');
  for (const s of switches) need(s, o[s].length > 0, 'must be a non-empty list');
  need('bounds', Number.isFinite(o.bounds.min) && o.bounds.max >= o.bounds.min, `must satisfy min <= max (got ${o.bounds.min}..${o.bounds.max})`);
}

/**
 * Mutation redraws each gene slot with probability 0.3 (d_inner from values > ratio x the child's
 * d_model); crossover takes each slot from either parent with probability 0.5. Both repair rather than
 * reject: any slot (active or not) whose d_inner or n_head no longer fits the child's d_model is
 * redrawn, so the child is always structurally valid; only the bounds (and the search's duplicate check)
 * can still reject it. The order of the draws is part of the candidates a seed gives: keep it.
 */
export function makeLayeredSpace<C extends Cfg, S extends string>(
  family: C['family'],
  o: LayeredSpaceOptions & SwitchChoices<S>,
  switches: readonly S[],
  validateConfig: (cfg: C) => string | null,
): LayeredSpace<C, LayeredSpaceOptions & SwitchChoices<S>> {
  checkChoices(family, o, switches);
  const slots = Math.max(...o.n_layer);

  const innerFor = (d: number) => o.d_inner.filter((f) => f > o.dInnerRatio * d);
  const headsFor = (d: number) => o.n_head.filter((h) => d % h === 0);
  // A d_model is usable only if some width and some head count fit it.
  const dModels = o.d_model.filter((d) => innerFor(d).length > 0 && headsFor(d).length > 0);
  if (dModels.length === 0) {
    throw new LtsError(`search space ${family}: no d_model choice has a d_inner > ${o.dInnerRatio} x d_model and a dividing n_head`);
  }

  const fixed = (d_model: number, div_val: number) => ({
    div_val,
    d_embed: div_val === 0 ? d_model : (o.d_embed ?? d_model),
    vocab_size: o.vocab_size,
    cutoffs: div_val === 0 ? [] : [...o.cutoffs],
    n_positions: o.n_positions,
  });

  // Re-draw any slot that does not fit d_model (also inactive ones, so a later n_layer increase activates valid genes).
  const repair = (cfg: C, rng: Rng): C => {
    const inner = innerFor(cfg.d_model);
    const heads = headsFor(cfg.d_model);
    if (inner.length === 0 || heads.length === 0) {
      cfg.d_model = rng.choice(dModels);
      return repair(cfg, rng);
    }
    const innerMin = o.dInnerRatio * cfg.d_model;
    cfg.d_inner = cfg.d_inner.map((f) => (f > innerMin ? f : rng.choice(inner)));
    cfg.n_head = cfg.n_head.map((h) => (cfg.d_model % h === 0 ? h : rng.choice(heads)));
    Object.assign(cfg, fixed(cfg.d_model, cfg.div_val));
    return cfg;
  };

  const padSlots = (list: number[], fill: () => number): number[] => {
    const out = list.slice(0, Math.max(slots, list.length));
    while (out.length < slots) out.push(fill());
    return out;
  };
  const setSwitches = (cfg: C, value: (s: S) => boolean): C => {
    for (const s of switches) (cfg as unknown as Record<S, boolean>)[s] = value(s);
    return cfg;
  };

  const drawRaw = (rng: Rng): C => {
    const n_layer = rng.choice(o.n_layer);
    const d_model = rng.choice(dModels);
    const inner = innerFor(d_model);
    const heads = headsFor(d_model);
    const d_inner = Array.from({ length: slots }, () => rng.choice(inner));
    const n_head = Array.from({ length: slots }, () => rng.choice(heads));
    const div_val = rng.choice(o.div_val);
    const cfg = { family, n_layer, d_model, d_inner, n_head, ...fixed(d_model, div_val) } as unknown as C;
    return setSwitches(cfg, (s) => rng.choice(o[s]));
  };

  const validate = (cfg: C): string | null => {
    if (cfg.family !== family) return `family: family: ${JSON.stringify(cfg.family)} is not this space's family ${family}`;
    return validateConfig(cfg);
  };

  const sameFamily = (a: C, b: C) => {
    if (a.family !== b.family) throw new LtsError(`crossover across families (${a.family} x ${b.family}) is not allowed`);
    if (a.family !== family) throw new LtsError(`crossover of ${a.family} parents in the ${family} space`);
  };

  return {
    family,
    options: o,
    slots,
    sample(rng) {
      for (let t = 0; t < MAX_SAMPLE_TRIES; t++) {
        const cfg = drawRaw(rng);
        if (validate(cfg) === null) return cfg;
      }
      throw new LtsError(
        `search space ${family}: no valid candidate in ${MAX_SAMPLE_TRIES} draws; decoder bounds ${o.bounds.min}..${o.bounds.max} may be out of the space's reach`,
      );
    },
    mutate(parent, rng) {
      if (parent.family !== family) throw new LtsError(`cannot mutate a ${parent.family} candidate in the ${family} space`);
      const p = MUTATION_PROB;
      const d_model = rng.bool(p) ? rng.choice(dModels) : parent.d_model;
      const inner = innerFor(d_model);
      const heads = headsFor(d_model);
      const child = {
        family,
        n_layer: rng.bool(p) ? rng.choice(o.n_layer) : parent.n_layer,
        d_model,
        d_inner: padSlots(parent.d_inner, () => rng.choice(inner)).map((f) => (rng.bool(p) ? rng.choice(inner.length ? inner : [f]) : f)),
        n_head: padSlots(parent.n_head, () => rng.choice(heads)).map((h) => (rng.bool(p) ? rng.choice(heads.length ? heads : [h]) : h)),
        ...fixed(d_model, parent.div_val),
      } as unknown as C;
      child.div_val = rng.bool(p) ? rng.choice(o.div_val) : parent.div_val;
      setSwitches(child, (s) => (rng.bool(p) ? rng.choice(o[s]) : switchOf(parent, s)));
      return repair(child, rng);
    },
    crossover(a, b, rng) {
      sameFamily(a, b);
      const pick = <T>(x: T, y: T): T => (rng.bool(0.5) ? x : y);
      const d_model = pick(a.d_model, b.d_model);
      const inner = innerFor(d_model);
      const heads = headsFor(d_model);
      const ai = padSlots(a.d_inner, () => rng.choice(inner));
      const bi = padSlots(b.d_inner, () => rng.choice(inner));
      const ah = padSlots(a.n_head, () => rng.choice(heads));
      const bh = padSlots(b.n_head, () => rng.choice(heads));
      const child = {
        family,
        n_layer: pick(a.n_layer, b.n_layer),
        d_model,
        d_inner: ai.map((f, i) => pick(f, bi[i] ?? f)),
        n_head: ah.map((h, i) => pick(h, bh[i] ?? h)),
        ...fixed(d_model, 0),
      } as unknown as C;
      child.div_val = pick(a.div_val, b.div_val);
      setSwitches(child, (s) => pick(switchOf(a, s), switchOf(b, s)));
      return repair(child, rng);
    },
    repair,
    validate,
  };
}
