// Does the sparse MoE cost what its routed tokens cost? One sub-layer with 16 experts and top-1 routing
// against one dense FFN of the expert's width, in both graph forms, each measured the way the search
// measures a candidate (fresh process, the device profile's protocol, prefill of batch x seq tokens).
// With top-1 every token runs exactly one expert FFN, so a dispatch that costs what it routes is close to
// the dense FFN (plus the router and the gather/scatter); running every expert on every token would be
// about what a dense FFN E times as wide costs, which the last row measures.
//
// `--clock cpu` times each run by the process's CPU time (for a machine shared with other work).
//
//   node dist/bench/moe-vs-dense.js [--device cpu] [--d-model 512] [--width 2048] [--experts 16] [--clock wall|cpu]
import { parseArgs } from 'node:util';
import type { Sublayer } from '../src/families/brainformer/config.js';
import { fingerprint, loadDevice, measureSource, type Measurement } from '../src/profile/index.js';

const { values } = parseArgs({
  options: {
    device: { type: 'string', default: 'cpu' },
    'd-model': { type: 'string', default: '512' },
    width: { type: 'string', default: '2048' },
    experts: { type: 'string', default: '16' },
    clock: { type: 'string', default: 'wall' },
  },
});
const loaded = loadDevice(values.device!);
const base = { ...loaded, protocol: { ...loaded.protocol, clock: values.clock === 'cpu' ? ('cpu' as const) : ('wall' as const) } };
const d = Number(values['d-model']);
const f = Number(values.width);
const E = Number(values.experts);
const moe: Sublayer = { kind: 'moe', experts: E, top_k: 1, d_inner: f, act: 'gelu' };
const dense: Sublayer = { kind: 'ffn', d_inner: f, act: 'gelu' };
const everyExpert: Sublayer = { kind: 'ffn', d_inner: E * f, act: 'gelu' };

const fp = await fingerprint(base);
console.log(`device ${base.name}: ${fp.cpu_model}, ${fp.cores} cores, ${fp.runtime.name} ${fp.runtime.version}, threads ${base.threads.intraOp}, clock ${base.protocol.clock}, ${base.shapes.batch} x ${base.shapes.seq} tokens, d_model ${d}, width ${f}`);
console.log('form      layer                 median ms   p90 ms   runs   ratio to dense');
const median = (m: Measurement): number => {
  if (!m.ok || !m.latency) throw new Error(`measurement failed: ${m.error}`);
  return m.latency.median_ms;
};
for (const form of ['ort', 'standard'] as const) {
  const device = { ...base, graph: form };
  const run = (s: Sublayer) => measureSource({ kind: 'part', family: 'brainformer', part: s, d_model: d }, device, { metrics: ['latency'], seed: 1 });
  const md = await run(dense);
  const mm = await run(moe);
  const row = (label: string, m: Measurement, ratio: string) =>
    console.log(`${form.padEnd(9)} ${label.padEnd(21)} ${median(m).toFixed(2).padStart(9)} ${m.latency!.p90_ms.toFixed(2).padStart(8)} ${String(m.latency!.runs).padStart(6)}   ${ratio}`);
  row(`dense FFN ${f}`, md, '1.00');
  row(`MoE ${E}x${f}, top-1`, mm, (median(mm) / median(md)).toFixed(2));
  if (form === 'standard') {
    const mall = await run(everyExpert);
    row(`dense FFN ${E * f}`, mall, `${(median(mall) / median(md)).toFixed(2)}  (the FLOPs of every expert on every token)`);
  }
}
