// Rank statistics for judging a proxy (decoder params) against a target (perplexity). Pure functions.
import { LtsError } from './errors.js';

function checkPaired(x: readonly number[], y: readonly number[]): void {
  if (x.length !== y.length) throw new LtsError(`rank statistics need paired samples (got ${x.length} and ${y.length})`);
  for (const v of [...x, ...y]) if (!Number.isFinite(v)) throw new LtsError(`rank statistics need finite numbers, got ${v}`);
}

/** 1-based ranks, ties given the mean of the ranks they span (fractional ranking). */
export function averageRanks(x: readonly number[]): number[] {
  const order = x.map((_, i) => i).sort((a, b) => x[a]! - x[b]!);
  const ranks = new Array<number>(x.length);
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j + 1 < order.length && x[order[j + 1]!] === x[order[i]!]) j++;
    const r = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) ranks[order[k]!] = r;
    i = j + 1;
  }
  return ranks;
}

function pearson(x: readonly number[], y: readonly number[]): number {
  const n = x.length;
  const mx = x.reduce((s, v) => s + v, 0) / n;
  const my = y.reduce((s, v) => s + v, 0) / n;
  let sxy = 0, sxx = 0, syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = x[i]! - mx, dy = y[i]! - my;
    sxy += dx * dy; sxx += dx * dx; syy += dy * dy;
  }
  return sxx === 0 || syy === 0 ? NaN : sxy / Math.sqrt(sxx * syy);
}

/** Spearman's rho: Pearson correlation of average ranks (correct with ties). NaN when either side is constant. */
export function spearman(x: readonly number[], y: readonly number[]): number {
  checkPaired(x, y);
  if (x.length < 2) return NaN;
  return pearson(averageRanks(x), averageRanks(y));
}

/**
 * Kendall's tau-b: (concordant - discordant) / sqrt((n0 - tiesX) (n0 - tiesY)), pairs tied in x or y
 * counted in neither. O(n^2), which is fine for the few hundred trained models a calibration sees.
 */
export function kendallTauB(x: readonly number[], y: readonly number[]): number {
  checkPaired(x, y);
  const n = x.length;
  let conc = 0, disc = 0, tiesX = 0, tiesY = 0;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const dx = Math.sign(x[i]! - x[j]!);
      const dy = Math.sign(y[i]! - y[j]!);
      if (dx === 0) tiesX++;
      if (dy === 0) tiesY++;
      if (dx !== 0 && dy !== 0) {
        if (dx === dy) conc++;
        else disc++;
      }
    }
  }
  const n0 = (n * (n - 1)) / 2;
  const denom = Math.sqrt((n0 - tiesX) * (n0 - tiesY));
  return denom === 0 ? NaN : (conc - disc) / denom;
}

/** Indices of the k largest values; ties broken by position so the result is deterministic. */
function topIndices(v: readonly number[], k: number): Set<number> {
  const order = v.map((_, i) => i).sort((a, b) => v[b]! - v[a]! || a - b);
  return new Set(order.slice(0, k));
}

/**
 * Top-fraction overlap: of the k = ceil(fraction * n) items best by the target, the fraction that are
 * also among the k best by the proxy. "Best" means largest, so pass -ppl as the target.
 */
export function topOverlap(proxy: readonly number[], target: readonly number[], fraction: number): number {
  checkPaired(proxy, target);
  if (!(fraction > 0 && fraction <= 1)) throw new LtsError(`top fraction must be in (0, 1], got ${fraction}`);
  const n = proxy.length;
  if (n === 0) return NaN;
  const k = Math.max(1, Math.ceil(fraction * n));
  const byTarget = topIndices(target, k);
  const byProxy = topIndices(proxy, k);
  let both = 0;
  for (const i of byTarget) if (byProxy.has(i)) both++;
  return both / k;
}
