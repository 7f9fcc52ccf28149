// Allocation warm-up check: is the first model a fresh warm worker measures slower than the ones after
// it? Measures the close-candidate sentinel `--tasks` times in each of `--workers` warm workers and
// prints the medians per worker (CPU time by default, so waiting for a core does not count).
//
//   node dist/bench/warm-first.js [--workers 2] [--tasks 4] [--clock cpu|wall] [--max-seconds 3]
import { parseArgs } from 'node:util';
import { loadDevice, WarmMeasurer } from '../src/profile/index.js';
import { chooseSentinel } from '../src/search/sentinel.js';
import { searchSpaces } from '../src/search/spaces.js';

const { values } = parseArgs({
  options: {
    workers: { type: 'string', default: '2' },
    tasks: { type: 'string', default: '4' },
    clock: { type: 'string', default: 'cpu' },
    'max-seconds': { type: 'string', default: '3' },
  },
});
// The same space and sentinel as `repeatability.js --close`.
const spaces = searchSpaces(['gpt2'], { min: 0, max: Number.MAX_SAFE_INTEGER }, { n_layer: [4, 5], d_model: [384, 448] });
const sentinel = chooseSentinel(spaces, 1);
const base = loadDevice('cpu');
const clock = values.clock === 'wall' ? 'wall' : 'cpu';
const device = { ...base, protocol: { ...base.protocol, maxSeconds: Number(values['max-seconds']), clock } as typeof base.protocol };
console.log(`sentinel ${sentinel.id}, ${values.tasks} tasks in each of ${values.workers} warm workers, clock ${clock}: median ms (timed runs)`);
for (let w = 0; w < Number(values.workers); w++) {
  const warm = new WarmMeasurer();
  const out: string[] = [];
  for (let i = 0; i < Number(values.tasks); i++) {
    const m = await warm.measure({ kind: 'config', cfg: sentinel.config }, device, { metrics: ['latency'], seed: 0 });
    out.push(m.ok ? `${m.latency!.median_ms.toFixed(1)} (${m.latency!.runs})` : `failed: ${m.error}`);
  }
  warm.close();
  console.log(`worker ${w + 1}: ${out.join(', ')}`);
}
