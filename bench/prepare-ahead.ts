// Prepare-ahead against one candidate at a time, side by side in one run: the same sampled GPT-2
// candidates measured as a search measures them, once by one warm worker ("alone": export, session,
// timed phase, next) and once by two lanes sharing the device ("ahead": while one lane times its
// candidate, the other exports the next and creates its session; src/profile/gate.ts). The two passes
// take turns going first, round after round. Prints each pass's wall time, the share of it outside any
// timed phase and candidates per minute, then the paired medians (ahead / alone) per candidate: whether
// preparing on the other core moves what is timed. Passes minutes apart also differ by the machine's
// drift (a few %, README *Drift*), so a second part isolates the two things prepare-ahead changes for
// a timed candidate, in one warm worker, a mid-size and a large candidate taking turns within seconds:
// "alone" (timed right after its session is created, the other core idle), "contended" (a second
// process exports candidates and creates sessions without pause throughout, bench/prepare-loop.ts) and
// "waited" (its turn comes 1.5 s after its session is ready, as when the other lane is still timing).
//
//   node dist/bench/prepare-ahead.js [--count 16] [--rounds 2] [--seed 1] [--device cpu] [--bias-rounds 6]
import { execFileSync, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { candidateId, getSpace, Rng } from '../src/space/index.js';
import { decoderParams } from '../src/proxy/index.js';
import { DeviceGate, fingerprint, loadDevice, localEvaluator, localEvaluators, prepareAheadObstacle, WarmMeasurer, type Measurement, type MeasureOptions } from '../src/profile/index.js';
import { parseConfig } from '../src/space/index.js';
import { pairedSummary } from './paired.js';
import type { Evaluator } from '../src/search/types.js';
import type { ArchConfig } from '../src/space/types.js';

const { values } = parseArgs({
  options: {
    count: { type: 'string', default: '16' },
    rounds: { type: 'string', default: '2' },
    seed: { type: 'string', default: '1' },
    device: { type: 'string', default: 'cpu' },
    'bias-rounds': { type: 'string', default: '6' },
  },
});
const device = loadDevice(values.device!);
const obstacle = prepareAheadObstacle(device);
if (obstacle) {
  console.error(`prepare-ahead: not on device '${device.name}': ${obstacle}`);
  process.exit(2);
}
const space = getSpace('gpt2');
const rng = new Rng(Number(values.seed));
const cands = Array.from({ length: Number(values.count) }, () => space.sample(rng));
const req = { metrics: ['latency' as const], seed: 0 };

interface Pass {
  wallMs: number;
  timedMs: number;
  medians: number[];
  /** Warm-up + timed runs per candidate. */
  runs: string[];
}

/** Measures every candidate, in order, through these evaluators (each takes the next one when free), as the search's scheduler does. */
async function pass(evaluators: Evaluator[]): Promise<Pass> {
  const out: Measurement[] = [];
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    evaluators.map(async (ev) => {
      for (let i = next++; i < cands.length; i = next++) out[i] = await ev.evaluate(cands[i] as ArchConfig, req);
    }),
  );
  const wallMs = performance.now() - t0;
  for (const ev of evaluators) await ev.close?.();
  const failed = out.findIndex((m) => !m.ok);
  if (failed >= 0) throw new Error(`${candidateId(cands[failed]!)} failed: ${out[failed]!.error}`);
  return {
    wallMs,
    timedMs: out.reduce((a, m) => a + m.timing.measure_ms, 0),
    medians: out.map((m) => m.latency!.median_ms),
    runs: out.map((m) => `${m.latency!.warmup_runs}+${m.latency!.runs}`),
  };
}

const fp = await fingerprint(device);
console.log(`device ${device.name}: ${fp.cpu_model}, ${fp.cores} cores, ${fp.runtime.name} ${fp.runtime.version}, threads ${device.threads.intraOp}; ${cands.length} gpt2 candidates (seed ${values.seed}), ${values.rounds} rounds`);
console.log(execFileSync('uptime', { encoding: 'utf8' }).trim());
console.log('round  pass    wall      outside timed phase  candidates/min');
const results: { alone: Pass[]; ahead: Pass[] } = { alone: [], ahead: [] };
for (let r = 0; r < Number(values.rounds); r++) {
  const order = r % 2 === 0 ? (['alone', 'ahead'] as const) : (['ahead', 'alone'] as const);
  for (const which of order) {
    const p = await pass(which === 'alone' ? [localEvaluator(device)] : localEvaluators(device, true));
    results[which].push(p);
    const outside = 1 - p.timedMs / p.wallMs;
    console.log(`${String(r).padStart(5)}  ${which.padEnd(6)}  ${(p.wallMs / 1000).toFixed(1).padStart(6)} s  ${(100 * outside).toFixed(1).padStart(18)} %  ${((cands.length / p.wallMs) * 60_000).toFixed(1).padStart(14)}`);
  }
}
const total = (ps: Pass[], k: 'wallMs' | 'timedMs'): number => ps.reduce((a, p) => a + p[k], 0);
for (const which of ['alone', 'ahead'] as const) {
  const ps = results[which];
  console.log(`${which}: wall ${(total(ps, 'wallMs') / 1000).toFixed(1)} s over ${ps.length} passes, outside the timed phases ${(100 * (1 - total(ps, 'timedMs') / total(ps, 'wallMs'))).toFixed(1)} %`);
}
console.log(`ahead / alone wall time: ${(total(results.ahead, 'wallMs') / total(results.alone, 'wallMs')).toFixed(3)}`);

