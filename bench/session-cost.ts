// What a candidate's session creation spends its time on: the same exported model (the overhead
// benchmark's mid-size GPT-2) given to onnxruntime with one session option changed at a time, in
// turns, the median of --repeat creations each. The search keeps the deployment settings (all graph
// optimizations, weights pre-packed); the other rows only say where the time goes.
//
//   node dist/bench/session-cost.js [--repeat 5]
import { execFileSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import * as ort from 'onnxruntime-node';
import { exportPrefill, sessionOptions } from './in-process.js';
import { loadDevice } from '../src/profile/index.js';
import { parseConfig } from '../src/space/index.js';

const { values } = parseArgs({ options: { repeat: { type: 'string', default: '5' } } });
const repeat = Number(values.repeat);
const device = loadDevice('cpu');
const cfg = parseConfig({ family: 'gpt2', div_val: 4, n_layer: 6, d_model: 512, d_inner: 2048, n_head: 8 });
const model = exportPrefill(cfg, device, 0);

type Options = Parameters<typeof ort.InferenceSession.create>[1];
const base = sessionOptions(device, model);
const variants: [string, Record<string, unknown>][] = [
  ['as the search creates it', {}],
  ['verbose logging (placements)', { logSeverityLevel: 0 }],
  ['graph optimization basic', { graphOptimizationLevel: 'basic' }],
  ['graph optimization disabled', { graphOptimizationLevel: 'disabled' }],
  ['no CPU memory arena', { enableCpuMemArena: false }],
  ['weights not pre-packed', { extra: { session: { disable_prepacking: '1' } } }],
];
const times = variants.map(() => [] as number[]);
for (let r = 0; r < repeat; r++) {
  for (const [i, [, v]] of variants.entries()) {
    const t = performance.now();
    const s = await ort.InferenceSession.create(model.bytes, { ...base, ...v } as Options);
    times[i]!.push(performance.now() - t);
    await s.release();
  }
}
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
console.log(`${execFileSync('uptime', { encoding: 'utf8' }).trim()}`);
console.log(`gpt2 n_layer 6, d_model 512, d_inner 2048 (${model.externalData.length} weight tensors), seq ${device.shapes.seq}; median of ${repeat} session creations each, in turns`);
for (const [i, [name]] of variants.entries()) console.log(`  ${name.padEnd(30)} ${median(times[i]!).toFixed(0).padStart(5)} ms`);
