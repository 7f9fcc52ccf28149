// Repeatability on close candidates (`node dist/bench/repeatability.js --close`): 20 GPT-2 candidates of
// close size (n_layer 4-5, d_model 384-448: latencies within a factor of 2) measured as `lts search`
// measures them (the warm worker of the local evaluator), in passes:
//   before:  today's protocol, no sentinel (runs per candidate and candidates per minute "before");
//   A, B:    with the sentinel and the spread-matched stopping rule, B `--gap-minutes` after A;
//   C:       like B, with a bounded CPU load (one busy process) during the first half of the pass.
// Every drift pass shares one sentinel series (one DriftTracker, like one search run), so corrected
// figures of all passes are on the same scale. Prints Spearman and median / p90 pass-to-pass
// difference, raw and corrected, and what the sentinel series says about the sources of variation.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fingerprint, loadDevice, localEvaluator } from '../src/profile/index.js';
import { spearman } from '../src/profile/stats.js';
import type { Measurement } from '../src/profile/types.js';
import { SeriesIndex, type SentinelPoint } from '../src/search/drift.js';
import { searchSpaces, type Identity, type SearchSpaces } from '../src/search/spaces.js';
import { DriftTracker } from '../src/search/tracker.js';
import type { CandidateRecord, Evaluator, SearchSettings } from '../src/search/types.js';
import { Rng } from '../src/util/rng.js';

export interface CloseOptions {
  count: number;
  seed: number;
  maxSeconds: number;
  gapMinutes: number;
  device: string;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const quantile = (xs: number[], q: number): number => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))]!;
const pct = (x: number): string => `${(100 * x).toFixed(1)} %`;
const log = (s: string): void => void process.stderr.write(s + '\n');

function shuffled<T>(xs: readonly T[], rng: Rng): T[] {
  const a = [...xs];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(rng.next() * (i + 1));
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a;
}

/** A bounded CPU load: one busy process, stopped by the benchmark (and by itself after maxS at the latest). */
function startLoad(maxS: number): ChildProcess {
  return spawn(process.execPath, ['-e', `const end = Date.now() + ${maxS * 1000}; while (Date.now() < end) {}`], { stdio: 'ignore' });
}

interface PassResult {
  name: string;
  records: CandidateRecord[];
  seconds: number;
}

/**
 * The close benchmark's candidates: `count` GPT-2 models spread evenly over the decoder params of up to
 * 4 x count samples (n_layer 4-5, d_model 384-448), drawn from `rng`, which the caller goes on using.
 */
export function closeCandidates(count: number, rng: Rng): { spaces: SearchSpaces; cands: Identity[] } {
  const spaces = searchSpaces(['gpt2'], { min: 0, max: Number.MAX_SAFE_INTEGER }, { n_layer: [4, 5], d_model: [384, 448] });
  const seen = new Map<string, Identity>();
  for (let i = 0; i < 400 && seen.size < 4 * count; i++) {
    const id = spaces.identify(spaces.space('gpt2').sample(rng));
    seen.set(id.key, id);
  }
  const pool = [...seen.values()].sort((a, b) => a.decoder_params - b.decoder_params);
  return { spaces, cands: Array.from({ length: count }, (_, i) => pool[Math.round((i * (pool.length - 1)) / Math.max(1, count - 1))]!) };
}

