// The causal mask, one for every family: query s (at position P + s) sees keys 0 .. P + s.

/**
 * Additive value of a masked score. exp() of it underflows to exactly 0 in float32 (so outputs equal a
 * hard mask), as ORT's mask_filter_value does; -1e4 rather than -1e30 so the same constant is safe in
 * float16 graphs, where -1e30 overflows to -inf and a fully masked row would give NaN.
 */
export const MASKED = -1e4;

/** [S, P+S] additive mask for S new tokens after P earlier positions (cache or memory). */
export function causalMaskData(S: number, P: number): Float32Array {
  const T = P + S;
  const mask = new Float32Array(S * T);
  for (let s = 0; s < S; s++) mask.fill(MASKED, s * T + P + s + 1, (s + 1) * T);
  return mask;
}
