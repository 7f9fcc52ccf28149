// The loop's drift bookkeeping in one place: measures the sentinel when the schedule says so, keeps and
// appends its series, and turns raw records into corrected ones. The loop only calls before(),
// measured(), closeGeneration(), correct() and summary().
import { join } from 'node:path';
import { JsonlAppender } from '../util/jsonl.js';
import { ciTarget, correctRecords, driftSummary, measurementTime, realSpread, repeatSpread, SeriesIndex, type DriftSummary, type SentinelPoint, type SpreadEstimate } from './drift.js';
import { chooseSentinel, readSentinelSeries, sentinelProtocol, SENTINEL_EVERY, SENTINEL_FILE, SENTINEL_MINUTES, SentinelSchedule } from './sentinel.js';
import type { Identity, SearchSpaces } from './spaces.js';
import type { CandidateRecord, Evaluator, SearchSettings } from './types.js';

/** What pareto.json records about drift (absent with --drift-correction off). */
export interface DriftRecord extends DriftSummary {
  correction: 'on';
  sentinel: Pick<Identity, 'id' | 'key' | 'config' | 'decoder_params'>;
  every_candidates: number;
  every_minutes: number;
  /** The CI target the stopping rule used last: max(protocol target, spread / 2). */
  ci_target: number;
  series: SentinelPoint[];
}

export function driftOn(s: Pick<SearchSettings, 'drift_correction'>): boolean {
  return s.drift_correction === 'on';
}

export class DriftTracker {
  readonly sentinel: Identity;
  private readonly series: SentinelPoint[];
  private readonly schedule: SentinelSchedule;
  private readonly appender: JsonlAppender;
  private readonly everyCandidates: number;
  private readonly everyMinutes: number;
  /** The spread shown by contenders measured twice, as of the last correct() call. */
  private repeats: SpreadEstimate | undefined;

  constructor(
    private readonly dir: string,
    spaces: SearchSpaces,
    private readonly s: SearchSettings,
    private readonly request: { metrics: SearchSettings['metrics']; seed: number },
    private readonly now: () => number,
    private readonly log: (line: string) => void,
  ) {
    this.sentinel = chooseSentinel(spaces, s.seed);
    // Resume keeps the series: the factors of candidates measured before stay what they were.
    this.series = readSentinelSeries(dir);
    this.everyCandidates = s.sentinel_every ?? SENTINEL_EVERY;
    this.everyMinutes = s.sentinel_minutes ?? SENTINEL_MINUTES;
    this.schedule = new SentinelSchedule({ everyCandidates: this.everyCandidates, everyMs: this.everyMinutes * 60_000, now });
    this.appender = new JsonlAppender(join(dir, SENTINEL_FILE));
  }

  /** The CI target for the next measurement: the protocol's, or half the real spread if that is wider (drift.ts ciTarget). */
  ciTarget(): number {
    return ciTarget(this.s.protocol.targetRelCi, realSpread(this.series, this.repeats));
  }

  /** Measures the sentinel on `ev` first if it is due. */
  async before(ev: Evaluator): Promise<void> {
    const fresh = ev.freshProcessNext?.(this.request.metrics) ?? false;
    if (this.schedule.due(ev.name, fresh)) await this.measure(ev, fresh);
  }

  measured(ev: Evaluator): void {
    this.schedule.candidateMeasured(ev.name);
  }

  /** End of a generation: a closing sentinel on each evaluator that measured since its last, so the generation's factors are final before the next is bred (and a resume replays the same). */
  async closeGeneration(alive: readonly Evaluator[]): Promise<void> {
    for (const ev of alive) {
      if (this.schedule.closing(ev.name)) await this.measure(ev, ev.freshProcessNext?.(this.request.metrics) ?? false);
    }
  }

  private async measure(ev: Evaluator, fresh: boolean): Promise<void> {
    const end = (): number => this.now();
    let point: SentinelPoint;
    try {
      const m = await ev.evaluate(this.sentinel.config, { ...this.request, ...sentinelProtocol(this.s.protocol) });
      const t = end();
      point = { evaluator: ev.name, at_ms: measurementTime(m.timing, t), ok: m.ok };
      if (m.latency) point.latency_ms = m.latency.median_ms;
      if (m.decode) point.decode_ms = m.decode.median_ms;
      if (!m.ok) point.error = m.error ?? 'failed';
    } catch (err) {
      // The evaluator itself failed: the candidate that follows will find out and drop it.
      point = { evaluator: ev.name, at_ms: end(), ok: false, error: (err as Error).message };
    }
    if (fresh) point.fresh_process = true;
    if (!point.ok) this.log(`sentinel ${this.sentinel.id} failed on ${ev.name}: ${point.error}`);
    this.series.push(point);
    this.appender.append(point);
    this.schedule.sentinelMeasured(ev.name);
  }

  correct(records: readonly CandidateRecord[]): CandidateRecord[] {
    const index = new SeriesIndex(this.series);
    if (records.some((r) => r.remeasured)) this.repeats = repeatSpread(records, index);
    return correctRecords(records, index);
  }

  summary(): DriftRecord {
    const { id, key, config, decoder_params } = this.sentinel;
    return {
      correction: 'on',
      sentinel: { id, key, config, decoder_params },
      every_candidates: this.everyCandidates,
      every_minutes: this.everyMinutes,
      ci_target: this.ciTarget(),
      ...driftSummary(this.series, this.repeats),
      series: [...this.series],
    };
  }

  /** Relative spread of one measurement to decide contenders by: the series', at least the protocol's target. */
  spread(): number {
    return Math.max(this.s.protocol.targetRelCi, realSpread(this.series, this.repeats) ?? 0);
  }

  close(): void {
    this.appender.close();
  }
}