export async function runClose(o: CloseOptions): Promise<number> {
  const base = loadDevice(o.device);
  const device = { ...base, protocol: { ...base.protocol, maxSeconds: o.maxSeconds } };
  const rng = new Rng(o.seed);
  const { spaces, cands } = closeCandidates(o.count, rng);
  const fp = await fingerprint(device);
  log(`repeatability --close: ${cands.length} gpt2 candidates (${(cands[0]!.decoder_params / 1e6).toFixed(1)}-${(cands[cands.length - 1]!.decoder_params / 1e6).toFixed(1)}M decoder params) on '${device.name}' (${fp.cpu_model}, ${fp.cores} cores), maxSeconds ${o.maxSeconds}, gap ${o.gapMinutes} min`);

  const request = { metrics: ['latency' as const], seed: 0 };
  const settings = { protocol: device.protocol, seed: o.seed, sentinel_every: 5, sentinel_minutes: 1, drift_correction: 'on' } as SearchSettings;
  const tracker = new DriftTracker(mkdtempSync(join(tmpdir(), 'lts-bench-drift-')), spaces, settings, request, Date.now, log);
  log(`sentinel ${tracker.sentinel.id} (${(tracker.sentinel.decoder_params / 1e6).toFixed(1)}M decoder params), every 5 candidates or 1 minute and before each fresh worker`);

  const measureOne = async (ev: Evaluator, c: Identity, withDrift: boolean): Promise<CandidateRecord> => {
    if (withDrift) await tracker.before(ev);
    const m: Measurement = await ev.evaluate(c.config, withDrift ? { ...request, ciTarget: tracker.ciTarget() } : request);
    if (withDrift) tracker.measured(ev);
    return { ...c, iteration: 0, measurement: m, evaluator: ev.name, measured_at: new Date().toISOString() };
  };

  const pass = async (name: string, order: Identity[], ev: Evaluator, withDrift: boolean, loadFirstHalf = false): Promise<PassResult> => {
    const t0 = performance.now();
    const records: CandidateRecord[] = [];
    let load: ChildProcess | undefined = loadFirstHalf ? startLoad(600) : undefined;
    for (const [i, c] of order.entries()) {
      if (load && i === Math.floor(order.length / 2)) {
        load.kill('SIGKILL');
        load = undefined;
        log(`  pass ${name}: load stopped`);
      }
      const r = await measureOne(ev, c, withDrift);
      records.push(r);
      const l = r.measurement.latency;
      log(`  pass ${name} ${String(i + 1).padStart(2)}/${order.length} ${c.id} ${r.measurement.ok ? `${l!.median_ms.toFixed(2)} ms (${l!.runs} runs, ${l!.stopped_by})` : `FAILED ${r.measurement.error}`}`);
    }
    load?.kill('SIGKILL');
    if (withDrift) await tracker.closeGeneration([ev]);
    return { name, records, seconds: (performance.now() - t0) / 1000 };
  };

  const t0 = performance.now();
  const plain = localEvaluator(device);
  const before = await pass('before', shuffled(cands, rng), plain, false);
  await plain.close?.();
  const ev = localEvaluator(device);
  const a = await pass('A', shuffled(cands, rng), ev, true);
  log(`  waiting ${o.gapMinutes} min`);
  await new Promise((r) => setTimeout(r, o.gapMinutes * 60_000));
  const b = await pass('B', [...a.records].reverse().map((r) => cands.find((c) => c.key === r.key)!), ev, true);
  const c = await pass('C', shuffled(cands, rng), ev, true, true);
  await ev.close?.();

  const byKey = (p: PassResult, corrected: boolean): Map<string, number> => {
    const rs = corrected ? tracker.correct(p.records) : p.records;
    return new Map(rs.filter((r) => r.measurement.ok).map((r) => [r.key, corrected ? r.measurement.latency!.corrected_median_ms ?? Number.NaN : r.measurement.latency!.median_ms]));
  };
  const geomean = (xs: number[]): number => Math.exp(xs.reduce((a, x) => a + Math.log(x), 0) / xs.length);
  /** passNormalized: raw medians over their pass's geometric mean, i.e. divided by an exact speed factor per pass. */
  const compare = (x: PassResult, y: PassResult, corrected: boolean, passNormalized = false): string => {
    const mx = byKey(x, corrected);
    const my = byKey(y, corrected);
    const keys = cands.map((c) => c.key).filter((k) => Number.isFinite(mx.get(k)) && Number.isFinite(my.get(k)));
    let xs = keys.map((k) => mx.get(k)!);
    let ys = keys.map((k) => my.get(k)!);
    if (passNormalized) {
      const [gx, gy] = [geomean(xs), geomean(ys)];
      xs = xs.map((v) => v / gx);
      ys = ys.map((v) => v / gy);
    }
    const diffs = keys.map((_, i) => Math.abs(xs[i]! - ys[i]!) / Math.min(xs[i]!, ys[i]!));
    // One factor per pass cannot reorder a pass, so its Spearman is the raw one: print the differences only.
    const rank = passNormalized ? '' : `spearman ${spearman(xs, ys).toFixed(4)}, `;
    return `${rank}diff median ${pct(median(diffs))} p90 ${pct(quantile(diffs, 0.9))} max ${pct(Math.max(...diffs))} (${keys.length} candidates)`;
  };

  const ra = byKey(a, false), rb = byKey(b, false), rc = byKey(c, false);
  const ca = byKey(a, true), cb = byKey(b, true), cc = byKey(c, true);
  console.log('id               params_M    A_raw    B_raw    C_raw   A_corr   B_corr   C_corr');
  const f = (v: number | undefined): string => (v === undefined || !Number.isFinite(v) ? '-' : v.toFixed(2)).padStart(8);
  for (const k of cands) console.log(`${k.id.padEnd(16)} ${(k.decoder_params / 1e6).toFixed(2).padStart(8)} ${f(ra.get(k.key))} ${f(rb.get(k.key))} ${f(rc.get(k.key))} ${f(ca.get(k.key))} ${f(cb.get(k.key))} ${f(cc.get(k.key))}`);
  console.log(`A vs B (${o.gapMinutes} min apart, B in reverse order)  raw:       ${compare(a, b, false)}`);
  console.log(`A vs B                                  corrected: ${compare(a, b, true)}`);
  // The floor of any correction by one factor per pass: what remains is the candidates' own noise and drift within a pass.
  console.log(`A vs B                             pass-normalized: ${compare(a, b, false, true)}`);
  console.log(`A vs C (C: CPU load for its first half)  raw:       ${compare(a, c, false)}`);
  console.log(`A vs C                                  corrected: ${compare(a, c, true)}`);

  const runs = (p: PassResult): number => median(p.records.filter((r) => r.measurement.ok).map((r) => r.measurement.latency!.runs));
  const perMin = (p: PassResult): number => p.records.length / (p.seconds / 60);
  console.log(`before (protocol target ${pct(device.protocol.targetRelCi)}, no sentinel): median ${runs(before)} timed runs per candidate, ${perMin(before).toFixed(1)} candidates/min`);
  const sentinelCost = (p: PassResult): string => `${perMin(p).toFixed(1)} candidates/min`;
  console.log(`with drift (A, B): median ${runs(a)} / ${runs(b)} timed runs per candidate, ${sentinelCost(a)} / ${sentinelCost(b)} (sentinel time included); CI target now ${pct(tracker.ciTarget())}`);

  const s = tracker.summary();
  const series: SentinelPoint[] = s.series;
  console.log(`sentinel: ${s.points} measurements (${s.failed} failed), largest drift ${pct(s.max_drift)}, spread (interpolation residual) ${s.spread !== undefined ? pct(s.spread) : '-'}`);
  // Sources: successive sentinel measurements in the same warm worker vs across a fresh worker.
  const idx = new SeriesIndex(series).get(ev.name, 'latency');
  const same: number[] = [];
  const fresh: number[] = [];
  for (let i = 1; i < idx.length; i++) (idx[i]!.fresh ? fresh : same).push(Math.abs(Math.log(idx[i]!.v / idx[i - 1]!.v)));
  console.log(`successive sentinel |change|: same worker median ${same.length ? pct(median(same)) : '-'} (${same.length}), across a fresh worker median ${fresh.length ? pct(median(fresh)) : '-'} (${fresh.length})`);
  console.log(`series (min since start: ms${''}): ${idx.map((p) => `${((p.at - idx[0]!.at) / 60_000).toFixed(1)}:${p.v.toFixed(1)}${p.fresh ? '*' : ''}`).join(' ')}  (* = fresh worker)`);
  console.log(`wall time ${((performance.now() - t0) / 1000).toFixed(0)} s`);
  tracker.close();
  return 0;
}
