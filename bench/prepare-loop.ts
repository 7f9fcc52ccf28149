// What a preparing lane does, without end: export a candidate, create its session as the measuring
// worker does, release it, next. bench/prepare-ahead.ts runs it beside a timed phase to see whether
// that work on the other core moves what is timed. Killed by its parent.
//
//   node dist/bench/prepare-loop.js [device]
import * as ort from 'onnxruntime-node';
import { loadDevice } from '../src/profile/index.js';
import { getSpace, Rng } from '../src/space/index.js';
import { exportPrefill, sessionOptions } from './in-process.js';

const device = loadDevice(process.argv[2] ?? 'cpu');
const space = getSpace('gpt2');
const rng = new Rng(7);
for (let i = 0; ; i++) {
  const model = exportPrefill(space.sample(rng), device, i);
  const session = await ort.InferenceSession.create(model.bytes, sessionOptions(device, model) as ort.InferenceSession.SessionOptions);
  await session.release();
}
