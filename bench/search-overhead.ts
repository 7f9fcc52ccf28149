// Where a search's time goes, per candidate: process start-up, export (graph + weights), session
// creation, and the timed runs that are the point of it all. Measures real candidates of three sizes
// on a device profile with its own protocol, each in its fresh process exactly as the search does.
//
//   node dist/bench/search-overhead.js [--device cpu] [--metric latency] [--repeat 2]
import { parseArgs } from 'node:util';
import { decoderParams, totalParams } from '../src/proxy/index.js';
import { candidateId, parseConfig } from '../src/space/index.js';
import { fingerprint, loadDevice, measureCandidate, type Metric } from '../src/profile/index.js';

const { values } = parseArgs({
  options: {
    device: { type: 'string', default: 'cpu' },
    metric: { type: 'string', default: 'latency' },
    repeat: { type: 'string', default: '2' },
  },
});
const device = loadDevice(values.device!);
const metrics = values.metric!.split(',') as Metric[];
const repeat = Number(values.repeat);

// Small, mid and large corners of the default GPT-2 space (adaptive embedding, div_val 4 as in the paper).
const sizes = [
  { n_layer: 3, d_model: 256, d_inner: 512, n_head: 4 },
  { n_layer: 6, d_model: 512, d_inner: 2048, n_head: 8 },
  { n_layer: 10, d_model: 768, d_inner: 3072, n_head: 8 },
].map((s) => parseConfig({ family: 'gpt2', div_val: 4, ...s }));

const fp = await fingerprint(device);
console.log(`device ${device.name}: ${fp.cpu_model}, ${fp.cores} cores, ${fp.runtime.name} ${fp.runtime.version}, threads ${device.threads.intraOp}, seq ${device.shapes.seq}`);
console.log('candidate           decoder  total    start-up   export  session  timed-runs  runs  overhead');
let sumOverhead = 0;
let sumTotal = 0;
for (const cfg of sizes) {
  for (let r = 0; r < repeat; r++) {
    const m = await measureCandidate(cfg, device, { metrics, seed: 0 });
    if (!m.ok) {
      console.log(`${candidateId(cfg)} FAILED: ${m.error}`);
      continue;
    }
    const t = m.timing;
    const startup = t.total_ms - t.export_ms - t.session_ms - t.measure_ms;
    const overhead = t.total_ms - t.measure_ms;
    sumOverhead += overhead;
    sumTotal += t.total_ms;
    const runs = (m.latency ?? m.decode)?.runs ?? 0;
    const f = (ms: number): string => `${(ms / 1000).toFixed(2)} s`.padStart(8);
    console.log(
      `${candidateId(cfg).padEnd(16)} ${(decoderParams(cfg) / 1e6).toFixed(1).padStart(6)}M ${(totalParams(cfg) / 1e6).toFixed(1).padStart(6)}M ${f(startup)} ${f(t.export_ms)} ${f(t.session_ms)} ${f(t.measure_ms).padStart(11)} ${String(runs).padStart(5)} ${((100 * overhead) / t.total_ms).toFixed(1).padStart(7)} %`,
    );
  }
}
console.log(`overall: ${((100 * sumOverhead) / sumTotal).toFixed(1)} % of candidate wall time outside the timed runs`);
