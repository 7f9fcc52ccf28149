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
import { toolVersion } from '../util/package.js';
import { measurementContext, type MeasurementCache } from './cache.js';
import { Evolution, type Candidate } from './evolution.js';
import { feasible, requestedMetrics, searchObjectives } from './objectives.js';
import { CANDIDATES_FILE, failureReasons, frontierPoint, withProvidersRan, writePareto } from './results.js';
import { claimRunDirectory, openRun } from './rundir.js';
import { firstFingerprint, measureEach } from './schedule.js';
import { auditOnFrontier, Screening } from './screening.js';
import { checkSettings } from './settings.js';
import type { CandidateInfo, CandidateRecord, Evaluator, ParetoFile, RunSearchOptions, ScreenedRecord, SearchOutcome, SearchSettings, StopReason } from './types.js';

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
  private readonly request: { metrics: SearchSettings['metrics']; seed: number };
  private readonly context: string;
  private readonly start: number;
  private readonly deadline: number;
  private readonly alive: Evaluator[];
  private readonly evolution: Evolution;
  private readonly screening: Screening;
  private appender!: JsonlAppender;
  private cache!: MeasurementCache<CandidateRecord>;
  /** Screened children read back on resume, by key. */
  private screenedBefore = new Map<string, ScreenedRecord>();
  /** Children screened (not measured) so far, this generation's included. */
  private readonly screened: ScreenedRecord[] = [];
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
    this.screening = new Screening(this.s, o.device.shapes);
  }

  async run(): Promise<SearchOutcome> {
    ({ cache: this.cache, screened: this.screenedBefore, preloaded: this.preloaded } = openRun(this.o.outDir, this.context, this.o.resume === true, this.log));
    this.fingerprint = await firstFingerprint(this.alive, this.log);
    this.appender = new JsonlAppender(join(this.o.outDir, CANDIDATES_FILE));
    let final: ParetoFile;
    try {
      // Written before anything is measured so that even a run killed in its first generation can resume.
      this.persist('running');
      let finished = false;
      for (this.iteration = 0; this.iteration <= this.s.iterations; this.iteration++) {
        const batch = this.iteration === 0 ? this.evolution.sampleInitialPopulation(this.s.population) : this.evolution.nextGeneration(this.front());
        const screenedBefore = this.screened.length;
        const records = await this.measureBatch(batch);
        const complete = this.fold(records, batch.length - (this.screened.length - screenedBefore));
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
    }
    return { pareto: final, history: this.history, measuredNow: this.measuredNow, stoppedBy: final.counts.stopped_by as StopReason };
  }

  /**
   * Measured results for a generation, cached ones replayed, in candidate order; children the screen
   * skips go to `screened` instead. Fewer than the batch if the search must stop.
   */
  private async measureBatch(batch: Candidate[]): Promise<CandidateRecord[]> {
    const results = batch.map((c) => this.cache.get(c.key));
    this.pending = results.filter((r): r is CandidateRecord => r !== undefined);
    // Decided before anything of this generation is measured: against the frontier its parents came from.
    const frontier = this.screening.active ? this.front() : [];
    const verdicts = batch.map((c, i) => (results[i] === undefined ? this.screen(c, frontier) : undefined));
    this.progress();
    const todo = results.flatMap((r, i) => (r === undefined && verdicts[i] !== 'screened' ? [i] : []));
    await measureEach(batch, todo, {
      alive: this.alive,
      request: this.request,
      signal: this.o.signal,
      shouldStop: () => this.stopCheck() !== undefined,
      now: this.now,
      log: this.log,
      onMeasured: (i, measurement, ev, ms) => {
        const c = batch[i]!;
        const rec: CandidateRecord = {
          ...this.info(c),
          measurement,
          evaluator: ev.name,
          measured_at: new Date(this.now()).toISOString(),
          context: this.context,
        };
        const v = verdicts[i];
        if (v !== undefined && v !== 'screened') {
          if (v.prediction) rec.prediction = v.prediction;
          if (v.decision.action === 'audit') rec.audit = { screened_by: v.decision.by };
        }
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

  /** What a record says about its candidate, in this generation. */
  private info(c: Candidate): CandidateInfo {
    return {
      id: c.id, key: c.key, family: c.family, config: c.config, iteration: this.iteration, decoder_params: c.decoder_params, total_params: c.total_params,
      ...(c.param_counts ? { param_counts: c.param_counts } : {}),
    };
  }

  /**
   * Screen one unmeasured child: 'screened' if it is not to be measured (recorded now, or replayed from
   * a resumed run), otherwise the verdict its record keeps (prediction, audit).
   */
  private screen(c: Candidate, frontier: CandidateRecord[]): 'screened' | ReturnType<Screening['decide']> {
    if (!this.screening.active) return { decision: { action: 'measure' } };
    const before = this.screenedBefore.get(c.key);
    if (before) {
      this.screened.push({ ...before, iteration: this.iteration });
      return 'screened';
    }
    const v = this.screening.decide(c, frontier);
    if (v.decision.action !== 'screen') return v;
    const rec: ScreenedRecord = {
      ...this.info(c),
      status: 'screened',
      prediction: v.prediction!,
      screened_by: v.decision.by,
      screened_at: new Date(this.now()).toISOString(),
      context: this.context,
    };
    this.appender.append(rec);
    this.screened.push(rec);
    return 'screened';
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

  private front(): CandidateRecord[] {
    return paretoFront(this.records().filter((r) => feasible(r, this.s)), this.objectives);
  }

  /** pareto.json as things stand; atomic, so a reader never sees half a file. */
  private persist(stoppedBy: ParetoFile['counts']['stopped_by']): ParetoFile {
    const all = this.records();
    const plain = this.front().map(frontierPoint);
    const annotated = this.o.annotate?.(plain);
    const points = annotated?.points ?? plain;
    const file: ParetoFile = {
      schema_version: 2,
      tool: { name: 'lts', version: toolVersion() },
      created_at: new Date(this.now()).toISOString(),
      device: this.o.device,
      fingerprint: withProvidersRan(this.fingerprint, all),
      settings: this.s,
      ...(annotated?.calibration ? { calibration: annotated.calibration } : {}),
      counts: {
        evaluated: all.length,
        failed: all.filter((r) => !r.measurement.ok).length,
        frontier: points.length,
        iterations_done: this.iterationsDone,
        ...(this.screening.active
          ? {
              screened: this.screened.length,
              audited: all.filter((r) => r.audit).length,
              audit_on_frontier: auditOnFrontier(all, (r) => feasible(r, this.s), this.objectives),
            }
          : {}),
        stopped_by: stoppedBy,
      },
      frontier: points,
    };
    writePareto(this.o.outDir, file);
    this.lastLiveWrite = this.now();
    return file;
  }

  private progress(): void {
    if (!this.o.onProgress) return;
    const all = this.records();
    let eta: number | undefined;
    if (this.measuredNow > 0) {
      const planned = this.planned();
      const perCandidate = this.measureMsTotal / this.measuredNow / Math.max(1, this.alive.length);
      eta = Math.max(0, planned - all.length - this.screened.length) * perCandidate;
      if (Number.isFinite(this.deadline)) eta = Math.min(eta, Math.max(0, this.deadline - this.now()));
    }
    this.o.onProgress({
      iteration: this.iteration,
      iterations: this.s.iterations,
      evaluated: all.length,
      failed: all.filter((r) => !r.measurement.ok).length,
      measured_now: this.measuredNow,
      cached: this.preloaded,
      frontier: this.front().length,
      planned: this.planned() - this.screened.length,
      ...(this.screening.active ? { screened: this.screened.length } : {}),
      elapsed_ms: this.now() - this.start,
      eta_ms: eta,
      evaluators: this.alive.length,
    });
  }

  private planned(): number {
    return this.s.population + this.s.iterations * (this.s.mutations + this.s.crossovers);
  }
}
