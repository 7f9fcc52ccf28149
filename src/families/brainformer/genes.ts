// The Brainformer search space: sample, mutate (a sub-layer's size or kind, insert, delete, swap: the
// block search Brainformer ran), crossover within the family, validate. Children are repaired rather
// than rejected (widths and heads re-drawn to fit d_model, a missing attention or feed-forward kind
// put back), so only the bounds and the duplicate check can reject them.
import { LtsError } from '../../util/errors.js';
import type { BaseSpaceOptions, FamilySpace } from '../types.js';
import type { Rng } from '../../util/rng.js';
import {
  ACTIVATIONS, LAYOUT_MAX, LAYOUT_MIN, SUBLAYER_KINDS, checkStructure,
  type Activation, type BrainformerConfig, type Sublayer, type SublayerKind,
} from './config.js';
import { brainformerParams } from './params.js';
import { DEFAULT_MOE_PROXY, proxyParams, type MoeProxy } from './proxy.js';

export interface BrainformerSpaceOptions extends BaseSpaceOptions {
  d_model: number[];
  n_head: number[];
  /** Widths of dense FFNs and of experts; per candidate only values > dInnerRatio x d_model. */
  d_inner: number[];
  dInnerRatio: number;
  experts: number[];
  top_k: number[];
  stack: number[];
  act: Activation[];
  /** Sub-layers per block. */
  block_len: number[];
  /** Sub-layer kinds drawn (attn is always kept: a block needs one). */
  kinds: SublayerKind[];
  /** Inclusive bounds on the proxy's count (`proxy`). */
  bounds: { min: number; max: number };
  /** Upper bound on all parameters, every expert and the embedding: keeps the weights within memory. */
  max_total_params: number;
  proxy: MoeProxy;
  vocab_size: number;
  n_positions: number;
}

const range = (lo: number, hi: number, step: number): number[] =>
  Array.from({ length: Math.floor((hi - lo) / step) + 1 }, (_, i) => lo + i * step);

/** 500M float32 parameters: about 2 GB of weights for the largest admitted candidate. */
export const DEFAULT_MAX_TOTAL_PARAMS = 500e6;

export function defaultBrainformerOptions(): BrainformerSpaceOptions {
  return {
    d_model: range(128, 960, 64),
    n_head: [2, 4, 8],
    d_inner: range(128, 4032, 64),
    dInnerRatio: 1.7,
    experts: [4, 8, 16, 32],
    top_k: [1, 2],
    stack: range(1, 6, 1),
    act: ['gelu', 'relu2'],
    block_len: range(LAYOUT_MIN, LAYOUT_MAX, 1),
    kinds: ['attn', 'ffn', 'moe'],
    bounds: { min: 6e6, max: 100e6 },
    max_total_params: DEFAULT_MAX_TOTAL_PARAMS,
    proxy: DEFAULT_MOE_PROXY,
    vocab_size: 50257,
    n_positions: 1024,
  };
}

export const MUTATION_PROB = 0.3;
const MAX_SAMPLE_TRIES = 10_000;

export type BrainformerSpace = FamilySpace<BrainformerConfig, BrainformerSpaceOptions>;

function checkOptions(o: BrainformerSpaceOptions): void {
  const need = (name: string, ok: boolean, why: string) => {
    if (!ok) throw new LtsError(`search space brainformer: ${name} ${why}`);
  };
  for (const k of ['d_model', 'n_head', 'd_inner', 'experts', 'top_k', 'stack', 'block_len'] as const) {
    need(k, o[k].length > 0 && o[k].every((v) => Number.isInteger(v) && v >= 1), 'must be a non-empty list of positive integers');
  }
  need('experts', o.experts.every((e) => e >= 2), 'must all be >= 2');
  need('top_k', o.top_k.every((k) => o.experts.some((e) => e >= k)), 'must not exceed every expert count');
  need('block_len', o.block_len.every((n) => n >= LAYOUT_MIN && n <= LAYOUT_MAX), `lengths must lie in ${LAYOUT_MIN}..${LAYOUT_MAX}`);
  need('act', o.act.length > 0 && o.act.every((a) => ACTIVATIONS.includes(a)), `must be a non-empty list of ${ACTIVATIONS.join(', ')}`);
  need('kinds', o.kinds.includes('attn') && o.kinds.some((k) => k !== 'attn') && o.kinds.every((k) => SUBLAYER_KINDS.includes(k)),
    'must hold attn and at least one of ffn, moe');
  need('bounds', Number.isFinite(o.bounds.min) && o.bounds.max >= o.bounds.min, `must satisfy min <= max (got ${o.bounds.min}..${o.bounds.max})`);
  need('max_total_params', o.max_total_params > 0, 'must be positive');
}

