// Exhaustive vs screened: the same seed, space and device, two real searches, and how fast each one's
// frontier grows. The two runs share the device fairly: they take turns, one measurement at a time
// (a FIFO lock), so both see the same background load, and each run's clock is its own time (elapsed
// minus the time it waited for the other), i.e. the wall time it would have taken alone.
//
//   node dist/bench/search-efficiency.js [--device cpu] [--clock cpu] [--max-runs 20] [--max-seconds 4]
//        [--population 30] [--iterations 6] [--param-min 6000000] [--param-max 30000000] [--seed 1] [--metric latency|decode]
//        [--ref-cost 300] [--max-minutes 28] [--out dir] [--margin 0.1] [--audit-share 0.05] [--screen-keep 0.5] [--screen-breed 4] [--equal-time]
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { quantileSorted } from 'simple-statistics';
import { hypervolume2d, type CostBenefit } from '../src/pareto/hypervolume.js';
import { fingerprint, loadDevice, localEvaluator } from '../src/profile/index.js';
import { decoderParams } from '../src/proxy/index.js';
import { runSearch } from '../src/search/loop.js';
import { readCandidates } from '../src/search/results.js';
import { searchSpaces } from '../src/search/spaces.js';
import type { CandidateRecord, Evaluator, ParetoFile, SearchSettings, Strategy } from '../src/search/types.js';

const { values } = parseArgs({
  options: {
    device: { type: 'string', default: 'cpu' },
    clock: { type: 'string', default: 'cpu' },
    // A shared machine rarely lets the median's CI reach 2 %: cap the timed phase so both runs stay short.
    'max-runs': { type: 'string', default: '20' },
    'max-seconds': { type: 'string', default: '4' },
    population: { type: 'string', default: '30' },
    iterations: { type: 'string', default: '6' },
    'param-min': { type: 'string', default: '6000000' },
    'param-max': { type: 'string', default: '30000000' },
    seed: { type: 'string', default: '1' },
    metric: { type: 'string', default: 'latency' },
    // The hypervolume's reference cost in ms (--ref-latency: its older name).
    'ref-cost': { type: 'string' },
    'ref-latency': { type: 'string' },
    margin: { type: 'string', default: '0.1' },
    'audit-share': { type: 'string', default: '0.05' },
    // Screened: measure at most this share of each generation's children, the most promising (settings.screen_keep).
    'screen-keep': { type: 'string' },
    // Screened: breed this many times the children per generation and measure one generation's worth, the most promising (settings.screen_breed).
    'screen-breed': { type: 'string' },
    // Give screened the time exhaustive took rather than the same generations: it breeds on (up to 4x the
    // iterations) until its own time reaches exhaustive's, since measuring fewer children per generation
    // is only worth something if the time saved goes into more generations.
    'equal-time': { type: 'boolean', default: false },
    out: { type: 'string' },
    // A safety net on a shared machine: stop both runs (results so far are printed) after this long.
    'max-minutes': { type: 'string', default: '28' },
  },
});

const device = loadDevice(values.device!);
device.protocol.clock = values.clock as 'wall' | 'cpu';
device.protocol.maxRuns = Number(values['max-runs']);
device.protocol.maxSeconds = Number(values['max-seconds']);
const population = Number(values.population);
const parents = Math.max(1, Math.round(0.2 * population));
const mutations = Math.round(0.4 * population);
if (values.metric !== 'latency' && values.metric !== 'decode') throw new Error(`--metric must be latency or decode, got ${values.metric}`);
const metric: 'latency' | 'decode' = values.metric;
const base: SearchSettings = {
  metrics: [metric],
  families: ['gpt2'],
  shapes: device.shapes,
  graph: device.graph,
  protocol: device.protocol,
  seed: Number(values.seed),
  param_min: Number(values['param-min']),
  param_max: Number(values['param-max']),
  iterations: Number(values.iterations),
  population,
  parents,
  mutations,
  crossovers: population - parents - mutations,
};
// Fixed before anything is measured, so both runs' hypervolumes share it: latency in ms, params at the space's lower bound.
const REF: CostBenefit = { cost: Number(values['ref-cost'] ?? values['ref-latency'] ?? (metric === 'latency' ? 300 : 50)), benefit: base.param_min / 1e6 };
const outRoot = values.out ?? mkdtempSync(join(tmpdir(), 'lts-efficiency-'));

