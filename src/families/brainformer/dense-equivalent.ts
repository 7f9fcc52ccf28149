// Dense-equivalent size of a routed (mixture-of-experts) model: Clark et al. 2022, "Unified Scaling
// Laws for Routed Language Models", S-BASE fit, as quoted in reference §9 (the paper's own table was
// not read here). The loss law is
//   log10 L(N, E) = a log10 N + b log10 Ê + c log10 N log10 Ê + d
//   1/Ê = 1/(E - 1 + (1/E_start - 1/E_max)^-1) + 1/E_max
// and the dense-equivalent N̄ solves L(N̄, 1) = L(N, E):
//   N̄ = N^(α(Ê)/α(E_start)) · (Ê/E_start)^(b/α(E_start)),  α(x) = a + c log10 x.
// Fitted at far larger scale (130B tokens, up to 512 experts, models from ~15M to 1.3B dense params)
// than this tool's candidates: a published prior applied below its range, not a measurement.

export const S_BASE = { a: -0.082, b: -0.108, c: 0.009, d: 1.104, eStart: 1.847, eMax: 314.478 } as const;

/** Ê: the saturating transform of the expert count (E = 1 maps to E_start, large E approaches E_max). */
export function saturatedExperts(E: number): number {
  const { eStart, eMax } = S_BASE;
  return 1 / (1 / (E - 1 + 1 / (1 / eStart - 1 / eMax)) + 1 / eMax);
}

/** Dense model size with the loss the law predicts for N params routed over E experts (E = 1: N itself). */
export function denseEquivalent(N: number, E: number): number {
  if (!(E >= 1)) throw new RangeError(`denseEquivalent: E must be >= 1, got ${E}`);
  const { a, b, c, eStart } = S_BASE;
  const alpha = (x: number): number => a + c * Math.log10(x);
  const eHat = saturatedExperts(E);
  const base = alpha(eStart);
  return N ** (alpha(eHat) / base) * (eHat / eStart) ** (b / base);
}