export function makeBrainformerSpace(opts: Partial<BrainformerSpaceOptions> = {}): BrainformerSpace {
  const o: BrainformerSpaceOptions = { ...defaultBrainformerOptions(), ...Object.fromEntries(Object.entries(opts).filter(([, v]) => v !== undefined)) };
  checkOptions(o);
  const widthsFor = (d: number) => o.d_inner.filter((f) => f > o.dInnerRatio * d);
  const headsFor = (d: number) => o.n_head.filter((h) => d % h === 0);
  const dModels = o.d_model.filter((d) => widthsFor(d).length > 0 && headsFor(d).length > 0);
  if (dModels.length === 0) {
    throw new LtsError(`search space brainformer: no d_model choice has a width > ${o.dInnerRatio} x d_model and a dividing n_head`);
  }
  const ffnKinds = o.kinds.filter((k) => k !== 'attn');

  const fresh = (kind: SublayerKind, d: number, rng: Rng): Sublayer => {
    if (kind === 'attn') return { kind, n_head: rng.choice(headsFor(d)) };
    const d_inner = rng.choice(widthsFor(d));
    const act = rng.choice(o.act);
    if (kind === 'ffn') return { kind, d_inner, act };
    const experts = rng.choice(o.experts);
    return { kind, experts, top_k: rng.choice(o.top_k.filter((k) => k <= experts)), d_inner, act };
  };

  // Re-draw what no longer fits d_model, keep the layout inside its length range, and put back a
  // missing attention or feed-forward sub-layer (replacing a random one of the kind there is more of).
  const repair = (cfg: BrainformerConfig, rng: Rng): BrainformerConfig => {
    const d = cfg.d_model;
    const minF = o.dInnerRatio * d;
    let layout = cfg.layout.map((s): Sublayer => {
      if (s.kind === 'attn') return d % s.n_head === 0 ? s : { ...s, n_head: rng.choice(headsFor(d)) };
      return s.d_inner > minF ? s : { ...s, d_inner: rng.choice(widthsFor(d)) };
    });
    const lo = Math.min(...o.block_len);
    const hi = Math.max(...o.block_len);
    while (layout.length > hi) layout.splice(rng.int(0, layout.length - 1), 1);
    while (layout.length < lo) layout.splice(rng.int(0, layout.length), 0, fresh(rng.choice(o.kinds), d, rng));
    const attn = layout.filter((s) => s.kind === 'attn').length;
    if (attn === 0 || attn === layout.length) {
      const missing: SublayerKind = attn === 0 ? 'attn' : rng.choice(ffnKinds);
      layout = [...layout];
      layout[rng.int(0, layout.length - 1)] = fresh(missing, d, rng);
    }
    return { ...cfg, layout };
  };

  const resize = (s: Sublayer, d: number, rng: Rng): Sublayer => {
    const p = MUTATION_PROB;
    if (s.kind === 'attn') return { ...s, n_head: rng.bool(p) ? rng.choice(headsFor(d)) : s.n_head };
    const d_inner = rng.bool(p) ? rng.choice(widthsFor(d)) : s.d_inner;
    const act = rng.bool(p) ? rng.choice(o.act) : s.act;
    if (s.kind === 'ffn') return { ...s, d_inner, act };
    const experts = rng.bool(p) ? rng.choice(o.experts) : s.experts;
    const kChoices = o.top_k.filter((k) => k <= experts);
    const top_k = rng.bool(p) || !kChoices.includes(s.top_k) ? rng.choice(kChoices) : s.top_k;
    return { ...s, experts, top_k, d_inner, act };
  };

  const validate = (cfg: BrainformerConfig): string | null => {
    if (cfg.family !== 'brainformer') return `family: family: ${JSON.stringify(cfg.family)} is not brainformer`;
    const bad = checkStructure(cfg);
    if (bad) return bad;
    const p = brainformerParams(cfg);
    const v = proxyParams(p, o.proxy);
    if (v < o.bounds.min || v > o.bounds.max) return `bounds: ${o.proxy} params: ${v} outside ${o.bounds.min}..${o.bounds.max}`;
    if (p.total > o.max_total_params) return `max-total-params: total_params: ${p.total} exceed ${o.max_total_params} (every expert and the embedding)`;
    return null;
  };

  const fixed = { vocab_size: o.vocab_size, n_positions: o.n_positions };

  return {
    family: 'brainformer',
    options: o,
    repair,
    sample(rng) {
      for (let t = 0; t < MAX_SAMPLE_TRIES; t++) {
        const d_model = rng.choice(dModels);
        const n = rng.choice(o.block_len);
        const layout = Array.from({ length: n }, () => fresh(rng.choice(o.kinds), d_model, rng));
        const cfg = repair({ family: 'brainformer', d_model, layout, stack: rng.choice(o.stack), ...fixed }, rng);
        if (validate(cfg) === null) return cfg;
      }
      throw new LtsError(
        `search space brainformer: no valid candidate in ${MAX_SAMPLE_TRIES} draws; bounds ${o.bounds.min}..${o.bounds.max} (${o.proxy}) and max_total_params ${o.max_total_params} may be out of the space's reach`,
      );
    },
    mutate(parent, rng) {
      if (parent.family !== 'brainformer') throw new LtsError(`cannot mutate a ${parent.family} candidate in the brainformer space`);
      const p = MUTATION_PROB;
      const d = rng.bool(p) ? rng.choice(dModels) : parent.d_model;
      // Per sub-layer: its kind changed (a fresh sub-layer of another kind) or its sizes re-drawn.
      const layout = parent.layout.map((s) => {
        if (rng.bool(p / 2)) return fresh(rng.choice(o.kinds.filter((k) => k !== s.kind)), d, rng); // kinds has >= 2
        return resize(s, d, rng);
      });
      const hi = Math.max(...o.block_len);
      const lo = Math.min(...o.block_len);
      if (rng.bool(p) && layout.length < hi) layout.splice(rng.int(0, layout.length), 0, fresh(rng.choice(o.kinds), d, rng));
      if (rng.bool(p) && layout.length > lo) layout.splice(rng.int(0, layout.length - 1), 1);
      if (rng.bool(p) && layout.length >= 2) {
        const i = rng.int(0, layout.length - 1);
        const j = rng.int(0, layout.length - 1);
        [layout[i], layout[j]] = [layout[j]!, layout[i]!];
      }
      const stack = rng.bool(p) ? rng.choice(o.stack) : parent.stack;
      return repair({ family: 'brainformer', d_model: d, layout, stack, ...fixed }, rng);
    },
    crossover(a, b, rng) {
      if (a.family !== 'brainformer' || b.family !== 'brainformer') {
        throw new LtsError(`crossover across families (${a.family} x ${b.family}) is not allowed`);
      }
      const pick = <T>(x: T, y: T): T => (rng.bool(0.5) ? x : y);
      const d_model = pick(a.d_model, b.d_model);
      // Slot by slot from either parent, over the length of either; a slot only one parent has comes from it.
      const n = pick(a.layout.length, b.layout.length);
      const layout = Array.from({ length: n }, (_, t) => {
        const [x, y] = [a.layout[t], b.layout[t]];
        return x && y ? pick(x, y) : (x ?? y)!;
      });
      return repair({ family: 'brainformer', d_model, layout, stack: pick(a.stack, b.stack), ...fixed }, rng);
    },
    validate,
  };
}
