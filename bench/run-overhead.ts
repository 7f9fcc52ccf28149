// Where a real search's time went, per candidate, read back from its run directory: of each measured
// candidate's wall time (as the search saw it, process start-up included), how much was outside the
// timed phase (warm-up and timed runs): start-up, export and session creation. Reported for the median
// candidate (by wall time), as the median share over candidates, and over the whole run. Given several
// run directories (the same seed and settings, say before and after a change), each is reported over
// the candidates all of them measured, so the figures compare the same models, and the timed phases
// are compared too (timed runs taken, and each run's medians against the first run's).
//
// A run that prepared ahead (settings.prepare_ahead) exported and created the next candidate's session
// while the previous one was timed, so what a candidate costs the run is no longer its own wall time:
// it is the device's time, its timed phase plus the idle gap before it, when nothing was timed (its
// preparation where the previous turn did not hide it, start-up, the loop between generations). The
// timed phases' start and end (timing.turn_start / turn_end) give that gap; a candidate's "wall time"
// below is then gap + timed phase, and "outside the timed phase" is the gap.
//
//   node dist/bench/run-overhead.js <run-dir> [<run-dir> ...]
import { quantileSorted } from 'simple-statistics';
import { readCandidates } from '../src/search/results.js';

const dirs = process.argv.slice(2);
if (dirs.length === 0) {
  console.error('usage: node dist/bench/run-overhead.js <run-dir> [<run-dir> ...]');
  process.exit(2);
}
type CandidateRecords = ReturnType<typeof readCandidates>['records'];
interface Row {
  id: string;
  total: number;
  export: number;
  session: number;
  measure: number;
  startup: number;
}

const all = dirs.map((d) => readCandidates(d).records);
const runs = all.map((rs) => rs.filter((r) => r.measurement.ok));
const common = new Set(runs[0]!.map((r) => r.key).filter((k) => runs.every((rs) => rs.some((r) => r.key === k))));
for (const [i, dir] of dirs.entries()) {
  const turns = deviceTurns(all[i]!);
  report(dir, runs[i]!.filter((r) => common.has(r.key)), turns);
}
if (dirs.length > 1) compareTimed();

/** What the runs' timed phases did on the common candidates: runs taken, and each run's medians against the first's. */
function compareTimed(): void {
  const stats = (rs: CandidateRecords) => new Map(rs.filter((r) => common.has(r.key) && r.measurement.latency).map((r) => [r.key, r.measurement.latency!]));
  const by = runs.map(stats);
  const keys = [...by[0]!.keys()].filter((k) => by.every((m) => m.has(k)));
  const total = (m: Map<string, { runs: number; warmup_runs: number }>, f: 'runs' | 'warmup_runs'): number => keys.reduce((a, k) => a + m.get(k)![f], 0);
  console.log(`latency on the ${keys.length} candidates every run measured:`);
  for (const [i, dir] of dirs.entries()) {
    const m = by[i]!;
    let line = `  ${dir}: ${total(m, 'warmup_runs')} warm-up and ${total(m, 'runs')} timed runs`;
    if (i > 0) {
      const d = keys.map((k) => m.get(k)!.median_ms / by[0]!.get(k)!.median_ms - 1);
      const mean = d.reduce((a, x) => a + x, 0) / d.length;
      const sorted = [...d].sort((a, b) => a - b);
      line += `; medians against ${dirs[0]}: mean ${(100 * mean).toFixed(1)} %, median ${(100 * quantileSorted(sorted, 0.5)).toFixed(1)} %, higher for ${d.filter((x) => x > 0).length} of ${d.length}`;
    }
    console.log(line);
  }
}

