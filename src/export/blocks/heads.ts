// Splitting the attention width into heads and merging it back.
import type { GraphBuilder } from '../graph.js';

/** [B, T, H*hd] -> [B, H, T, hd] (or [B, H, hd, T] with keyT, a key ready for q k^T). */
export function splitHeads(g: GraphBuilder, x: string, B: number, T: number, H: number, hd: number, keyT = false): string {
  const r = g.node('Reshape', [x, g.constI64([B, T, H, hd])]);
  return g.node('Transpose', [r], { perm: keyT ? [0, 2, 3, 1] : [0, 2, 1, 3] });
}

/** [B, H, S, hd] -> [B, S, H*hd] */
export function mergeHeads(g: GraphBuilder, x: string, B: number, S: number, a: number): string {
  const y = g.node('Transpose', [x], { perm: [0, 2, 1, 3] }); // [B, S, H, hd]
  return g.node('Reshape', [y, g.constI64([B, S, a])]);
}
