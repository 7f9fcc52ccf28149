// How far behind the frontier a search's children land: the premise screening rests on. For every
// child (generation >= 1) of a run, its measured cost over the best cost measured before its generation
// at as many decoder params or more (the point that would dominate it): below 1 the child moved the
// frontier, above 1 + m it was dominated by more than a margin m, which is what a perfect cost model
// could have screened. With --predicted, the same for the screened run's optimistic prediction (the low
// end the screen uses) and its mean.
//
//   node dist/bench/frontier-distance.js <run-dir> [--metric latency|decode] [--predicted]
import { parseArgs } from 'node:util';
import { quantileSorted } from 'simple-statistics';
import { readCandidates } from '../src/search/results.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { metric: { type: 'string', default: 'latency' }, predicted: { type: 'boolean', default: false } },
});
const dir = positionals[0];
const metric = values.metric as 'latency' | 'decode';
if (!dir || (metric !== 'latency' && metric !== 'decode')) {
  console.error('usage: node dist/bench/frontier-distance.js <run-dir> [--metric latency|decode] [--predicted]');
  process.exit(2);
}
const { records, screened } = readCandidates(dir);
const measured = records.filter((r) => r.measurement.ok && r.measurement[metric]);
const cost = (r: (typeof measured)[number]): number => r.measurement[metric]!.median_ms;

/** Ratio of `c` to the best cost measured before `iteration` at >= `params` decoder params (undefined: nothing there). */
function behind(c: number, params: number, iteration: number): number | undefined {
  let best = Infinity;
  for (const q of measured) if (q.iteration < iteration && q.decoder_params >= params) best = Math.min(best, cost(q));
  return Number.isFinite(best) ? c / best : undefined;
}

function report(name: string, ratios: number[]): void {
  const r = ratios.sort((a, b) => a - b);
  if (r.length === 0) return console.log(`${name}: no child with a measured point above it`);
  const over = (m: number): string => `${((100 * r.filter((x) => x > 1 + m).length) / r.length).toFixed(0)} %`.padStart(5);
  const q = (p: number): string => quantileSorted(r, p).toFixed(3);
  console.log(
    `${name.padEnd(22)} ${String(r.length).padStart(5)}  moved the frontier ${`${((100 * r.filter((x) => x < 1).length) / r.length).toFixed(0)} %`.padStart(5)}  behind >0 % ${over(0)}  >2 % ${over(0.02)}  >5 % ${over(0.05)}  >10 % ${over(0.1)}   quartiles ${q(0.25)} ${q(0.5)} ${q(0.75)}`,
  );
}

console.log(`${dir}: ${metric}, children of generations >= 1 against the best point measured before their generation with at least their decoder params`);
const children = measured.filter((r) => r.iteration > 0);
report('measured', children.flatMap((r) => behind(cost(r), r.decoder_params, r.iteration) ?? []));
if (values.predicted) {
  const predicted = [...records.filter((r) => r.iteration > 0), ...screened].flatMap((r) => {
    const p = r.prediction?.[metric];
    return p ? [{ p, params: r.decoder_params, iteration: r.iteration }] : [];
  });
  report('predicted (mean)', predicted.flatMap((x) => behind(x.p.mean, x.params, x.iteration) ?? []));
  report('predicted (low end)', predicted.flatMap((x) => behind(x.p.low, x.params, x.iteration) ?? []));
}
