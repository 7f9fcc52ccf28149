// Where a web deployment runs vs its proxies: the same sampled GPT-2 candidates measured on the Node
// `wasm` profile (onnxruntime-web in Node), on `chromium-wasm` (onnxruntime-web in a real headless
// Chromium) and on `cpu` (onnxruntime-node), all with the same intra-op thread count. The three
// measurements of a candidate run back to back, in a rotating order, so drift in machine load hits
// every runtime alike. Prints a markdown table of the medians.
//
//   node dist/bench/browser-compare.js [--count 5] [--seed 1] [--threads <cores>] [--max-seconds 10]
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { decoderParams } from '../src/proxy/index.js';
import { candidateId, getSpace, Rng } from '../src/space/index.js';
import { closeBrowser, fingerprint, loadDevice, measureCandidate } from '../src/profile/index.js';
import type { DeviceProfile, Measurement } from '../src/profile/types.js';

const { values } = parseArgs({
  options: {
    count: { type: 'string', default: '5' },
    seed: { type: 'string', default: '1' },
    threads: { type: 'string', default: String(cpus().length) },
    'max-seconds': { type: 'string', default: '10' },
  },
});
const threads = Number(values.threads);
const profile = (name: string): DeviceProfile => {
  const d = loadDevice(name);
  return { ...d, threads: { intraOp: threads, interOp: 1 }, protocol: { ...d.protocol, maxSeconds: Number(values['max-seconds']) } };
};
const devices = ['wasm', 'chromium-wasm', 'cpu'].map(profile);

const space = getSpace('gpt2');
const rng = new Rng(Number(values.seed));
const cands = Array.from({ length: Number(values.count) }, () => space.sample(rng));
const load = (): string => loadavg().map((x) => x.toFixed(2)).join(', ');
const browser = (await fingerprint(devices[1]!)).browser!;
process.stderr.write(`browser-compare: ${cands.length} gpt2 candidates x ${devices.map((d) => d.name).join(', ')}, ${threads} threads, maxSeconds ${values['max-seconds']}\n`);
const started = new Date().toISOString();
const loadBefore = load();

const cell = (m: Measurement): string => (m.ok ? `${m.latency!.median_ms.toFixed(1)} (${m.latency!.runs} runs)` : `failed: ${m.error}`);
const rows: string[] = [];
for (const [i, cfg] of cands.entries()) {
  const got = new Map<string, Measurement>();
  for (let k = 0; k < devices.length; k++) {
    const d = devices[(i + k) % devices.length]!;
    const m = await measureCandidate(cfg, d, { metrics: ['latency'], seed: 0 });
    got.set(d.name, m);
    process.stderr.write(`  ${candidateId(cfg)} ${d.name}: ${cell(m)}\n`);
  }
  const w = got.get('wasm')!;
  const c = got.get('chromium-wasm')!;
  // Parallelism actually achieved: Node's per-run process CPU over wall; the renderer's CPU over wall.
  const par = `${w.latency?.cpu_median_ms && w.latency.median_ms ? (w.latency.cpu_median_ms / w.latency.median_ms).toFixed(2) : '-'} / ${c.browser?.cpu_per_wall ?? '-'}`;
  rows.push(
    `| ${candidateId(cfg)} | ${(decoderParams(cfg) / 1e6).toFixed(2)}M | ${cell(w)} | ${cell(c)} | ${cell(got.get('cpu')!)} | ${par} |`,
  );
}
await closeBrowser();

const out = [
  `${started} .. ${new Date().toISOString()}; load average (1, 5, 15 min) before: ${loadBefore}; after: ${load()}; ${cpus()[0]?.model.trim()} x ${cpus().length}; Chromium ${browser.version} (cross-origin isolated ${browser.cross_origin_isolated}, wasm SIMD ${browser.wasm_simd}, ${browser.wasm_threads} wasm threads); intra-op threads ${threads}`,
  '',
  '| candidate | decoder params | Node `wasm` median ms | `chromium-wasm` median ms | `cpu` median ms | CPU/wall: Node wasm / Chromium |',
  '|---|---|---|---|---|---|',
  ...rows,
];
process.stdout.write(out.join('\n') + '\n');
