// Where the variation between measurements of the same model comes from on this machine. Three
// experiments in one process, each reporting medians of blocks of timed runs (after warm-up) and their
// coefficient of variation:
//   same session:  one session, block after block: the machine's own speed over seconds;
//   new sessions:  a new session (new weights, new allocations) per block: adds page layout and arenas;
//   interleaved:   the model and a smaller reference run by turns, block medians and their ratio: how
//                  much a reference measured at the same moment (a sentinel, at its best) cancels.
// If the same-session blocks vary as much as the new-session ones, the variation is the machine's
// speed over seconds, not the process or the session, and only averaging over time narrows it.
//
//   node dist/bench/speed-sources.js [--blocks 12] [--runs 15] [--gap-ms 300]
import { execFileSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import { openTimed } from './in-process.js';
import { loadDevice } from '../src/profile/index.js';
import { parseConfig } from '../src/space/index.js';
import type { ArchConfig } from '../src/space/types.js';

const { values } = parseArgs({
  options: {
    blocks: { type: 'string', default: '12' },
    runs: { type: 'string', default: '15' },
    'gap-ms': { type: 'string', default: '300' },
  },
});
const blocks = Number(values.blocks);
const runs = Number(values.runs);
const gapMs = Number(values['gap-ms']);
const device = loadDevice('cpu');
// The close benchmark's size (bench/repeatability-close.ts) and a reference a quarter of its cost.
const model = parseConfig({ family: 'gpt2', div_val: 4, n_layer: 4, d_model: 384, d_inner: 1536, n_head: 8 });
const reference = parseConfig({ family: 'gpt2', div_val: 4, n_layer: 2, d_model: 256, d_inner: 512, n_head: 4 });

const open = (cfg: ArchConfig, seed: number) => openTimed(cfg, device, seed);

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const cv = (xs: number[]): number => {
  const m = xs.reduce((a, x) => a + x, 0) / xs.length;
  return Math.sqrt(xs.reduce((a, x) => a + (x - m) ** 2, 0) / (xs.length - 1)) / m;
};
const pause = (): Promise<void> => new Promise((r) => setTimeout(r, gapMs));
const line = (name: string, xs: number[], d = 1): void =>
  console.log(`${name.padEnd(22)} cv ${(100 * cv(xs)).toFixed(2).padStart(5)} %  range ${((100 * (Math.max(...xs) - Math.min(...xs))) / median(xs)).toFixed(1).padStart(4)} %   ${xs.map((x) => x.toFixed(d)).join(' ')}`);

console.log(`${execFileSync('uptime', { encoding: 'utf8' }).trim()}`);
console.log(`blocks of ${runs} timed runs after 5 warm-up, ${gapMs} ms apart; medians in ms; one intra-op thread, seq ${device.shapes.seq}`);

const same: number[] = [];
const s = await open(model, 0);
for (let b = 0; b < blocks; b++) {
  const ts: number[] = [];
  for (let i = 0; i < runs; i++) ts.push(await s.run());
  same.push(median(ts));
  await pause();
}
await s.release();
line('same session', same);

const fresh: number[] = [];
for (let b = 0; b < blocks; b++) {
  const x = await open(model, b);
  const ts: number[] = [];
  for (let i = 0; i < runs; i++) ts.push(await x.run());
  fresh.push(median(ts));
  await x.release();
  await pause();
}
line('new session per block', fresh);

const a = await open(model, 0);
const r = await open(reference, 0);
const ma: number[] = [];
const mr: number[] = [];
for (let b = 0; b < blocks; b++) {
  const ta: number[] = [];
  const tr: number[] = [];
  for (let i = 0; i < runs; i++) {
    ta.push(await a.run());
    tr.push(await r.run());
  }
  ma.push(median(ta));
  mr.push(median(tr));
  await pause();
}
line('interleaved: model', ma);
line('interleaved: reference', mr, 2);
line('model / reference', ma.map((x, i) => x / mr[i]!), 3);
console.log(`${execFileSync('uptime', { encoding: 'utf8' }).trim()}`);