/** FIFO lock: the two runs take turns on the device, one measurement at a time. */
let tail: Promise<void> = Promise.resolve();
function acquire(): Promise<() => void> {
  let release!: () => void;
  const turn = new Promise<void>((r) => (release = r));
  const ready = tail.then(() => release);
  tail = tail.then(() => turn);
  return ready;
}

interface Trace {
  strategy: Strategy;
  start: number;
  waited: number;
  /** (own seconds, hypervolume) after each measurement. */
  curve: { t: number; hv: number }[];
  points: CostBenefit[];
  ownSeconds: number;
  pareto?: ParetoFile;
  history?: CandidateRecord[];
}

const equalTime = values['equal-time'] === true;
const traces = new Map<Strategy, Trace>();
/** Stops the screened run once its own time reaches exhaustive's (--equal-time). */
const screenedStop = new AbortController();
const ownNow = (t: Trace): number => (Date.now() - t.start - t.waited) / 1000;
function checkEqualTime(): void {
  const ex = traces.get('exhaustive');
  const sc = traces.get('screened');
  if (equalTime && ex && sc && ex.ownSeconds > 0 && ownNow(sc) >= ex.ownSeconds) screenedStop.abort();
}

function shared(ev: Evaluator, trace: Trace): Evaluator {
  return {
    name: ev.name,
    fingerprint: () => ev.fingerprint(),
    close: () => ev.close?.() ?? Promise.resolve(),
    async evaluate(cfg, req) {
      const w0 = Date.now();
      const release = await acquire();
      trace.waited += Date.now() - w0;
      try {
        const m = await ev.evaluate(cfg, req);
        const stats = m.ok ? m[metric] : undefined;
        if (stats) {
          trace.points.push({ cost: stats.median_ms, benefit: decoderParams(cfg) / 1e6 });
          trace.curve.push({ t: (Date.now() - trace.start - trace.waited) / 1000, hv: hypervolume2d(trace.points, REF) });
        }
        return m;
      } finally {
        release();
        checkEqualTime();
      }
    },
  };
}

