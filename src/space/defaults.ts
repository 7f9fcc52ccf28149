// Reference defaults for the LTS search space (reference §3), per family. Every list and bound is overridable.
import type { Family } from './types.js';

export interface ParamBounds {
  /** Inclusive decoder-parameter bounds. */
  min: number;
  max: number;
}

export interface SpaceOptions {
  /** Choices for each gene. d_inner values are further restricted per candidate to > dInnerRatio x d_model. */
  n_layer: number[];
  d_model: number[];
  d_inner: number[];
  n_head: number[];
  div_val: number[];
  /** Primer switches to draw from (family 'primer' only; ignored elsewhere). */
  primer_square: boolean[];
  primer_conv: boolean[];
  /** Decoder-parameter bounds a valid candidate must lie in. */
  bounds: ParamBounds;
  /** Fixed (not searched) model settings. d_embed undefined: each candidate's d_model. */
  vocab_size: number;
  cutoffs: number[];
  n_positions: number;
  d_embed?: number;
  /** d_inner must exceed this multiple of d_model. */
  dInnerRatio: number;
}

export const GPT2_VOCAB = 50257;
export const TXL_WT103_VOCAB = 267735;
export const TXL_WT103_CUTOFFS: readonly number[] = [19997, 39997, 199997];
export const DEFAULT_N_POSITIONS = 1024;
export const D_INNER_RATIO = 1.7;

function range(lo: number, hi: number, step: number): number[] {
  const out: number[] = [];
  for (let v = lo; v <= hi; v += step) out.push(v);
  return out;
}

/** Family vocabulary defaults: the archai wt103 cutoffs, clipped to below the vocabulary. */
export function familyVocab(family: Family): { vocab_size: number; cutoffs: number[] } {
  const vocab_size = family === 'transfo-xl' ? TXL_WT103_VOCAB : GPT2_VOCAB;
  return { vocab_size, cutoffs: clipCutoffs(TXL_WT103_CUTOFFS, vocab_size) };
}

export function clipCutoffs(cutoffs: readonly number[], vocab: number): number[] {
  return cutoffs.filter((c) => c < vocab);
}

/** div_val for a user config that omits it: HF GPT-2 uses a plain tied embedding, HF Transformer-XL wt103 div_val 4. */
export function defaultDivVal(family: Family): number {
  return family === 'transfo-xl' ? 4 : 0;
}

export function defaultSpaceOptions(family: Family): SpaceOptions {
  return {
    n_layer: range(3, 10, 1),
    d_model: range(128, 960, 64),
    d_inner: range(128, 4032, 64),
    n_head: [2, 4, 8],
    div_val: [1, 2, 4],
    primer_square: [false, true],
    primer_conv: [false, true],
    bounds: { min: family === 'transfo-xl' ? 4e6 : 6e6, max: 100e6 },
    ...familyVocab(family),
    n_positions: DEFAULT_N_POSITIONS,
    dInnerRatio: D_INNER_RATIO,
  };
}
