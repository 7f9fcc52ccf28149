// The run directory a search owns while it runs: made and locked, checked for a run it must not
// overwrite, and (on resume) read back into the measurement cache.
import { existsSync, mkdirSync, readdirSync, rmdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { removeStaleTemps } from '../util/atomic.js';
import { LtsError } from '../util/errors.js';
import { MeasurementCache } from './cache.js';
import { lockRunDir } from './lock.js';
import { CANDIDATES_FILE, PARETO_FILE, readCandidates } from './results.js';
import type { CandidateRecord, ScreenedRecord } from './types.js';

/**
 * Makes and locks `dir`. release() unlocks it, and removes it again if this call made it and the
 * search failed leaving it empty (e.g. no evaluator answered), so a failed start leaves nothing behind.
 */
export function claimRunDirectory(dir: string): { release(succeeded: boolean): void } {
  const made = !existsSync(dir);
  try {
    mkdirSync(dir, { recursive: true });
    const unlock = lockRunDir(dir);
    return {
      release(succeeded) {
        unlock();
        if (made && !succeeded && readdirSync(dir).length === 0) rmdirSync(dir);
      },
    };
  } catch (err) {
    if (err instanceof LtsError) throw err;
    const e = err as NodeJS.ErrnoException;
    const why = e.code === 'EEXIST' || e.code === 'ENOTDIR' ? 'a file is in the way (not a directory)' : (e.code ?? e.message);
    throw new LtsError(`cannot use ${dir} as the run directory: ${why}`);
  }
}

export interface OpenedRun {
  cache: MeasurementCache<CandidateRecord>;
  /**
   * Children screened earlier in this run (resume), by key: judged again, not measured under the same
   * settings. One measured since is taken from the cache and never judged again.
   */
  screened: Map<string, ScreenedRecord>;
  /** Records read back from candidates.jsonl (resume). */
  preloaded: number;
}

/**
 * The cache of measurements the run already holds: none for a new run (which refuses a directory with
 * measured candidates), every record of candidates.jsonl for a resumed one (refusing records measured
 * under another context).
 */
export function openRun(dir: string, context: string, resume: boolean, log: (line: string) => void): OpenedRun {
  const candidatesPath = join(dir, CANDIDATES_FILE);
  if (!resume && existsSync(candidatesPath) && statSync(candidatesPath).size > 0) {
    throw new LtsError(`${dir} already holds measured candidates (${CANDIDATES_FILE}); resume it or choose another directory`);
  }
  // A kill -9 between writing pareto.json's temp file and renaming it leaves the temp file behind.
  removeStaleTemps(join(dir, PARETO_FILE));
  const cache = new MeasurementCache<CandidateRecord>(context);
  const screenedByKey = new Map<string, ScreenedRecord>();
  if (!resume) return { cache, screened: screenedByKey, preloaded: 0 };
  const { records, screened, skippedLines } = readCandidates(dir);
  // Measurements taken on another device or with other settings or seed must not stand in for this
  // run's (the file was copied, or pareto.json replaced): refuse rather than mix them in.
  const foreign = [...records, ...screened].filter((r) => r.context !== undefined && r.context !== context);
  if (foreign.length > 0) {
    throw new LtsError(
      `${candidatesPath}: ${foreign.length} of ${records.length + screened.length} record(s) were measured with another device, settings or seed ` +
        `(${foreign[0]!.context}) than this run's pareto.json (${context}); resume the run they belong to, or start a new search elsewhere`,
    );
  }
  for (const r of records) cache.set(r.key, r);
  for (const r of screened) screenedByKey.set(r.key, r);
  if (skippedLines.length > 0) log(`${CANDIDATES_FILE}: skipped unreadable line(s) ${skippedLines.join(', ')} (left by an interrupted write)`);
  // A child screened once and measured by a later resume: its measured record stands in for both lines.
  const screenedOnly = [...screenedByKey.keys()].filter((k) => !cache.has(k)).length;
  return { cache, screened: screenedByKey, preloaded: cache.size + screenedOnly };
}
