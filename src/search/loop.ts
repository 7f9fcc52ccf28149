// The LTS evolutionary loop (reference §4), family-agnostic, in the shape of archai's
// EvolutionParetoSearch. Each generation is built from the seeded Rng and the frontier of everything
// measured before it, measured as one batch (concurrently across evaluators), and folded into the
// history in candidate order. So the sequence of candidates depends only on the seed and the measured
// values, never on which evaluator finished first, and a resumed run replays the same sequence, taking
// from the cache what was already measured.
import { join } from 'node:path';
import { paretoFront, type Objective } from '../pareto/index.js';
import { LtsError } from '../util/errors.js';
import { JsonlAppender } from '../util/jsonl.js';
import { measurementContext, type MeasurementCache } from './cache.js';
import { Evolution, infoOf, type Candidate } from './evolution.js';
import { feasible, requestedMetrics, searchObjectives } from './objectives.js';
import { CANDIDATES_FILE, failureReasons, frontierPoint, paretoFile, writePareto } from './results.js';
import { claimRunDirectory, openRun } from './rundir.js';
import { firstFingerprint, measureEach } from './schedule.js';
import { settleGeneration } from './remeasure.js';
import { auditOnFrontier, Screening, withVerdict } from './screening.js';
import { searchProgress } from './progress.js';
import { checkSettings } from './settings.js';
import { DriftTracker, driftOn } from './tracker.js';
import type { CandidateRecord, Evaluator, ParetoFile, RunSearchOptions, ScreenedRecord, SearchOutcome, SearchSettings, StopReason } from './types.js';

export type { Annotation, RunSearchOptions, SearchOutcome, SearchProgress, StopReason } from './types.js';

export async function runSearch(opts: RunSearchOptions): Promise<SearchOutcome> {
  if (opts.evaluators.length === 0) throw new LtsError('no evaluator to measure candidates with');
  checkSettings(opts.settings);
  const runDir = claimRunDirectory(opts.outDir);
  let ok = false;
  try {
    const outcome = await new EvolutionParetoSearch(opts).run();
    ok = true;
    return outcome;
  } finally {
    runDir.release(ok);
  }
}

class EvolutionParetoSearch {
  private readonly s: SearchSettings;
  private readonly now: () => number;
  private readonly log: (line: string) => void;
  private readonly objectives: Objective<CandidateRecord>[];
  private readonly request: { metrics: SearchSettings['metrics']; seed: number; ciTarget?: number };
  private readonly context: string;
  private readonly start: number;
  private readonly deadline: number;
  private readonly alive: Evaluator[];
  private readonly evolution: Evolution;
  private readonly screening: Screening;
  private appender!: JsonlAppender;
  private cache!: MeasurementCache<CandidateRecord>;
  private preloaded = 0;
  private fingerprint!: ParetoFile['fingerprint'];
  /** Results of finished generations, in candidate order. */
  private readonly history: CandidateRecord[] = [];
  /** Results of the generation being measured, in completion order; empty between generations. */
  private pending: CandidateRecord[] = [];
  private iteration = 0;
  private iterationsDone = 0;
  private measuredNow = 0;
  private measureMsTotal = 0;
  private lastLiveWrite = Number.NEGATIVE_INFINITY;
  private stopReason: StopReason | undefined;
  /** The sentinel and drift correction (settings.drift_correction 'on'). */
  private drift: DriftTracker | undefined;

  constructor(private readonly o: RunSearchOptions) {
    this.s = o.settings;
    this.now = o.now ?? Date.now;
    this.log = o.log ?? (() => {});
    this.objectives = searchObjectives(this.s.metrics);
    this.request = { metrics: requestedMetrics(this.s), seed: this.s.seed };
    this.context = measurementContext(o.device, this.request.metrics, this.s.seed);
    this.start = this.now();
    this.deadline = this.s.budget_minutes !== undefined ? this.start + this.s.budget_minutes * 60_000 : Number.POSITIVE_INFINITY;
    this.alive = [...o.evaluators];
    this.evolution = new Evolution(o.spaces, this.s);
    this.screening = new Screening(this.s, o.device);
  }