// Paired: the same candidate in the same round, ahead against alone.
const d: number[] = [];
for (let r = 0; r < results.alone.length; r++) {
  for (let i = 0; i < cands.length; i++) d.push(results.ahead[r]!.medians[i]! / results.alone[r]!.medians[i]! - 1);
}
console.log('candidate        decoder  median ms (warm-up + timed runs) alone -> ahead, per round');
for (const [i, c] of cands.entries()) {
  const one = (p: Pass): string => `${p.medians[i]!.toFixed(1)} (${p.runs[i]})`;
  const pairs = results.alone.map((p, r) => `${one(p)} -> ${one(results.ahead[r]!)}`).join('   ');
  console.log(`${candidateId(c).padEnd(16)} ${(decoderParams(c) / 1e6).toFixed(1).padStart(6)}M  ${pairs}`);
}
console.log(
  `paired medians (passes apart, drift included), ahead vs alone: ${pairedSummary(d, 2)}`,
);

// Part 2: the same worker, the same candidate, conditions in turns (rotating which goes first).
const biasRounds = Number(values['bias-rounds']);
const bias = {
  mid: parseConfig({ family: 'gpt2', div_val: 4, n_layer: 5, d_model: 448, d_inner: 1792, n_head: 8 }),
  large: parseConfig({ family: 'gpt2', div_val: 4, n_layer: 10, d_model: 768, d_inner: 3072, n_head: 8 }),
};
const CONDITIONS = ['alone', 'contended', 'waited'] as const;
type Condition = (typeof CONDITIONS)[number];
const worker = new WarmMeasurer({ recycleEvery: 1_000_000 });
const loopPath = fileURLToPath(new URL('./prepare-loop.js', import.meta.url));

async function timed(cfg: ArchConfig, c: Condition): Promise<number> {
  const opts: MeasureOptions = { ...req };
  const preparer = c === 'contended' ? spawn(process.execPath, [loopPath, device.name], { stdio: 'ignore', env: { ...process.env, MALLOC_TRIM_THRESHOLD_: '131072' } }) : undefined;
  if (preparer) await new Promise((r) => setTimeout(r, 300));
  if (c === 'waited') {
    const gate = new DeviceGate();
    const held = await gate.acquire();
    opts.turn = () => gate.acquire();
    opts.onPhase = (phase) => phase.startsWith('session') && void setTimeout(held, 1500);
  }
  try {
    const m = await worker.measure({ kind: 'config', cfg }, device, opts);
    if (!m.ok) throw new Error(`${candidateId(cfg)} failed: ${m.error}`);
    return m.latency!.median_ms;
  } finally {
    preparer?.kill('SIGKILL');
  }
}

console.log(`bias: one warm worker, ${biasRounds} rounds; median ms per condition (alone / contended / waited)`);
const ratios: Record<'mid' | 'large', Record<'contended' | 'waited', number[]>> = { mid: { contended: [], waited: [] }, large: { contended: [], waited: [] } };
try {
  for (let r = 0; r < biasRounds; r++) {
    for (const k of ['mid', 'large'] as const) {
      const got = {} as Record<Condition, number>;
      for (let j = 0; j < CONDITIONS.length; j++) {
        const c = CONDITIONS[(r + j) % CONDITIONS.length]!;
        got[c] = await timed(bias[k], c);
      }
      ratios[k].contended.push(got.contended / got.alone - 1);
      ratios[k].waited.push(got.waited / got.alone - 1);
      console.log(`${String(r).padStart(5)}  ${k.padEnd(5)}  ${got.alone.toFixed(1)} / ${got.contended.toFixed(1)} / ${got.waited.toFixed(1)}`);
    }
  }
} finally {
  worker.close();
}
for (const k of ['mid', 'large'] as const) {
  for (const c of ['contended', 'waited'] as const) {
    console.log(`${k} (${candidateId(bias[k])}) ${c} vs alone: ${pairedSummary(ratios[k][c])}`);
  }
}
console.log(execFileSync('uptime', { encoding: 'utf8' }).trim());
