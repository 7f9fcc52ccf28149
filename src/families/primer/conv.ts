// Primer's depthwise conv: a causal conv of width 3 over time on each of Q, K, V (one kernel per
// channel, no bias), applied to GPT-2's fused q|k|v as its variant's qkvTransform. Decode mode carries
// the conv state, the last 2 pre-conv rows of q|k|v: `past_conv.{i}.q/.k/.v` [batch, 2, a_i] in,
// `present_conv.{i}.*` out (also from a prefill graph built with presentState).
import type { Gpt2Ctx, Gpt2Layer } from '../gpt2/graph.js';

const pfx = (i: number): string => `transformer.h.${i}`;

/** Prefill with presentState: the conv state is the last 2 pre-conv rows (zeros before the start). */
function convStateOut(c: Gpt2Ctx, L: Gpt2Layer, qkv: string): void {
  const { g } = c;
  let rows = qkv; // [B, S, 3a]
  if (c.S < 2) rows = g.node('Pad', [qkv, g.constI64([0, 2 - c.S, 0, 0, 0, 0])]);
  const last2 = g.node('Slice', [rows, g.constI64([-2]), g.constI64([2 ** 31 - 1]), g.constI64([1])]);
  g.nodeN('Split', [last2], 3, { axis: 2 }).forEach((t, j) =>
    g.output(t, `present_conv.${L.i}.${'qkv'[j]}`, 'float32', [c.B, 2, L.a]));
}

/** q|k|v [B, S, 3a] -> the same after the causal depthwise conv of width 3. */
export function qkvConv(c: Gpt2Ctx, L: Gpt2Layer, qkv: string): string {
  const { g } = c;
  if (c.presentState) convStateOut(c, L, qkv);
  const C = 3 * L.a;
  const weight = g.node('Concat', (['q', 'k', 'v'] as const).map((p) =>
    c.w.get(`${pfx(L.i)}.attn.${p}_dconv.weight`, [L.a, 1, 3], 'conv')), { axis: 0 }); // [3a, 1, 3]
  if (!c.decode) {
    const xt = g.node('Transpose', [qkv], { perm: [0, 2, 1] }); // [B, 3a, S]
    const y = g.node('Conv', [xt, weight], { group: C, kernel_shape: [3], pads: [2, 0] }); // zeros before t=0
    return g.node('Transpose', [y], { perm: [0, 2, 1] }); // [B, S, 3a]
  }
  // Decode: the window is the 2 cached pre-conv rows followed by the new row.
  const past = (['q', 'k', 'v'] as const).map((p) => g.input(`past_conv.${L.i}.${p}`, 'float32', [c.B, 2, L.a]));
  const win = g.node('Concat', [g.node('Concat', past, { axis: 2 }), qkv], { axis: 1 }); // [B, 3, 3a]
  const present = g.nodeN('Split', [g.node('Slice', [win, g.constI64([1]), g.constI64([3]), g.constI64([1])])], 3, { axis: 2 });
  present.forEach((t, j) => g.output(t, `present_conv.${L.i}.${'qkv'[j]}`, 'float32', [c.B, 2, L.a]));
  const y = g.node('Conv', [g.node('Transpose', [win], { perm: [0, 2, 1] }), weight], { group: C, kernel_shape: [3] }); // [B, 3a, 1]
  return g.node('Transpose', [y], { perm: [0, 2, 1] }); // [B, 1, 3a]
}
