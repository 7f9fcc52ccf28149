// Whether a child is worth measuring: pure functions of its predicted costs and the measured frontier.
// A child is screened when even its optimistic cost (the low end of every interval) is dominated by a
// measured point by more than a margin; a seeded share of those is measured anyway (an audit), so that a
// run reports its own false-screen rate.
import { createHash } from 'node:crypto';

/** A measured frontier point as the screen sees it: decoder params (maximized) and costs (minimized), in metric order. */
export interface ScreenPoint {
  id: string;
  decoder_params: number;
  costs: number[];
}

/** A child before measuring: its exact decoder params and the low end of each predicted cost, in metric order. */
export interface ScreenChild {
  key: string;
  decoder_params: number;
  low: number[];
}

export interface ScreenOptions {
  /** Relative margin: a point must beat the optimistic cost by more than this fraction (0.1 = 10 %). */
  margin: number;
  /** Share of would-be-screened children measured anyway, 0..1. */
  auditShare: number;
  seed: number;
  /** Constraints on costs: index in the cost vector and the largest feasible value (e.g. --latency-max). */
  maxCost?: { index: number; value: number }[];
}

export type ScreenDecision =
  | { action: 'measure' }
  /** Would be screened, but drawn for the audit: measured, and its result says whether screening erred. */
  | { action: 'audit'; by: string }
  | { action: 'screen'; by: string };

/**
 * The measured point that dominates the child's optimistic costs by more than the margin: at least as
 * many decoder params, and every cost below low / (1 + margin). The best such point (most params) is
 * returned so the record names the clearest witness.
 */
export function dominatedBy(child: Pick<ScreenChild, 'decoder_params' | 'low'>, frontier: readonly ScreenPoint[], margin: number): ScreenPoint | undefined {
  let best: ScreenPoint | undefined;
  for (const q of frontier) {
    if (q.decoder_params < child.decoder_params) continue;
    if (!q.costs.every((c, m) => c * (1 + margin) < child.low[m]!)) continue;
    if (!best || q.decoder_params > best.decoder_params) best = q;
  }
  return best;
}

/** A uniform draw in [0, 1) fixed by seed and candidate key: the same child gets the same draw in any order and on resume. */
export function auditDraw(seed: number, key: string): number {
  const h = createHash('sha256').update(`lts-audit|${seed}|${key}`).digest();
  return h.readUIntBE(0, 6) / 2 ** 48;
}

/** Measure, screen or audit one child. */
export function screenDecision(child: ScreenChild, frontier: readonly ScreenPoint[], opts: ScreenOptions): ScreenDecision {
  let by = dominatedBy(child, frontier, opts.margin)?.id;
  // A child whose optimistic cost already breaks a constraint can never be on the frontier either.
  if (by === undefined && opts.maxCost?.some((c) => child.low[c.index]! > c.value * (1 + opts.margin))) by = 'constraint';
  if (by === undefined) return { action: 'measure' };
  return auditDraw(opts.seed, child.key) < opts.auditShare ? { action: 'audit', by } : { action: 'screen', by };
}
