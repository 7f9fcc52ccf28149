// Contenders: candidates whose frontier membership depends on a cost difference smaller than the real
// spread of a measurement. Measuring them again (interleaved with the neighbour that would take or lose
// their place) and combining is where extra measurements buy the most: elsewhere a few % cannot change
// the frontier.
import type { Metric } from '../profile/types.js';
import { metricValue } from './objectives.js';
import type { CandidateRecord } from './types.js';

export interface Contender {
  key: string;
  /** The candidate whose dominance over (or by) this one flips within the spread. */
  neighbour: string;
  /** |log cost ratio| between the two on the closest cost: smaller = more in doubt. */
  closeness: number;
}

/** x dominates c with c's costs multiplied by `scale`: params at least c's, every cost at most, one strictly better. */
function dominates(x: CandidateRecord, c: CandidateRecord, metrics: readonly Metric[], scale: number): boolean {
  if (x.decoder_params < c.decoder_params) return false;
  let strict = x.decoder_params > c.decoder_params;
  for (const m of metrics) {
    const xv = metricValue(x, m)!;
    const cv = metricValue(c, m)! * (m === 'memory' ? 1 : scale);
    if (xv > cv) return false;
    if (xv < cv) strict = true;
  }
  return strict;
}

/**
 * Candidates (feasible records, costs as the frontier sees them) whose membership changes when their
 * time costs move by +-`spread` (relative), each with the neighbour deciding it; the most doubtful
 * first, at most `limit`, none whose key is in `skip` (measured again already).
 */
export function findContenders(
  records: readonly CandidateRecord[],
  metrics: readonly Metric[],
  spread: number,
  limit: number,
  skip: ReadonlySet<string>,
): Contender[] {
  if (spread <= 0 || limit <= 0 || !metrics.some((m) => m !== 'memory')) return [];
  const out: Contender[] = [];
  for (const c of records) {
    if (skip.has(c.key)) continue;
    const fast = records.some((x) => x !== c && dominates(x, c, metrics, 1 - spread));
    const slow = records.some((x) => x !== c && dominates(x, c, metrics, 1 + spread));
    if (fast === slow) continue;
    let best: Contender | undefined;
    for (const x of records) {
      if (x === c || skip.has(x.key)) continue;
      if (dominates(x, c, metrics, 1 - spread) === dominates(x, c, metrics, 1 + spread)) continue;
      const closeness = Math.min(
        ...metrics.filter((m) => m !== 'memory').map((m) => Math.abs(Math.log(metricValue(x, m)! / metricValue(c, m)!))),
      );
      if (!best || closeness < best.closeness) best = { key: c.key, neighbour: x.key, closeness };
    }
    if (best) out.push(best);
  }
  out.sort((a, b) => a.closeness - b.closeness || (a.key < b.key ? -1 : 1));
  // A neighbour is measured with its contender, so it is not taken again as a contender of its own.
  const taken = new Set<string>();
  const chosen: Contender[] = [];
  for (const c of out) {
    if (chosen.length >= limit) break;
    if (taken.has(c.key) || taken.has(c.neighbour)) continue;
    taken.add(c.key).add(c.neighbour);
    chosen.push(c);
  }
  return chosen;
}
