// Does a warm worker that keeps freed heap (glibc's default) measure a large candidate as a fresh
// process does? Each round measures the large overhead-benchmark candidate in a fresh process, then in
// two warm workers right after a mid-size candidate: one as the search starts it, with glibc's
// MALLOC_TRIM_THRESHOLD_ set (freed pages go back to the OS at once, as a fresh process's are new), one
// with LTS_KEEP_HEAP=1, i.e. glibc's own setting (the next candidate's weights land in pages the last
// one used). The two warm workers take turns going first. Prints each
// round's medians and the paired differences against the fresh measurement, and what each warm worker
// spent on export and session creation for the two candidates (the search's overhead that keeping the
// heap would save).
//
//   node dist/bench/warm-heap.js [--rounds 8] [--max-runs 20]
import { execFileSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import { loadDevice, measureCandidate, WarmMeasurer, type Measurement, type Metric } from '../src/profile/index.js';
import { parseConfig } from '../src/space/index.js';
import { pairedSummary } from './paired.js';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '8' }, 'max-runs': { type: 'string', default: '20' } } });
const device = loadDevice('cpu');
device.protocol.maxRuns = Number(values['max-runs']);
const mid = parseConfig({ family: 'gpt2', div_val: 4, n_layer: 6, d_model: 512, d_inner: 2048, n_head: 8 });
const large = parseConfig({ family: 'gpt2', div_val: 4, n_layer: 10, d_model: 768, d_inner: 3072, n_head: 8 });
const opts = { metrics: ['latency'] as Metric[], seed: 0 };
const median = (m: Measurement): number => {
  if (!m.ok || !m.latency) throw new Error(`measurement failed: ${m.error}`);
  return m.latency.median_ms;
};
/** Export + session creation of a measurement, ms. */
const setup = (m: Measurement): number => m.timing.export_ms + m.timing.session_ms;

// A warm worker copies the environment when it starts, i.e. at its first measure().
const trimmed = new WarmMeasurer();
const kept = new WarmMeasurer();
const rows: { fresh: number; trimmed: number; kept: number }[] = [];
const setupMs = { trimmed: [] as number[], kept: [] as number[] };
async function warm(w: WarmMeasurer, trim: boolean): Promise<number> {
  // The measuring worker trims unless told to keep glibc's own setting (src/profile/child.ts).
  if (trim) delete process.env.LTS_KEEP_HEAP;
  else process.env.LTS_KEEP_HEAP = '1';
  const a = await w.measure({ kind: 'config', cfg: mid }, device, opts);
  const b = await w.measure({ kind: 'config', cfg: large }, device, opts);
  setupMs[trim ? 'trimmed' : 'kept'].push(setup(a) + setup(b));
  return median(b);
}
console.log(`${execFileSync('uptime', { encoding: 'utf8' }).trim()}`);
console.log('round  fresh ms  warm, trimmed  warm, kept');
try {
  for (let r = 0; r < Number(values.rounds); r++) {
    delete process.env.LTS_KEEP_HEAP;
    const fresh = median(await measureCandidate(large, device, opts));
    let t: number;
    let k: number;
    if (r % 2 === 0) {
      t = await warm(trimmed, true);
      k = await warm(kept, false);
    } else {
      k = await warm(kept, false);
      t = await warm(trimmed, true);
    }
    rows.push({ fresh, trimmed: t, kept: k });
    console.log(`${String(r).padStart(5)}  ${fresh.toFixed(1).padStart(8)}  ${t.toFixed(1).padStart(13)}  ${k.toFixed(1).padStart(10)}`);
  }
} finally {
  trimmed.close();
  kept.close();
}
for (const which of ['trimmed', 'kept'] as const) {
  const d = rows.map((x) => x[which] / x.fresh - 1);
  console.log(`warm, ${which} vs fresh: ${pairedSummary(d)}`);
}
const mid2 = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
console.log(`export + session creation of the mid and large candidate, median per round: warm, trimmed ${mid2(setupMs.trimmed).toFixed(0)} ms; warm, kept ${mid2(setupMs.kept).toFixed(0)} ms`);
console.log(`${execFileSync('uptime', { encoding: 'utf8' }).trim()}`);