  async run(): Promise<SearchOutcome> {
    let screened: Map<string, ScreenedRecord>;
    ({ cache: this.cache, screened, preloaded: this.preloaded } = openRun(this.o.outDir, this.context, this.o.resume === true, this.log));
    this.screening.resumeFrom(screened);
    this.fingerprint = await firstFingerprint(this.alive, this.log);
    this.appender = new JsonlAppender(join(this.o.outDir, CANDIDATES_FILE));
    if (driftOn(this.s)) this.drift = new DriftTracker(this.o.outDir, this.o.spaces, this.s, this.request, this.now, this.log);
    let final: ParetoFile;
    try {
      // Written before anything is measured so that even a run killed in its first generation can resume.
      this.persist('running');
      let finished = false;
      for (this.iteration = 0; this.iteration <= this.s.iterations; this.iteration++) {
        const batch = this.iteration === 0 ? this.evolution.sampleInitialPopulation(this.s.population) : this.evolution.nextGeneration(this.front());
        const screenedBefore = this.screening.screened.length;
        const measuredBefore = this.measuredNow;
        let records = await this.measureBatch(batch);
        const expected = batch.length - (this.screening.screened.length - screenedBefore);
        if (this.drift && this.measuredNow > measuredBefore && records.length === expected) records = await this.settleGeneration(records);
        const complete = this.fold(records, expected);
        // Refit after every generation, on everything measured so far (the cost model learns on the target).
        this.screening.refit(this.history);
        if (!complete) break;
        if (this.iteration > 0) this.iterationsDone = this.iteration;
        finished = this.iteration === this.s.iterations;
        this.persist(this.stopCheck() ?? 'running');
        this.progress();
        if (this.stopCheck()) break;
      }
      // Finishing every iteration counts as such even if the budget ran out during the last one.
      final = this.persist(finished ? 'iterations' : (this.stopCheck() ?? 'iterations'));
    } finally {
      this.appender.close();
      this.drift?.close();
    }
    return { pareto: final, history: this.history, measuredNow: this.measuredNow, stoppedBy: final.counts.stopped_by as StopReason };
  }

  /**
   * Measured results for a generation, cached ones replayed, in candidate order; children the screen
   * skips go to `screened` instead. Fewer than the batch if the search must stop.
   */
  private async measureBatch(batch: Candidate[]): Promise<CandidateRecord[]> {
    const results = batch.map((c) => this.cache.get(c.key));
    // Decided before anything of this generation is measured: against the frontier its parents came from
    // (on resume too, so without the generation's cached results).
    const frontier = this.screening.active ? this.front() : [];
    this.pending = results.filter((r): r is CandidateRecord => r !== undefined);
    const record = (r: ScreenedRecord) => this.appender.append(r);
    const at = () => new Date(this.now()).toISOString();
    const infos = batch.map((c) => infoOf(c, this.iteration));
    let verdicts = infos.map((info, i) => (results[i] === undefined ? this.screening.screen(info, frontier, record, this.context, at()) : undefined));
    verdicts = this.screening.rank(infos, verdicts, results, frontier, record, this.context, at);
    this.progress();
    const todo = results.flatMap((r, i) => (r === undefined && verdicts[i] !== 'screened' ? [i] : []));
    await measureEach(batch, todo, {
      alive: this.alive,
      request: this.request,
      signal: this.o.signal,
      shouldStop: () => this.stopCheck() !== undefined,
      now: this.now,
      log: this.log,
      // The sentinel when due, and the stopping rule's precision target from its spread.
      ...(this.drift ? { before: async (ev: Evaluator) => { await this.drift!.before(ev); this.request.ciTarget = this.drift!.ciTarget(); } } : {}),
      onMeasured: (i, measurement, ev, ms) => {
        this.drift?.measured(ev);
        const c = batch[i]!;
        const rec: CandidateRecord = {
          ...infoOf(c, this.iteration),
          measurement,
          evaluator: ev.name,
          measured_at: new Date(this.now()).toISOString(),
          context: this.context,
        };
        withVerdict(rec, verdicts[i]);
        this.appender.append(rec);
        this.cache.set(c.key, rec);
        results[i] = rec;
        this.pending.push(rec);
        this.measuredNow++;
        this.measureMsTotal += ms;
        // Keep pareto.json current within long generations too (a 100-candidate initial population can take an hour).
        if (this.now() - this.lastLiveWrite >= (this.o.liveWriteMs ?? 2000)) this.persist('running');
        this.progress();
      },
    });
    this.pending = [];
    return results.filter((r): r is CandidateRecord => r !== undefined);
  }

