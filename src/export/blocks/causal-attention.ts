// Causal self-attention over Q, K, V given apart, in both graph forms, with the decode cache: what
// GPT-2-style families share after their q|k|v projection (and any transform of it).
//   standard: softmax(q k^T / sqrt(hd) + causal mask) v, written out; one mask constant per graph.
//   ort:      com.microsoft MultiHeadAttention (unidirectional), projection bias and cache handled by the op.
// Decode mode reads `past_key_values.{i}.key/.value` [B, H, P, hd] and writes `present.{i}.key/.value`
// [B, H, P+S, hd] (a prefill graph too, with presentState).
import { LtsError } from '../../util/errors.js';
import type { GraphBuilder } from '../graph.js';
import type { BuildExtras, ExportOptions, GraphForm } from '../types.js';
import { multiHeadAttention, softmaxAttend } from './attention.js';
import { splitHeads } from './heads.js';
import { causalMaskData } from './masks.js';

/** The pass a graph is built for. */
export interface CausalPass {
  g: GraphBuilder;
  form: GraphForm;
  B: number;
  /** New tokens in this pass. */
  S: number;
  /** Cached past positions (0 in prefill). */
  P: number;
  decode: boolean;
  presentState: boolean;
  /** Standard form: the [S, P+S] causal mask, one constant shared by every layer (set on first use). */
  causalMask?: string;
}

/**
 * The shapes of a pass with learned positions: S new tokens after P cached ones (prefill: seq and 0;
 * decode: 1 and context). LtsError for shapes that cannot be built.
 */
export function passShapes(opts: ExportOptions, extras: BuildExtras, nPositions: number): Pick<CausalPass, 'B' | 'S' | 'P' | 'decode' | 'presentState'> {
  const decode = opts.mode === 'decode';
  const B = opts.shapes.batch;
  const S = decode ? 1 : opts.shapes.seq;
  const P = decode ? opts.shapes.context : 0;
  if (!(B >= 1 && S >= 1 && P >= 0)) throw new LtsError(`bad shapes: batch ${B}, seq ${S}, context ${P}`);
  if (P + S > nPositions) throw new LtsError(`${P + S} positions exceed n_positions ${nPositions}`);
  if (decode && extras.presentState) throw new LtsError('presentState applies to prefill graphs only');
  return { B, S, P, decode, presentState: extras.presentState ?? false };
}

/** Layer i's heads: h heads of width hd, attention width a = h * hd. */
export interface AttentionShape {
  i: number;
  h: number;
  hd: number;
  a: number;
}

const kvSpec = (c: CausalPass, L: AttentionShape, T: number): number[] => [c.B, L.h, T, L.hd];

/** Decode: the cached keys and values of layer L, [B, H, P, hd] each. */
function pastKv(c: CausalPass, L: AttentionShape): [string, string] {
  return [
    c.g.input(`past_key_values.${L.i}.key`, 'float32', kvSpec(c, L, c.P)),
    c.g.input(`past_key_values.${L.i}.value`, 'float32', kvSpec(c, L, c.P)),
  ];
}

function presentKv(c: CausalPass, L: AttentionShape, k: string, v: string): void {
  const T = c.P + c.S;
  c.g.output(k, `present.${L.i}.key`, 'float32', kvSpec(c, L, T));
  c.g.output(v, `present.${L.i}.value`, 'float32', kvSpec(c, L, T));
}

function attentionStandard(c: CausalPass, L: AttentionShape, q: string, k: string, v: string): string {
  const { g } = c;
  const qh = g.node('Mul', [splitHeads(g, q, c.B, c.S, L.h, L.hd), g.constF32([1 / Math.sqrt(L.hd)], [], 'attn_scale')]); // [B, H, S, hd]
  let kh = splitHeads(g, k, c.B, c.S, L.h, L.hd); // [B, H, S, hd]
  let vh = splitHeads(g, v, c.B, c.S, L.h, L.hd);
  if (c.decode) {
    const [pk, pv] = pastKv(c, L);
    kh = g.node('Concat', [pk, kh], { axis: 2 }); // [B, H, T, hd]
    vh = g.node('Concat', [pv, vh], { axis: 2 });
  }
  if (c.decode || c.presentState) presentKv(c, L, kh, vh);
  let scores = g.node('MatMul', [qh, g.node('Transpose', [kh], { perm: [0, 1, 3, 2] })]); // [B, H, S, T]
  if (c.S > 1) {
    // A single new token sees every key; otherwise one [S, T] mask constant serves every layer.
    c.causalMask ??= g.constTensor([c.S, c.P + c.S], causalMaskData(c.S, c.P), 'causal_mask');
    scores = g.node('Add', [scores, c.causalMask]);
  }
  return softmaxAttend(g, scores, vh, c.B, c.S, L.a); // [B, S, a]
}

/**
 * q, k, v [B, S, a] (biased, except that the ort form may leave the q|k|v bias [3a] to the op) ->
 * the attention output with heads merged [B, S, a].
 */
export function causalAttention(c: CausalPass, L: AttentionShape, q: string, k: string, v: string, bias = ''): string {
  if (c.form === 'standard') return attentionStandard(c, L, q, k, v);
  const present = c.decode || c.presentState;
  const outs = multiHeadAttention(c.g, { q, k, v, heads: L.h, bias, past: c.decode ? pastKv(c, L) : undefined, causal: true, present });
  if (present) presentKv(c, L, outs[1]!, outs[2]!);
  return outs[0]!;
}
