// The LTS evolutionary loop (reference §4), family-agnostic. Each generation is built from the seeded
// Rng and the frontier of everything measured before it, measured as one batch (concurrently across
// evaluators), and folded into the history in candidate order. So the sequence of candidates depends
// only on the seed and the measured values, never on which evaluator finished first, and a resumed run
// replays the same sequence, taking from the cache what was already measured.
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { paretoFront } from '../pareto/index.js';
import { killedByStopSignal } from '../profile/measure.js';
import type { DeviceProfile, Fingerprint, Measurement } from '../profile/types.js';
import { Rng } from '../util/rng.js';
import type { ArchConfig, Family } from '../space/types.js';
import { LtsError } from '../util/errors.js';
import { JsonlAppender } from '../util/jsonl.js';
import { removeStaleTemps } from '../util/atomic.js';
import { MeasurementCache, measurementContext } from './cache.js';
import { lockRunDir } from './lock.js';
import { feasible, requestedMetrics, searchObjectives } from './objectives.js';
import { CANDIDATES_FILE, failureReasons, frontierPoint, PARETO_FILE, readCandidates, toolVersion, writePareto } from './results.js';
import type { SearchSpaces } from './spaces.js';
import type { CandidateInfo, CandidateRecord, Evaluator, FrontierPoint, ParetoFile, SearchSettings } from './types.js';

export type StopReason = ParetoFile['counts']['stopped_by'];

export interface SearchProgress {
  iteration: number;
  iterations: number;
  /** Candidates with a result (this process's measurements plus those replayed from the cache). */
  evaluated: number;
  failed: number;
  /** Measurements made by this process. */
  measured_now: number;
  /** Results preloaded from the run directory (resume). */
  cached: number;
  frontier: number;
  /** Candidates the full run would evaluate. */
  planned: number;
  elapsed_ms: number;
  /** Rough estimate of the time left, from the mean measurement time so far; undefined until known. */
  eta_ms?: number;
  evaluators: number;
}

export interface Annotation {
  points: FrontierPoint[];
  calibration?: ParetoFile['calibration'];
}

export interface RunSearchOptions {
  outDir: string;
  /** The effective device profile (command-line overrides applied); recorded in pareto.json. */
  device: DeviceProfile;
  settings: SearchSettings;
  evaluators: Evaluator[];
  spaces: SearchSpaces;
  /** Continue the run in outDir: preload its candidates.jsonl and replay. */
  resume?: boolean;
  /** Aborting stops the search after the measurements in flight; results are still written. */
  signal?: AbortSignal;
  /** Clock for the budget (tests pass a fake one). */
  now?: () => number;
  onProgress?: (p: SearchProgress) => void;
  /** Diagnostics (dropped evaluators, skipped lines): one line each. */
  log?: (line: string) => void;
  /** Adds predicted perplexity (or anything else) to frontier points before each write. */
  annotate?: (points: FrontierPoint[]) => Annotation;
  /** Least wall-clock time between pareto.json rewrites within a generation (default 2000 ms; each one fsyncs). */
  liveWriteMs?: number;
}

export interface SearchOutcome {
  pareto: ParetoFile;
  /** Every candidate with a result, in candidate order (replayed ones included). */
  history: CandidateRecord[];
  /** evaluate() calls that produced a record in this process. */
  measuredNow: number;
  stoppedBy: StopReason;
}

/** A child accepted for measuring; its generation travels with the batch it is measured in. */
interface Candidate extends Omit<CandidateInfo, 'iteration'> {
  /** All slots, inactive ones too, so that later mutations can activate them. */
  genome: ArchConfig;
}

/** A candidate whose measuring child keeps dying of stop signals is recorded as failed after this many retries. */
const MAX_SIGNAL_RETRIES = 2;

/** Attempts allowed per wanted child before a generation settles for fewer. */
const ATTEMPTS_PER_CHILD = 50;