/** Prepared-ahead runs: each candidate's idle device time before its timed phase (ms), by key; undefined for other runs. */
function deviceTurns(records: CandidateRecords): Map<string, number> | undefined {
  const timed = records.filter((r) => r.measurement.timing.turn_start !== undefined && r.measurement.timing.turn_end !== undefined);
  if (timed.length === 0) return undefined;
  timed.sort((a, b) => a.measurement.timing.turn_start! - b.measurement.timing.turn_start!);
  const gaps = new Map<string, number>();
  let prevEnd: number | undefined;
  for (const r of timed) {
    const t = r.measurement.timing;
    // The first candidate had nothing to hide behind: all of its own time before its turn.
    const gap = prevEnd === undefined ? t.total_ms - (t.wait_ms ?? 0) - (t.turn_end! - t.turn_start!) : Math.max(0, t.turn_start! - prevEnd);
    gaps.set(r.key, gap);
    prevEnd = t.turn_end!;
  }
  return gaps;
}

function report(dir: string, records: CandidateRecords, gaps: Map<string, number> | undefined): void {
  const rows: Row[] = records
    .map((r) => {
      const t = r.measurement.timing;
      const gap = gaps?.get(r.key);
      if (gap !== undefined) {
        const turn = t.turn_end! - t.turn_start!;
        // Export and session creation are shown as the candidate spent them, though the gap hid most of them.
        return { id: r.id, total: gap + turn, export: t.export_ms, session: t.session_ms, measure: turn, startup: 0 };
      }
      return { id: r.id, total: t.total_ms, export: t.export_ms, session: t.session_ms, measure: t.measure_ms, startup: t.total_ms - t.export_ms - t.session_ms - t.measure_ms };
    })
    .sort((a, b) => a.total - b.total);
  if (rows.length === 0) {
    console.log(`${dir}: no measured candidate${dirs.length > 1 ? ' common to every run' : ''}`);
    return;
  }
  const s = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;
  const share = (r: Row): number => (r.total - r.measure) / r.total;
  const mid = rows[Math.floor((rows.length - 1) / 2)]!;
  const shares = rows.map(share).sort((a, b) => a - b);
  const sum = (k: keyof Omit<Row, 'id'>): number => rows.reduce((x, r) => x + r[k], 0);
  const pct = (x: number): string => `${(100 * x).toFixed(1)} %`;
  console.log(`${dir}: ${rows.length} measured candidates${dirs.length > 1 ? ' (those every run measured)' : ''}${gaps ? ', prepared ahead' : ''}`);
  if (gaps) {
    console.log(
      `median candidate (by device time) ${mid.id}: ${s(mid.total)} = idle device before it ${s(mid.total - mid.measure)} + timed phase ${s(mid.measure)} (its export ${s(mid.export)} and session ${s(mid.session)} ran mostly during the previous timed phase); outside the timed phase ${pct(share(mid))}`,
    );
  } else {
    console.log(
      `median candidate (by wall time) ${mid.id}: wall ${s(mid.total)} = start-up ${s(mid.startup)} + export ${s(mid.export)} + session ${s(mid.session)} + timed phase ${s(mid.measure)}; outside the timed phase ${pct(share(mid))}`,
    );
  }
  console.log(`share outside the timed phase per candidate: median ${pct(quantileSorted(shares, 0.5))}, p10 ${pct(quantileSorted(shares, 0.1))}, p90 ${pct(quantileSorted(shares, 0.9))}`);
  if (gaps) {
    console.log(`whole run: ${s(sum('total'))} of device time, idle ${s(sum('total') - sum('measure'))}, timed phase ${s(sum('measure'))}; outside the timed phase ${pct((sum('total') - sum('measure')) / sum('total'))} (export ${s(sum('export'))} and session ${s(sum('session'))} spent, mostly hidden)`);
  } else {
    console.log(
      `whole run: ${s(sum('total'))} of candidate wall time, start-up ${s(sum('startup'))}, export ${s(sum('export'))}, session ${s(sum('session'))}, timed phase ${s(sum('measure'))}; outside the timed phase ${pct((sum('total') - sum('measure')) / sum('total'))}`,
    );
  }
}