function breedArg(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--screen-breed must be a whole number >= 1, got ${v}`);
  return n;
}

async function run(strategy: Strategy): Promise<Trace> {
  const keep = {
    ...(values['screen-keep'] !== undefined ? { screen_keep: Number(values['screen-keep']) } : {}),
    ...(values['screen-breed'] !== undefined ? { screen_breed: breedArg(values['screen-breed']) } : {}),
  };
  const s: SearchSettings = strategy === 'screened' ? { ...base, strategy, screen_margin: Number(values.margin), audit_share: Number(values['audit-share']), ...keep } : { ...base, strategy };
  if (strategy === 'screened' && equalTime) s.iterations = 4 * base.iterations;
  const trace: Trace = { strategy, start: Date.now(), waited: 0, curve: [], points: [], ownSeconds: 0 };
  traces.set(strategy, trace);
  const ev = shared(localEvaluator(device), trace);
  try {
    const out = await runSearch({
      outDir: join(outRoot, strategy),
      device,
      settings: s,
      evaluators: [ev],
      spaces: searchSpaces(s.families, { min: s.param_min, max: s.param_max }),
      signal: strategy === 'screened' ? AbortSignal.any([stop.signal, screenedStop.signal]) : stop.signal,
    });
    trace.pareto = out.pareto;
    trace.history = out.history;
  } finally {
    await ev.close?.();
  }
  trace.ownSeconds = ownNow(trace);
  checkEqualTime();
  return trace;
}

const load = (): string => execFileSync('uptime', { encoding: 'utf8' }).trim();
const fp = await fingerprint(device);
const pr = device.protocol;
console.log(`device ${device.name}: ${fp.cpu_model}, ${fp.cores} cores, ${fp.runtime.name} ${fp.runtime.version}, threads ${device.threads.intraOp}, seq ${device.shapes.seq}`);
console.log(`protocol: clock ${pr.clock}, warm-up ${pr.warmupMin}-${pr.warmupMax}, runs ${pr.minRuns}-${pr.maxRuns}, timed phase <= ${pr.maxSeconds} s, CI target ${pr.targetRelCi * 100} %`);
console.log(`search: gpt2, metric ${metric}, seed ${base.seed}, population ${population} (${parents} parents, ${mutations} mutations, ${base.crossovers} crossovers), ${base.iterations} iterations, decoder params ${base.param_min / 1e6}M..${base.param_max / 1e6}M`);
const keepNote = (values['screen-keep'] !== undefined ? `, keep ${values['screen-keep']}` : '') + (values['screen-breed'] !== undefined ? `, breed ${values['screen-breed']}x` : '');
const timeNote = equalTime ? `; screened breeds on (up to ${4 * base.iterations} iterations) until its own time reaches exhaustive's` : '';
console.log(`screened: margin ${values.margin}, audit share ${values['audit-share']}${keepNote}${timeNote}; runs interleaved one measurement at a time; results in ${outRoot}`);
console.log(`hypervolume reference point: ${metric} ${REF.cost} ms, decoder params ${REF.benefit}M (area in ms x M params)`);
console.log(`load before: ${load()}`);
const wall0 = Date.now();
const stop = new AbortController();
const timer = setTimeout(() => stop.abort(), Number(values['max-minutes']) * 60_000);
const [ex, sc] = await Promise.all([run('exhaustive'), run('screened')]);
clearTimeout(timer);
if (stop.signal.aborted) console.log(`STOPPED after --max-minutes ${values['max-minutes']}: the figures below are for the generations done`);
console.log(`load after:  ${load()}   (both runs took ${((Date.now() - wall0) / 60000).toFixed(1)} min together)`);

const finalHv = (t: Trace): number => t.curve.at(-1)?.hv ?? 0;
const timeTo = (t: Trace, hv: number): number | undefined => t.curve.find((p) => p.hv >= hv)?.t;
const f = (x: number | undefined, d = 1): string => (x === undefined ? 'never' : x.toFixed(d));
console.log('\nstrategy     own-time  measured  screened  audited  false-screens  frontier  final-HV  stopped-by');
for (const t of [ex, sc]) {
  const c = t.pareto!.counts;
  console.log(
    `${t.strategy.padEnd(11)} ${f(t.ownSeconds / 60).padStart(6)} min ${String(c.evaluated).padStart(8)} ${String(c.screened ?? 0).padStart(9)} ${String(c.audited ?? 0).padStart(8)} ${String(c.audit_on_frontier ?? 0).padStart(14)} ${String(c.frontier).padStart(9)} ${finalHv(t).toFixed(0).padStart(9)}  ${c.stopped_by} (${c.iterations_done}/${t.pareto!.settings.iterations})`,
  );
}
const target = 0.99 * finalHv(ex);
const tEx = timeTo(ex, target);
const tSc = timeTo(sc, target);
console.log(`\n99 % of exhaustive's final hypervolume (${target.toFixed(0)}): exhaustive after ${f(tEx)} s, screened after ${f(tSc)} s` +
  (tSc !== undefined ? ` = ${((100 * tSc) / ex.ownSeconds).toFixed(1)} % of exhaustive's own time` : ''));
console.log(`screened's final hypervolume: ${((100 * finalHv(sc)) / finalHv(ex)).toFixed(1)} % of exhaustive's`);

console.log('\nhypervolume over own time (s: exhaustive | screened), every 10 % of exhaustive\'s time:');
for (let k = 1; k <= 10; k++) {
  const t = (k / 10) * ex.ownSeconds;
  const at = (tr: Trace): string => (tr.curve.filter((p) => p.t <= t).at(-1)?.hv ?? 0).toFixed(0);
  console.log(`  ${t.toFixed(0).padStart(5)} s  ${at(ex).padStart(8)} | ${at(sc).padStart(8)}`);
}

// The cost model's error on what the screened run measured, by the generation it predicted.
console.log(`\ncost model (screened run): absolute % error of the predicted median ${metric} on measured children`);
console.log('  generation  measured  median  p90');
const { records } = readCandidates(join(outRoot, 'screened'));
const gens = [...new Set(records.map((r) => r.iteration))].sort((a, b) => a - b);
for (const g of gens) {
  const errs = records
    .filter((r) => r.iteration === g && r.measurement.ok && r.prediction?.[metric] && r.measurement[metric])
    .map((r) => Math.abs(r.prediction![metric]!.mean / r.measurement[metric]!.median_ms - 1) * 100)
    .sort((a, b) => a - b);
  if (errs.length === 0) continue;
  console.log(`  ${String(g).padStart(10)} ${String(errs.length).padStart(9)} ${quantileSorted(errs, 0.5).toFixed(1).padStart(6)} % ${quantileSorted(errs, 0.9).toFixed(1).padStart(5)} %`);
}
