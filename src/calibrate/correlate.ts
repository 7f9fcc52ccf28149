// How well the decoder-parameter proxy ranks trained models by validation perplexity, per group.
import { decoderParams } from '../proxy/index.js';
import type { Family } from '../space/types.js';
import { groupRows, type TrainedTable } from './data.js';
import { kendallTauB, spearman, topOverlap } from '../util/rank.js';

export interface GroupCorrelation {
  group: string;
  families: Family[];
  datasets: string[];
  /** Rows used (with a perplexity). */
  n: number;
  /** Rows left out for having no perplexity. */
  skipped: number;
  /** Rank correlation of decoder params with -ppl (1 = params order models exactly as perplexity does). */
  spearman: number;
  kendall: number;
  /** Of the best 10 % / 50 % by perplexity, the fraction that are also the best 10 % / 50 % by params. */
  top10_overlap: number;
  top50_overlap: number;
}

export function correlateTable(table: TrainedTable): GroupCorrelation[] {
  const out: GroupCorrelation[] = [];
  for (const [group, rows] of groupRows(table.rows)) {
    const params = rows.map((r) => decoderParams(r.config));
    const negPpl = rows.map((r) => -r.ppl);
    out.push({
      group,
      families: [...new Set(rows.map((r) => r.family))],
      datasets: [...new Set(rows.flatMap((r) => (r.dataset ? [r.dataset] : [])))],
      n: rows.length,
      skipped: table.skippedByGroup[group] ?? 0,
      spearman: spearman(params, negPpl),
      kendall: kendallTauB(params, negPpl),
      top10_overlap: topOverlap(params, negPpl, 0.1),
      top50_overlap: topOverlap(params, negPpl, 0.5),
    });
  }
  // Groups whose rows all lacked a perplexity still deserve a line.
  for (const [group, skipped] of Object.entries(table.skippedByGroup)) {
    if (!out.some((g) => g.group === group)) {
      out.push({ group, families: [], datasets: [], n: 0, skipped, spearman: NaN, kendall: NaN, top10_overlap: NaN, top50_overlap: NaN });
    }
  }
  return out;
}
