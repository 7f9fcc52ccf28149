// Would timing close candidates in chunks spread over the whole pass (all sessions open, round-robin)
// make two passes agree better than timing them one after another? And how close does a sentinel timed
// longer than the candidates come to an exact speed factor per pass? One process, the close benchmark's
// 20 candidates (repeatability-close.ts), the cpu profile's session options:
//   sequential:  each candidate in turn: a session, 5 warm-up runs, --runs timed runs, released;
//                the sentinel (chosen as a search chooses it) timed --sentinel-runs times every
//                --every candidates and at the end of the pass;
//   interleaved: all sessions open and warm, then --chunk runs of each candidate in turn (alternating
//                direction) until each has --runs.
// Pass A sequential then interleaved, a gap, pass B interleaved then sequential (so both modes are
// equally far apart). Prints Spearman and median / p90 pass-to-pass difference of the medians: raw,
// pass-normalized (each pass over its geometric mean: an exact speed factor per pass) and, for
// sequential, divided by the sentinel interpolated at each candidate's time.
//
//   node dist/bench/repeatability-interleaved.js [--runs 15] [--chunk 3] [--sentinel-runs 45] [--every 5] [--gap-seconds 60]
import { execFileSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import { median, quantileSorted } from 'simple-statistics';
import { openTimed, type TimedSession } from './in-process.js';
import { closeCandidates } from './repeatability-close.js';
import { loadDevice } from '../src/profile/index.js';
import { spearman } from '../src/profile/stats.js';
import { chooseSentinel } from '../src/search/sentinel.js';
import { Rng } from '../src/util/rng.js';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '15' },
    chunk: { type: 'string', default: '3' },
    'sentinel-runs': { type: 'string', default: '45' },
    every: { type: 'string', default: '5' },
    'gap-seconds': { type: 'string', default: '60' },
  },
});
const RUNS = Number(values.runs);
const CHUNK = Number(values.chunk);
const SRUNS = Number(values['sentinel-runs']);
const EVERY = Number(values.every);
const COUNT = 20;
const device = loadDevice('cpu');

// The close benchmark's candidates (its seed 1).
const { spaces, cands } = closeCandidates(COUNT, new Rng(1));
const sentinel = chooseSentinel(spaces, 1);

async function timed(s: TimedSession, n: number): Promise<number[]> {
  const ts: number[] = [];
  for (let i = 0; i < n; i++) ts.push(await s.run());
  return ts;
}

const series: { t: number; v: number }[] = [];
async function sentinelPoint(): Promise<void> {
  const s = await openTimed(sentinel.config, device, 0);
  const v = median(await timed(s, SRUNS));
  await s.release();
  series.push({ t: performance.now(), v });
}
/** The sentinel's median at time t, linear between its measurements. */
function sentinelAt(t: number): number {
  const j = series.findIndex((p) => p.t >= t);
  if (j <= 0) return series[Math.max(0, j)]!.v;
  const a = series[j - 1]!;
  const b = series[j]!;
  return a.v + ((t - a.t) / (b.t - a.t)) * (b.v - a.v);
}

async function sequential(): Promise<{ medians: number[]; at: number[] }> {
  const medians: number[] = [];
  const at: number[] = [];
  for (const [i, c] of cands.entries()) {
    if (i % EVERY === 0) await sentinelPoint();
    const s = await openTimed(c.config, device, 0);
    medians.push(median(await timed(s, RUNS)));
    at.push(performance.now());
    await s.release();
  }
  await sentinelPoint();
  return { medians, at };
}
async function interleaved(): Promise<number[]> {
  const open_: TimedSession[] = [];
  for (const c of cands) open_.push(await openTimed(c.config, device, 0));
  const ts: number[][] = cands.map(() => []);
  for (let r = 0; r < Math.ceil(RUNS / CHUNK); r++) {
    for (let i = 0; i < cands.length; i++) {
      const k = r % 2 ? cands.length - 1 - i : i;
      ts[k]!.push(...(await timed(open_[k]!, CHUNK)));
    }
  }
  for (const s of open_) await s.release();
  return ts.map((x) => median(x));
}

const geomean = (xs: number[]): number => Math.exp(xs.reduce((s, x) => s + Math.log(x), 0) / xs.length);
const pct = (x: number): string => `${(100 * x).toFixed(1)} %`;
function compare(name: string, a: number[], b: number[], normalize = false): void {
  const [ga, gb] = normalize ? [geomean(a), geomean(b)] : [1, 1];
  const d = a.map((x, i) => Math.abs(b[i]! / gb / (x / ga) - 1)).sort((x, y) => x - y);
  console.log(`${name.padEnd(34)} spearman ${spearman(a, b).toFixed(3)}  diff median ${pct(median(d))}  p90 ${pct(quantileSorted(d, 0.9))}`);
}

const load = (): string => execFileSync('uptime', { encoding: 'utf8' }).trim();
console.log(`${load()}`);
console.log(`20 close gpt2 candidates (${(cands[0]!.decoder_params / 1e6).toFixed(1)}-${(cands[COUNT - 1]!.decoder_params / 1e6).toFixed(1)}M), ${RUNS} timed runs each (interleaved: chunks of ${CHUNK}); sentinel ${sentinel.id} ${SRUNS} runs every ${EVERY}; gap ${values['gap-seconds']} s`);
const t0 = performance.now();
const sA = await sequential();
const iA = await interleaved();
await new Promise((r) => setTimeout(r, Number(values['gap-seconds']) * 1000));
const iB = await interleaved();
const sB = await sequential();
console.log(`medians ${Math.min(...sA.medians).toFixed(1)}-${Math.max(...sA.medians).toFixed(1)} ms; pass B / pass A speed: sequential ${(geomean(sB.medians) / geomean(sA.medians)).toFixed(3)}, interleaved ${(geomean(iB) / geomean(iA)).toFixed(3)}`);
compare('sequential, raw', sA.medians, sB.medians);
compare('sequential, pass-normalized', sA.medians, sB.medians, true);
compare('sequential, sentinel-corrected', sA.medians.map((x, i) => x / sentinelAt(sA.at[i]!)), sB.medians.map((x, i) => x / sentinelAt(sB.at[i]!)));
compare('interleaved, raw', iA, iB);
compare('interleaved, pass-normalized', iA, iB, true);
console.log(`sentinel medians (ms): ${series.map((p) => p.v.toFixed(2)).join(' ')}`);
console.log(`${load()}   (${((performance.now() - t0) / 1000).toFixed(0)} s)`);
