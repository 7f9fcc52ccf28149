// Search progress on stderr: a cli-progress bar on a terminal, plain throttled lines otherwise (logs, CI).
import cliProgress from 'cli-progress';
import type { CandidateRecord, SearchProgress, SearchSettings } from './types.js';

/** The loop's state as progress counts it. */
export interface ProgressState {
  settings: SearchSettings;
  iteration: number;
  /** Every result so far, the running generation's included. */
  records: readonly CandidateRecord[];
  /** Children screened so far; undefined when the run does not screen. */
  screened?: number;
  measuredNow: number;
  measureMsTotal: number;
  cached: number;
  frontier: number;
  elapsedMs: number;
  /** Time to the budget's end (Infinity without a budget). */
  msLeft: number;
  evaluators: number;
}

export function searchProgress(st: ProgressState): SearchProgress {
  const s = st.settings;
  const screened = st.screened ?? 0;
  const planned = s.population + s.iterations * (s.mutations + s.crossovers) - screened;
  // Mean measuring time so far, shared across the evaluators; capped by the budget.
  const perCandidate = st.measuredNow > 0 ? st.measureMsTotal / st.measuredNow / Math.max(1, st.evaluators) : undefined;
  return {
    iteration: st.iteration,
    iterations: s.iterations,
    evaluated: st.records.length,
    failed: st.records.filter((r) => !r.measurement.ok).length,
    measured_now: st.measuredNow,
    cached: st.cached,
    frontier: st.frontier,
    planned,
    ...(st.screened !== undefined ? { screened } : {}),
    elapsed_ms: st.elapsedMs,
    eta_ms: perCandidate === undefined ? undefined : Math.min(Math.max(0, planned - st.records.length) * perCandidate, Math.max(0, st.msLeft)),
    evaluators: st.evaluators,
  };
}

export function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  return h > 0 ? `${h}h${String(m).padStart(2, '0')}m` : m > 0 ? `${m}m${String(sec).padStart(2, '0')}s` : `${sec}s`;
}

export function progressLine(p: SearchProgress): string {
  const eta = p.eta_ms === undefined ? '?' : formatDuration(p.eta_ms);
  return (
    `iteration ${p.iteration}/${p.iterations}  evaluated ${p.evaluated}/${p.planned}  failed ${p.failed}  ` +
    (p.screened ? `screened ${p.screened}  ` : '') +
    `frontier ${p.frontier}  elapsed ${formatDuration(p.elapsed_ms)}  left ~${eta}` +
    (p.cached > 0 ? `  (resumed: ${p.cached} known)` : '')
  );
}

export interface ProgressReporter {
  update(p: SearchProgress): void;
  /** A diagnostic line that must not be overwritten by the bar. */
  log(line: string): void;
  stop(): void;
}

export function progressReporter(stream: NodeJS.WriteStream = process.stderr, plainEveryMs = 5000): ProgressReporter {
  if (stream.isTTY) {
    const bar = new cliProgress.SingleBar(
      {
        stream,
        format: '{bar} {value}/{total} | it {iteration} | failed {failed} | frontier {frontier} | {elapsed} elapsed, ~{left} left',
        hideCursor: true,
        fps: 5,
        etaBuffer: 50,
      },
      cliProgress.Presets.shades_classic,
    );
    let started = false;
    const payload = (p: SearchProgress) => ({
      iteration: `${p.iteration}/${p.iterations}`,
      failed: p.failed,
      frontier: p.frontier,
      elapsed: formatDuration(p.elapsed_ms),
      left: p.eta_ms === undefined ? '?' : formatDuration(p.eta_ms),
    });
    return {
      update(p) {
        if (!started) {
          bar.start(p.planned, p.evaluated, payload(p));
          started = true;
        } else {
          bar.setTotal(p.planned);
          bar.update(p.evaluated, payload(p));
        }
      },
      log(line) {
        if (started) {
          // Clear the bar's line, print, and let the next update redraw it.
          stream.write('\r\x1b[2K' + line + '\n');
        } else {
          stream.write(line + '\n');
        }
      },
      stop() {
        if (started) bar.stop();
      },
    };
  }
  let lastAt = 0;
  let lastIteration = -1;
  let last: SearchProgress | undefined;
  let lastPrinted: string | undefined;
  const print = (p: SearchProgress) => {
    const line = progressLine(p);
    if (line !== lastPrinted) stream.write(line + '\n');
    lastPrinted = line;
  };
  return {
    update(p) {
      last = p;
      const now = Date.now();
      if (now - lastAt >= plainEveryMs || p.iteration !== lastIteration) {
        lastAt = now;
        lastIteration = p.iteration;
        print(p);
      }
    },
    log(line) {
      stream.write(line + '\n');
    },
    stop() {
      if (last) print(last);
    },
  };
}