export async function runSearch(opts: RunSearchOptions): Promise<SearchOutcome> {
  const s = opts.settings;
  const sp = opts.spaces;
  const now = opts.now ?? Date.now;
  const log = opts.log ?? (() => {});
  const metrics = requestedMetrics(s);
  const objectives = searchObjectives(s.metrics);
  const start = now();
  const deadline = s.budget_minutes !== undefined ? start + s.budget_minutes * 60_000 : Number.POSITIVE_INFINITY;
  if (opts.evaluators.length === 0) throw new LtsError('no evaluator to measure candidates with');
  checkSettings(s);

  let release: () => void;
  try {
    mkdirSync(opts.outDir, { recursive: true });
    release = lockRunDir(opts.outDir);
  } catch (err) {
    if (err instanceof LtsError) throw err;
    const e = err as NodeJS.ErrnoException;
    const why = e.code === 'EEXIST' || e.code === 'ENOTDIR' ? 'a file is in the way (not a directory)' : (e.code ?? e.message);
    throw new LtsError(`cannot use ${opts.outDir} as the run directory: ${why}`);
  }
  try {
    return await search();
  } finally {
    release();
  }

  async function search(): Promise<SearchOutcome> {
    const candidatesPath = join(opts.outDir, CANDIDATES_FILE);
    if (!opts.resume && existsSync(candidatesPath) && statSync(candidatesPath).size > 0) {
      throw new LtsError(`${opts.outDir} already holds measured candidates (${CANDIDATES_FILE}); resume it or choose another directory`);
    }
    // A kill -9 between writing pareto.json's temp file and renaming it leaves the temp file behind.
    removeStaleTemps(join(opts.outDir, PARETO_FILE));
    const context = measurementContext(opts.device, metrics, s.seed);
    const cache = new MeasurementCache<CandidateRecord>(context);
    let preloaded = 0;
    if (opts.resume) {
      const { records, skippedLines } = readCandidates(opts.outDir);
      // Measurements taken on another device or with other settings or seed must not stand in for this
      // run's (the file was copied, or pareto.json replaced): refuse rather than mix them in.
      const foreign = records.filter((r) => r.context !== undefined && r.context !== context);
      if (foreign.length > 0) {
        throw new LtsError(
          `${candidatesPath}: ${foreign.length} of ${records.length} record(s) were measured with another device, settings or seed ` +
            `(${foreign[0]!.context}) than this run's pareto.json (${context}); resume the run they belong to, or start a new search elsewhere`,
        );
      }
      for (const r of records) cache.set(r.key, r);
      preloaded = cache.size;
      if (skippedLines.length > 0) log(`${CANDIDATES_FILE}: skipped unreadable line(s) ${skippedLines.join(', ')} (left by an interrupted write)`);
    }

    const alive = [...opts.evaluators];
    const fingerprint = await firstFingerprint(alive, log);

    const rng = new Rng(s.seed);
    const history: CandidateRecord[] = [];
    const seen = new Set<string>();
    const genomes = new Map<string, ArchConfig>();
    const parentUses = new Map<string, number>();
    let measuredNow = 0;
    let measureMsTotal = 0;
    let iterationsDone = 0;
    let finished = false;
    let iteration = 0;
    let stopReason: StopReason | undefined;
    const planned = s.population + s.iterations * (s.mutations + s.crossovers);

    // Results of the generation being measured, in completion order; folded into history in candidate
    // order once the generation is done. Between generations it is empty, so parents and the final
    // frontier come from history alone.
    let batchDone: CandidateRecord[] = [];
    // Measurements ended by a stop signal, per candidate: retried, but a few times only.
    const signalRetries = new Map<string, number>();
    const front = () => paretoFront([...history, ...batchDone].filter((r) => feasible(r, s)), objectives);

    const progress = () => {
      if (!opts.onProgress) return;
      const elapsed = now() - start;
      const evaluated = history.length + batchDone.length;
      let eta: number | undefined;
      if (measuredNow > 0) {
        const perCandidate = measureMsTotal / measuredNow / Math.max(1, alive.length);
        eta = Math.max(0, planned - evaluated) * perCandidate;
        if (Number.isFinite(deadline)) eta = Math.min(eta, Math.max(0, deadline - now()));
      }
      opts.onProgress({
        iteration,
        iterations: s.iterations,
        evaluated,
        failed: history.filter((r) => !r.measurement.ok).length + batchDone.filter((r) => !r.measurement.ok).length,
        measured_now: measuredNow,
        cached: preloaded,
        frontier: front().length,
        planned,
        elapsed_ms: elapsed,
        eta_ms: eta,
        evaluators: alive.length,
      });
    };
    let lastLiveWrite = 0;

    const stopCheck = (): StopReason | undefined => {
      if (stopReason) return stopReason;
      if (opts.signal?.aborted) return (stopReason = 'interrupt');
      if (now() >= deadline) return (stopReason = 'budget');
      if (alive.length === 0) return (stopReason = 'evaluators_lost');
      return undefined;
    };

    const writeResults = (stoppedBy: StopReason): ParetoFile => {
      let points = front().map(frontierPoint);
      let calibration: ParetoFile['calibration'];
      if (opts.annotate) {
        const a = opts.annotate(points);
        points = a.points;
        calibration = a.calibration;
      }
      const file: ParetoFile = {
        schema_version: 2,
        tool: { name: 'lts', version: toolVersion() },
        created_at: new Date().toISOString(),
        device: opts.device,
        fingerprint: withProvidersRan(fingerprint, [...history, ...batchDone]),
        settings: s,
        ...(calibration ? { calibration } : {}),
        counts: {
          evaluated: history.length + batchDone.length,
          failed: [...history, ...batchDone].filter((r) => !r.measurement.ok).length,
          frontier: points.length,
          iterations_done: iterationsDone,
          stopped_by: stoppedBy,
        },
        frontier: points,
      };
      writePareto(opts.outDir, file);
      return file;
    };

    /** Canonicalize and keep a child only if valid, inside the bounds and never seen (no measuring yet). */
    const accept = (genome: ArchConfig): Candidate | null => {
      const space = sp.space(genome.family);
      if (space.validate(genome) !== null) return null;
      const config = sp.canonical(genome);
      if (space.validate(config) !== null) return null;
      const decoder_params = sp.decoderParams(config);
      if (decoder_params < s.param_min || decoder_params > s.param_max) return null;
      const key = sp.candidateKey(config);
      if (seen.has(key)) return null;
      seen.add(key);
      genomes.set(key, genome);
      const param_counts = sp.paramCounts(config);
      return {
        genome, config, key, id: sp.candidateId(config), family: config.family, decoder_params, total_params: sp.totalParams(config),
        ...(param_counts ? { param_counts } : {}),
      };
    };

    const sampleMany = (count: number): Candidate[] => {
      const out: Candidate[] = [];
      const fams = sp.families;
      for (let a = 0; out.length < count && a < count * ATTEMPTS_PER_CHILD; a++) {
        // Round-robin over families so `--family all` starts with each family represented.
        const family = fams[a % fams.length]!;
        const c = accept(sp.space(family).sample(rng));
        if (c) out.push(c);
      }
      return out;
    };

    const pickParents = (frontier: CandidateRecord[]): CandidateRecord[] => {
      const parents: CandidateRecord[] = [];
      for (let k = 0; k < s.parents; k++) {
        // Less-used parents are more likely: weight 1 / (1 + times already a parent).
        const weights = frontier.map((r) => 1 / (1 + (parentUses.get(r.key) ?? 0)));
        const p = frontier[rng.weightedIndex(weights)]!;
        parentUses.set(p.key, (parentUses.get(p.key) ?? 0) + 1);
        parents.push(p);
      }
      return parents;
    };

    const genomeOf = (r: CandidateRecord): ArchConfig => genomes.get(r.key) ?? r.config;

    const breed = (parents: CandidateRecord[], frontier: CandidateRecord[]): Candidate[] => {
      const out: Candidate[] = [];
      let made = 0;
      for (let a = 0; made < s.mutations && a < s.mutations * ATTEMPTS_PER_CHILD; a++) {
        const p = parents[a % parents.length]!;
        const c = accept(sp.space(p.family).mutate(genomeOf(p), rng));
        if (c) {
          out.push(c);
          made++;
        }
      }
      made = 0;
      for (let a = 0; made < s.crossovers && a < s.crossovers * ATTEMPTS_PER_CHILD; a++) {
        const p = parents[a % parents.length]!;
        // Crossover never mixes families, and needs two distinct parents.
        let mates = parents.filter((q) => q.family === p.family && q.key !== p.key);
        if (mates.length === 0) mates = frontier.filter((q) => q.family === p.family && q.key !== p.key);
        if (mates.length === 0) continue;
        const q = rng.choice(mates);
        const c = accept(sp.space(p.family).crossover(genomeOf(p), genomeOf(q), rng));
        if (c) {
          out.push(c);
          made++;
        }
      }
      return out;
    };

    const appender = new JsonlAppender(candidatesPath);

    /** Measure a generation; returns its records in candidate order and whether every candidate got one. */
    const measureBatch = async (batch: Candidate[], iter: number): Promise<{ records: CandidateRecord[]; complete: boolean }> => {
      const results: (CandidateRecord | undefined)[] = new Array(batch.length);
      const queue: number[] = [];
      batch.forEach((c, i) => {
        const hit = cache.get(c.key);
        if (hit) results[i] = hit;
        else queue.push(i);
      });
      batchDone = results.filter((r): r is CandidateRecord => r !== undefined);
      progress();

      const worker = async (ev: Evaluator): Promise<void> => {
        for (;;) {
          if (stopCheck()) return;
          const i = queue.shift();
          if (i === undefined) return;
          const c = batch[i]!;
          const abortedBefore = opts.signal?.aborted ?? false;
          const t0 = now();
          let m: Measurement;
          try {
            m = await ev.evaluate(c.config, { metrics, seed: s.seed });
          } catch (err) {
            // The evaluator itself is unusable: its candidate goes back for another one.
            queue.unshift(i);
            const at = alive.indexOf(ev);
            if (at >= 0) alive.splice(at, 1);
            log(`evaluator ${ev.name} dropped: ${(err as Error).message}; ${alive.length} left`);
            return;
          }
          const stopSignal = killedByStopSignal(m) && (signalRetries.get(c.key) ?? 0) < MAX_SIGNAL_RETRIES;
          if (!m.ok && ((!abortedBefore && opts.signal?.aborted) || stopSignal)) {
            // Ctrl-C reaches the measuring child too, possibly before this process has handled its own
            // SIGINT; a failure that coincides with it, or that is such a signal, is not the candidate's.
            if (stopSignal) signalRetries.set(c.key, (signalRetries.get(c.key) ?? 0) + 1);
            queue.unshift(i);
            return;
          }
          measureMsTotal += now() - t0;
          const rec: CandidateRecord = {
            id: c.id,
            key: c.key,
            family: c.family,
            config: c.config,
            iteration: iter,
            decoder_params: c.decoder_params,
            total_params: c.total_params,
            ...(c.param_counts ? { param_counts: c.param_counts } : {}),
            measurement: m,
            evaluator: ev.name,
            measured_at: new Date().toISOString(),
            context,
          };
          appender.append(rec);
          cache.set(c.key, rec);
          results[i] = rec;
          measuredNow++;
          batchDone.push(rec);
          // Keep pareto.json current within long generations too (a 100-candidate initial population can take an hour).
          if (Date.now() - lastLiveWrite >= (opts.liveWriteMs ?? 2000)) {
            lastLiveWrite = Date.now();
            writeResults('interrupt');
          }
          progress();
        }
      };

      // A dropped evaluator's candidate returns to the queue after the others may have drained it and
      // exited, so keep starting rounds of workers until the queue is empty or the search must stop.
      while (queue.length > 0 && !stopCheck()) {
        await Promise.all([...alive].map(worker));
      }
      const records = results.filter((r): r is CandidateRecord => r !== undefined);
      batchDone = [];
      return { records, complete: records.length === batch.length };
    };

    let finalFile: ParetoFile;
    try {
      // Written before anything is measured so that even a run killed in its first generation can resume.
      writeResults('interrupt');

      for (iteration = 0; iteration <= s.iterations; iteration++) {
        let batch: Candidate[];
        if (iteration === 0) {
          batch = sampleMany(s.population);
        } else {
          const frontier = front();
          // Nothing measurable yet (every candidate failed): start again from fresh samples.
          batch = frontier.length === 0 ? sampleMany(s.mutations + s.crossovers) : breed(pickParents(frontier), frontier);
        }
        const { records, complete } = await measureBatch(batch, iteration);
        history.push(...records);
        if (iteration === 0 && complete && records.length > 0 && records.every((r) => !r.measurement.ok)) {
          // Usually the device profile (limits, providers) rather than the candidates: say so while there is time to stop.
          log(`every candidate of the initial population failed (${failureReasons(records)}); the search goes on with fresh samples, but check the device profile's limits and providers`);
        }
        if (!complete) break;
        if (iteration > 0) iterationsDone = iteration;
        if (iteration === s.iterations) finished = true;
        writeResults(stopCheck() ?? 'interrupt');
        progress();
        if (stopCheck()) break;
      }
      // Finishing every iteration counts as such even if the budget ran out during the last one.
      const reason = finished ? 'iterations' : (stopCheck() ?? 'iterations');
      finalFile = writeResults(reason);
    } finally {
      appender.close();
    }
    return { pareto: finalFile, history, measuredNow, stoppedBy: finalFile.counts.stopped_by };
  }
}

