// Reference defaults shared by the per-layer families (reference §3). Every list and bound is overridable.
import type { BaseSpaceOptions } from '../types.js';

/** The archai wt103 cutoffs: every layered family's default, clipped to below its vocabulary. */
export const WT103_CUTOFFS: readonly number[] = [19997, 39997, 199997];
export const DEFAULT_N_POSITIONS = 1024;
export const D_INNER_RATIO = 1.7;

export interface LayeredSpaceOptions extends BaseSpaceOptions {
  /** Choices for each gene. d_inner values are further restricted per candidate to > dInnerRatio x d_model. */
  n_layer: number[];
  d_model: number[];
  d_inner: number[];
  n_head: number[];
  div_val: number[];
  /** Fixed (not searched) model settings. d_embed undefined: each candidate's d_model. */
  vocab_size: number;
  cutoffs: number[];
  n_positions: number;
  d_embed?: number;
  /** d_inner must exceed this multiple of d_model. */
  dInnerRatio: number;
}

export function clipCutoffs(cutoffs: readonly number[], vocab: number): number[] {
  return cutoffs.filter((c) => c < vocab);
}

function range(lo: number, hi: number, step: number): number[] {
  const out: number[] = [];
  for (let v = lo; v <= hi; v += step) out.push(v);
  return out;
}

/** The reference space over a vocabulary, with the given lower decoder bound. */
export function layeredSpaceOptions(vocab_size: number, minParams: number): LayeredSpaceOptions {
  return {
    n_layer: range(3, 10, 1),
    d_model: range(128, 960, 64),
    d_inner: range(128, 4032, 64),
    n_head: [2, 4, 8],
    div_val: [1, 2, 4],
    bounds: { min: minParams, max: 100e6 },
    vocab_size,
    cutoffs: clipCutoffs(WT103_CUTOFFS, vocab_size),
    n_positions: DEFAULT_N_POSITIONS,
    dInnerRatio: D_INNER_RATIO,
  };
}
