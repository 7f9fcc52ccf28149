// Where a real search's time went, per candidate, read back from its run directory: of each measured
// candidate's wall time (as the search saw it, process start-up included), how much was outside the
// timed phase (warm-up and timed runs): start-up, export and session creation. Reported for the median
// candidate (by wall time), as the median share over candidates, and over the whole run. Given several
// run directories (the same seed and settings, say before and after a change), each is reported over
// the candidates all of them measured, so the figures compare the same models.
//
//   node dist/bench/run-overhead.js <run-dir> [<run-dir> ...]
import { quantileSorted } from 'simple-statistics';
import { readCandidates } from '../src/search/results.js';

const dirs = process.argv.slice(2);
if (dirs.length === 0) {
  console.error('usage: node dist/bench/run-overhead.js <run-dir> [<run-dir> ...]');
  process.exit(2);
}
const runs = dirs.map((d) => readCandidates(d).records.filter((r) => r.measurement.ok));
const common = new Set(runs[0]!.map((r) => r.key).filter((k) => runs.every((rs) => rs.some((r) => r.key === k))));
for (const [i, dir] of dirs.entries()) report(dir, runs[i]!.filter((r) => common.has(r.key)));

function report(dir: string, records: ReturnType<typeof readCandidates>['records']): void {
  const rows = records
    .map((r) => {
      const t = r.measurement.timing;
      return { id: r.id, total: t.total_ms, export: t.export_ms, session: t.session_ms, measure: t.measure_ms, startup: t.total_ms - t.export_ms - t.session_ms - t.measure_ms };
    })
    .sort((a, b) => a.total - b.total);
  if (rows.length === 0) {
    console.log(`${dir}: no measured candidate${dirs.length > 1 ? ' common to every run' : ''}`);
    return;
  }
  const s = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;
  const share = (r: (typeof rows)[number]): number => (r.total - r.measure) / r.total;
  const mid = rows[Math.floor((rows.length - 1) / 2)]!;
  const shares = rows.map(share).sort((a, b) => a - b);
  const sum = (k: 'total' | 'measure' | 'export' | 'session' | 'startup'): number => rows.reduce((x, r) => x + r[k], 0);
  console.log(`${dir}: ${rows.length} measured candidates${dirs.length > 1 ? ' (those every run measured)' : ''}`);
  console.log(
    `median candidate (by wall time) ${mid.id}: wall ${s(mid.total)} = start-up ${s(mid.startup)} + export ${s(mid.export)} + session ${s(mid.session)} + timed phase ${s(mid.measure)}; outside the timed phase ${(100 * share(mid)).toFixed(1)} %`,
  );
  console.log(`share outside the timed phase per candidate: median ${(100 * quantileSorted(shares, 0.5)).toFixed(1)} %, p10 ${(100 * quantileSorted(shares, 0.1)).toFixed(1)} %, p90 ${(100 * quantileSorted(shares, 0.9)).toFixed(1)} %`);
  console.log(
    `whole run: ${s(sum('total'))} of candidate wall time, start-up ${s(sum('startup'))}, export ${s(sum('export'))}, session ${s(sum('session'))}, timed phase ${s(sum('measure'))}; outside the timed phase ${((100 * (sum('total') - sum('measure'))) / sum('total')).toFixed(1)} %`,
  );
}