async function firstFingerprint(evaluators: Evaluator[], log: (l: string) => void): Promise<Fingerprint> {
  const errors: string[] = [];
  for (const ev of [...evaluators]) {
    try {
      return await ev.fingerprint();
    } catch (err) {
      errors.push(`${ev.name}: ${(err as Error).message}`);
      evaluators.splice(evaluators.indexOf(ev), 1);
      log(`evaluator ${ev.name} dropped: fingerprint failed: ${(err as Error).message}`);
    }
  }
  throw new LtsError(`no evaluator answered: ${errors.join('; ')}`);
}

function checkSettings(s: SearchSettings): void {
  const ints: [string, number, number][] = [
    ['iterations', s.iterations, 0],
    ['population', s.population, 1],
    ['parents', s.parents, 1],
    ['mutations', s.mutations, 0],
    ['crossovers', s.crossovers, 0],
  ];
  for (const [name, v, min] of ints) {
    if (!Number.isInteger(v) || v < min) throw new LtsError(`${name} must be an integer >= ${min}, got ${v}`);
  }
  if (!(s.param_min <= s.param_max)) throw new LtsError(`param bounds empty: min ${s.param_min} > max ${s.param_max}`);
  if (s.metrics.length < 1 || s.metrics.length > 3) throw new LtsError('choose one to three metrics');
  if (s.families.length < 1) throw new LtsError('no family to search');
}

/**
 * The fingerprint names the provider the profile asked for; what actually ran each measured graph (read
 * from onnxruntime's node placements) is added, so a partial fallback shows at the top of the file too.
 */
function withProvidersRan(fp: Fingerprint, records: readonly CandidateRecord[]): Fingerprint {
  const ran = [...new Set(records.filter((r) => r.measurement.ok && r.measurement.provider).map((r) => r.measurement.provider!))].sort();
  return ran.length > 0 ? { ...fp, providers_ran: ran } : fp;
}
