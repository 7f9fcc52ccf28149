// Repeatability of the measurement: the same sampled GPT-2 candidates measured twice, each time in a
// fresh process, on the cpu profile. Prints the Spearman rank correlation of the two passes' medians
// (target >= 0.98). Two full passes rather than back-to-back pairs, so that drift in machine load
// shows up as disagreement instead of hiding inside each pair.
//
//   node dist/bench/repeatability.js [--count 20] [--seed 1] [--max-seconds 4] [--device cpu] [--clock wall|cpu]
//
// With --close: 20 candidates of close size, passes minutes apart and under a disturbance, raw and
// drift-corrected (repeatability-close.ts): node dist/bench/repeatability.js --close [--gap-minutes 3]
import { parseArgs } from 'node:util';
import { runClose } from './repeatability-close.js';
import { decoderParams } from '../src/proxy/index.js';
import { candidateId, getSpace, Rng } from '../src/space/index.js';
import { fingerprint, loadDevice, measureCandidate } from '../src/profile/index.js';
import { spearman } from '../src/profile/stats.js';

const { values } = parseArgs({
  options: {
    count: { type: 'string', default: '20' },
    seed: { type: 'string', default: '1' },
    'max-seconds': { type: 'string', default: '3' },
    device: { type: 'string', default: 'cpu' },
    clock: { type: 'string', default: 'wall' },
    close: { type: 'boolean', default: false },
    'gap-minutes': { type: 'string', default: '3' },
  },
});
if (values.close) {
  process.exitCode = await runClose({
    count: Number(values.count),
    seed: Number(values.seed),
    maxSeconds: Number(values['max-seconds']),
    gapMinutes: Number(values['gap-minutes']),
    device: values.device!,
  });
  process.exit();
}
const count = Number(values.count);
const base = loadDevice(values.device!);
// A shorter time cap than the profile's keeps the whole run to a few minutes; the CI target is unchanged.
const clock = values.clock === 'cpu' ? 'cpu' : 'wall';
const device = { ...base, protocol: { ...base.protocol, maxSeconds: Number(values['max-seconds']), clock } as typeof base.protocol };

const space = getSpace('gpt2');
const rng = new Rng(Number(values.seed));
const cands = Array.from({ length: count }, () => space.sample(rng));
const fp = await fingerprint(device);
process.stderr.write(`repeatability: ${count} gpt2 candidates x 2 passes on '${device.name}' (${fp.cpu_model}, ${fp.cores} cores), maxSeconds ${device.protocol.maxSeconds}, clock ${clock}\n`);

const t0 = performance.now();
const medians: number[][] = [[], []];
const cpuMedians: number[][] = [[], []];
const rows: { id: string; params: number; a?: number; b?: number; note?: string }[] = cands.map((c) => ({ id: candidateId(c), params: decoderParams(c) }));
for (const pass of [0, 1]) {
  for (const [i, cfg] of cands.entries()) {
    const m = await measureCandidate(cfg, device, { metrics: ['latency'], seed: 0 });
    const row = rows[i]!;
    if (m.ok) {
      const med = m.latency!.median_ms;
      medians[pass]!.push(med);
      cpuMedians[pass]!.push(m.latency!.cpu_median_ms ?? Number.NaN);
      if (pass === 0) row.a = med;
      else row.b = med;
    } else {
      medians[pass]!.push(Number.NaN);
      cpuMedians[pass]!.push(Number.NaN);
      row.note = m.error;
    }
    process.stderr.write(`  pass ${pass + 1} ${String(i + 1).padStart(2)}/${count} ${row.id} ${m.ok ? `${m.latency!.median_ms.toFixed(2)} ms (${m.latency!.runs} runs, ${m.latency!.stopped_by})` : `FAILED ${m.error}`}\n`);
  }
}
const both = rows.map((_, i) => [medians[0]![i]!, medians[1]![i]!] as const).filter(([a, b]) => Number.isFinite(a) && Number.isFinite(b));
const rho = spearman(both.map((p) => p[0]), both.map((p) => p[1]));
const relDiff = both.map(([a, b]) => Math.abs(a - b) / Math.min(a, b)).sort((x, y) => x - y);
console.log('id        decoder_params   pass1_ms   pass2_ms   diff');
for (const r of rows)
  console.log(`${r.id.padEnd(9)} ${String(r.params).padStart(14)} ${(r.a?.toFixed(2) ?? '-').padStart(10)} ${(r.b?.toFixed(2) ?? '-').padStart(10)} ${r.a && r.b ? ((100 * Math.abs(r.a - r.b)) / Math.min(r.a, r.b)).toFixed(1) + ' %' : r.note ?? ''}`);
console.log(`spearman rank correlation of medians: ${rho.toFixed(4)} over ${both.length} candidates (target >= 0.98)`);
const cpuBoth = rows.map((_, i) => [cpuMedians[0]![i]!, cpuMedians[1]![i]!] as const).filter(([a, b]) => Number.isFinite(a) && Number.isFinite(b));
if (cpuBoth.length >= 2)
  console.log(`spearman of the per-run CPU-time medians: ${spearman(cpuBoth.map((p) => p[0]), cpuBoth.map((p) => p[1])).toFixed(4)} (insensitive to waiting for a core)`);
console.log(`relative difference between passes: median ${(100 * relDiff[Math.floor(relDiff.length / 2)]!).toFixed(1)} %, max ${(100 * relDiff[relDiff.length - 1]!).toFixed(1)} %`);
console.log(`wall time ${((performance.now() - t0) / 1000).toFixed(0)} s`);
process.exitCode = rho >= 0.98 ? 0 : 1;
