// Where a real search's time went, per candidate, read back from its run directory: of each measured
// candidate's wall time (as the search saw it, process start-up included), how much was outside the
// timed phase (warm-up and timed runs): start-up, export and session creation. Reported for the median
// candidate (by wall time), as the median share over candidates, and over the whole run.
//
//   node dist/bench/run-overhead.js <run-dir>
import { quantileSorted } from 'simple-statistics';
import { readCandidates } from '../src/search/results.js';

const dir = process.argv[2];
if (!dir) {
  console.error('usage: node dist/bench/run-overhead.js <run-dir>');
  process.exit(2);
}
const rows = readCandidates(dir).records
  .filter((r) => r.measurement.ok)
  .map((r) => {
    const t = r.measurement.timing;
    return { id: r.id, total: t.total_ms, export: t.export_ms, session: t.session_ms, measure: t.measure_ms, startup: t.total_ms - t.export_ms - t.session_ms - t.measure_ms };
  })
  .sort((a, b) => a.total - b.total);
if (rows.length === 0) {
  console.error(`${dir}: no measured candidate`);
  process.exit(1);
}
const s = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;
const share = (r: (typeof rows)[number]): number => (r.total - r.measure) / r.total;
const mid = rows[Math.floor((rows.length - 1) / 2)]!;
const shares = rows.map(share).sort((a, b) => a - b);
const sum = (k: 'total' | 'measure' | 'export' | 'session' | 'startup'): number => rows.reduce((x, r) => x + r[k], 0);
console.log(`${rows.length} measured candidates in ${dir}`);
console.log(
  `median candidate (by wall time) ${mid.id}: wall ${s(mid.total)} = start-up ${s(mid.startup)} + export ${s(mid.export)} + session ${s(mid.session)} + timed phase ${s(mid.measure)}; outside the timed phase ${(100 * share(mid)).toFixed(1)} %`,
);
console.log(`share outside the timed phase per candidate: median ${(100 * quantileSorted(shares, 0.5)).toFixed(1)} %, p10 ${(100 * quantileSorted(shares, 0.1)).toFixed(1)} %, p90 ${(100 * quantileSorted(shares, 0.9)).toFixed(1)} %`);
console.log(
  `whole run: ${s(sum('total'))} of candidate wall time, start-up ${s(sum('startup'))}, export ${s(sum('export'))}, session ${s(sum('session'))}, timed phase ${s(sum('measure'))}; outside the timed phase ${((100 * (sum('total') - sum('measure'))) / sum('total')).toFixed(1)} %`,
);