  private settleGeneration(results: CandidateRecord[]): Promise<CandidateRecord[]> {
    const ctx = { settings: this.s, tracker: this.drift!, alive: this.alive, request: this.request, shouldStop: () => this.stopCheck() !== undefined, now: this.now, log: this.log };
    return settleGeneration(ctx, this.history, results, (rec) => {
      this.appender.append(rec);
      this.cache.set(rec.key, rec);
    });
  }

  /** Adds a generation's records to the history; true if every candidate of the batch got one. */
  private fold(records: CandidateRecord[], batchSize: number): boolean {
    this.history.push(...records);
    const complete = records.length === batchSize;
    if (this.iteration === 0 && complete && records.length > 0 && records.every((r) => !r.measurement.ok)) {
      // Usually the device profile (limits, providers) rather than the candidates: say so while there is time to stop.
      this.log(`every candidate of the initial population failed (${failureReasons(records)}); the search goes on with fresh samples, but check the device profile's limits and providers`);
    }
    return complete;
  }

  private stopCheck(): StopReason | undefined {
    if (this.stopReason) return this.stopReason;
    if (this.o.signal?.aborted) return (this.stopReason = 'interrupt');
    if (this.now() >= this.deadline) return (this.stopReason = 'budget');
    if (this.alive.length === 0) return (this.stopReason = 'evaluators_lost');
    return undefined;
  }

  private records(): CandidateRecord[] {
    return [...this.history, ...this.pending];
  }

  /** Every record with its corrected costs when drift correction is on (raw ones otherwise). */
  private costed(): CandidateRecord[] {
    const all = this.records();
    return this.drift ? this.drift.correct(all) : all;
  }

  private front(): CandidateRecord[] {
    return paretoFront(this.costed().filter((r) => feasible(r, this.s)), this.objectives);
  }

  /** pareto.json as things stand; atomic, so a reader never sees half a file. */
  private persist(stoppedBy: ParetoFile['counts']['stopped_by']): ParetoFile {
    const all = this.records();
    const plain = this.front().map(frontierPoint);
    const annotated = this.o.annotate?.(plain);
    const file = paretoFile({
      now: this.now(),
      device: this.o.device,
      fingerprint: this.fingerprint,
      settings: this.s,
      records: all,
      points: annotated?.points ?? plain,
      calibration: annotated?.calibration,
      iterationsDone: this.iterationsDone,
      screening: this.screening.counted
        ? { screened: this.screening.screened.length, audited: all.filter((r) => r.audit).length, audit_on_frontier: auditOnFrontier(all, (r) => feasible(r, this.s), this.objectives) }
        : undefined,
      stoppedBy,
      remeasured: this.drift ? all.filter((r) => (r.remeasured?.length ?? 0) > 0).length : undefined,
      drift: this.drift?.summary(),
    });
    writePareto(this.o.outDir, file);
    this.lastLiveWrite = this.now();
    return file;
  }

  private progress(): void {
    this.o.onProgress?.(
      searchProgress({
        settings: this.s,
        iteration: this.iteration,
        records: this.records(),
        screened: this.screening.counted ? this.screening.screened.length : undefined,
        measuredNow: this.measuredNow,
        measureMsTotal: this.measureMsTotal,
        cached: this.preloaded,
        frontier: this.front().length,
        elapsedMs: this.now() - this.start,
        msLeft: this.deadline - this.now(),
        evaluators: this.alive.length,
      }),
    );
  }
}
