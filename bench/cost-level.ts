// Does the cost model predict the next generation better with its level set by the last one? Replays
// the model on finished run directories: for each generation g >= 1, the model fitted on generations
// < g predicts g's measured children, plainly and levelled (src/cost withRecentLevel: predictions
// times the median measured / predicted of generation g - 1). Prints each run's median absolute error
// over its generations and how many generations exceed 5 %, then the totals per metric, apart for runs
// whose children were ranked (--screen-keep, --screen-breed: the measured children are the ones
// predicted cheapest, so measured / predicted is high by selection too, and the search does not level
// them) and runs where every child the margin left was measured (exhaustive, screened by margin alone).
//
//   node dist/bench/cost-level.js <run dir> [<run dir> ...]
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { median } from 'simple-statistics';
import { fitPredictor, withRecentLevel, type MeasuredConfig } from '../src/cost/index.js';
import { metricValue } from '../src/search/objectives.js';
import { readCandidates } from '../src/search/results.js';
import type { CandidateRecord, ParetoFile } from '../src/search/types.js';

const dirs = process.argv.slice(2);
if (dirs.length === 0) throw new Error('usage: node dist/bench/cost-level.js <run dir> [...]');
const totals = new Map<string, { plain: number[]; levelled: number[] }>();
const over = (xs: number[]): string => `${xs.filter((x) => x > 0.05).length}/${xs.length}`;
const pct = (x: number): string => `${(100 * x).toFixed(1)} %`;

for (const dir of dirs) {
  if (!existsSync(join(dir, 'pareto.json'))) continue;
  const p = JSON.parse(readFileSync(join(dir, 'pareto.json'), 'utf8')) as ParetoFile;
  const metric = p.settings.metrics.find((m) => m !== 'memory');
  if (!metric) continue;
  const setting = { shapes: p.settings.shapes, graph: p.settings.graph };
  // What the search fits on: the drift-corrected median where there is one.
  const cost = (r: CandidateRecord): number | undefined => metricValue(r, metric);
  const ok = readCandidates(dir).records.filter((r) => r.measurement.ok && cost(r) !== undefined);
  const sample = (r: CandidateRecord): MeasuredConfig => ({ config: r.config, costs: [cost(r)] });
  const gens = [...new Set(ok.map((r) => r.iteration))].sort((a, b) => a - b);
  const plain: number[] = [];
  const levelled: number[] = [];
  for (const g of gens.slice(1)) {
    const fitted = fitPredictor(ok.filter((r) => r.iteration < g).map(sample), [metric], setting);
    const level = withRecentLevel(fitted, ok.filter((r) => r.iteration === g - 1).map(sample));
    const cur = ok.filter((r) => r.iteration === g);
    if (cur.length === 0 || !fitted.predict(cur[0]!.config)) continue;
    const err = (q: typeof fitted): number => median(cur.map((r) => Math.abs(q.predict(r.config)![0]!.mean / cost(r)! - 1)));
    plain.push(err(fitted));
    levelled.push(err(level));
  }
  if (plain.length === 0) continue;
  const ranked = p.settings.strategy === 'screened' && ((p.settings.screen_keep ?? 1) < 1 || (p.settings.screen_breed ?? 1) > 1);
  console.log(`${dir.padEnd(28)} ${metric.padEnd(8)} ${ranked ? 'ranked  ' : 'unranked'} median error plain ${pct(median(plain))}, levelled ${pct(median(levelled))}; generations over 5 %: ${over(plain)} plain, ${over(levelled)} levelled`);
  const group = `${metric}, ${ranked ? 'ranked runs' : 'unranked runs'}`;
  const t = totals.get(group) ?? { plain: [], levelled: [] };
  t.plain.push(...plain);
  t.levelled.push(...levelled);
  totals.set(group, t);
}
for (const [group, t] of [...totals].sort(([a], [b]) => (a < b ? -1 : 1))) {
  console.log(`${group}: generations over 5 %: ${over(t.plain)} plain, ${over(t.levelled)} levelled; median of generation medians ${pct(median(t.plain))} plain, ${pct(median(t.levelled))} levelled`);
}
