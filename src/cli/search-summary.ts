// What `lts search` prints at the end: the frontier in short, and why a search that produced nothing usable failed.
import { chosenProxy } from '../search/proxy-choice.js';
import { join } from 'node:path';
import { formatPrediction } from '../calibrate/interval.js';
import type { SearchOutcome } from '../search/loop.js';
import { metricValue } from '../search/objectives.js';
import { failureReasons, PARETO_FILE } from '../search/results.js';
import type { ParetoFile } from '../search/types.js';

const SUMMARY_ROWS = 20;

/** `, ppl 36 [31-42]` with the interval's precision (tags once, in the header), or the bare value of an older file. */
function pplSummary(f: ParetoFile['frontier'][number]): string {
  if (f.predicted_ppl === undefined) return '';
  const i = f.predicted_ppl_interval;
  if (!i) return `, ppl ~${f.predicted_ppl.toFixed(1)}`;
  return `, ppl ${formatPrediction({ ...i, ppl: f.predicted_ppl }, { tags: false })}${i.in_range ? '' : ' extrapolated'}`;
}

export function summary(p: ParetoFile, dir: string): string {
  const c = p.counts;
  const ivl = p.frontier.find((f) => f.predicted_ppl_interval)?.predicted_ppl_interval;
  const pplNote = ivl ? `; ppl: predicted, 90 % interval${ivl.anchored ? '' : ' (unanchored: recipe unknown, see lts calibrate --anchor)'}` : '';
  const screened = c.screened !== undefined ? `, ${c.screened} screened out (${c.audited ?? 0} audited, ${c.audit_on_frontier ?? 0} of those on the frontier)` : '';
  const head = `${c.evaluated} evaluated (${c.failed} failed)${screened}, ${c.frontier} on the frontier, stopped by ${c.stopped_by} after ${c.iterations_done}/${p.settings.iterations} iterations${pplNote}`;
  const rows = p.frontier.map((f) => {
    const costs = p.settings.metrics
      .map((m) => (m === 'latency' ? `latency ${f.latency?.median_ms.toFixed(2)} ms` : m === 'decode' ? `decode ${f.decode?.median_ms.toFixed(3)} ms` : `memory ${f.memory?.inference_peak_mb.toFixed(1)} MB`))
      .join(', ');
    const ppl = pplSummary(f);
    // A family whose proxy is one of several counts names the one chosen (e.g. `effective params`).
    const chosen = chosenProxy(p.settings, f.family);
    return `  ${f.id.padEnd(18)} ${(f.decoder_params / 1e6).toFixed(2).padStart(7)}M ${chosen ? `${chosen} params` : 'decoder params'}, ${costs}${ppl}`;
  });
  // A long frontier is for pareto.json and the report; the terminal gets its ends.
  const shown = rows.length > SUMMARY_ROWS ? [...rows.slice(0, SUMMARY_ROWS / 2), `  ... ${rows.length - SUMMARY_ROWS} more ...`, ...rows.slice(-SUMMARY_ROWS / 2)] : rows;
  return [head, ...shown, `results: ${join(dir, PARETO_FILE)}`].join('\n');
}

/**
 * What the end of a search adds to its summary, and the exit code it calls for: a search in which no
 * candidate was measured successfully has produced nothing usable and fails (exit 1), with the reasons.
 */
export function endNote(outcome: Pick<SearchOutcome, 'pareto' | 'history' | 'stoppedBy'>): { lines: string[]; exitCode: number } {
  const c = outcome.pareto.counts;
  const lines: string[] = [];
  let exitCode = 0;
  if (outcome.stoppedBy === 'evaluators_lost') {
    lines.push('lts: every evaluator became unusable; results so far are written, continue with --resume');
    exitCode = 1;
  }
  if (c.evaluated > 0 && c.failed === c.evaluated) {
    lines.push(`lts: no candidate was measured successfully: ${failureReasons(outcome.history)} (see candidates.jsonl; check the device profile's limits and providers)`);
    exitCode = 1;
  } else if (c.evaluated === 0 && outcome.stoppedBy === 'budget') {
    lines.push('lts: the budget ran out before any candidate was measured; resume with a larger --budget');
  } else if (c.frontier === 0 && c.evaluated > c.failed) {
    // Measured, yet nothing qualifies: a cost the device never reported, or the latency constraint.
    const ok = outcome.history.filter((r) => r.measurement.ok);
    const missing = outcome.pareto.settings.metrics.filter((m) => ok.every((r) => metricValue(r, m) === undefined));
    if (missing.length > 0) {
      const hint = missing.includes('memory') ? ' (memory needs a resettable high-water mark: Linux with /proc/self/clear_refs writable)' : '';
      lines.push(`lts: the device reported no ${missing.join(' or ')} figures for any measured candidate, so none can be on the frontier${hint}`);
      exitCode = 1;
    } else if (outcome.pareto.settings.latency_max_ms !== undefined) {
      lines.push(`lts: no measured candidate met --latency-max ${outcome.pareto.settings.latency_max_ms} ms`);
    }
  }
  // An interrupt keeps its own code even when nothing succeeded so far.
  if (outcome.stoppedBy === 'interrupt') exitCode = 130;
  return { lines, exitCode };
}
