// Does a warm worker that keeps freed heap (glibc's default) measure a large candidate as a fresh
// process does? Each round measures the large overhead-benchmark candidate in a fresh process, then in
// two warm workers right after a mid-size candidate: one started with MALLOC_TRIM_THRESHOLD_ set (freed
// pages go back to the OS at once, as a fresh process's are new), one without (the next candidate's
// weights land in pages the last one used). The two warm workers take turns going first. Prints each
// round's medians and the paired differences against the fresh measurement.
//
//   node dist/bench/warm-heap.js [--rounds 8] [--max-runs 20]
import { execFileSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import { loadDevice, measureCandidate, WarmMeasurer, type Measurement, type Metric } from '../src/profile/index.js';
import { parseConfig } from '../src/space/index.js';

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

// A warm worker copies the environment when it starts, i.e. at its first measure().
const trimmed = new WarmMeasurer();
const kept = new WarmMeasurer();
const rows: { fresh: number; trimmed: number; kept: number }[] = [];
async function warm(w: WarmMeasurer, trim: boolean): Promise<number> {
  if (trim) process.env.MALLOC_TRIM_THRESHOLD_ = '131072';
  else delete process.env.MALLOC_TRIM_THRESHOLD_;
  await w.measure({ kind: 'config', cfg: mid }, device, opts);
  return median(await w.measure({ kind: 'config', cfg: large }, device, opts));
}
console.log(`${execFileSync('uptime', { encoding: 'utf8' }).trim()}`);
console.log('round  fresh ms  warm, trimmed  warm, kept');
try {
  for (let r = 0; r < Number(values.rounds); r++) {
    delete process.env.MALLOC_TRIM_THRESHOLD_;
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
  const mean = d.reduce((a, x) => a + x, 0) / d.length;
  const sd = Math.sqrt(d.reduce((a, x) => a + (x - mean) ** 2, 0) / (d.length - 1));
  console.log(`warm, ${which} vs fresh: mean ${(100 * mean).toFixed(1)} %, s.d. ${(100 * sd).toFixed(1)} %, t ${(mean / (sd / Math.sqrt(d.length))).toFixed(2)}, higher in ${d.filter((x) => x > 0).length} of ${d.length}`);
}
console.log(`${execFileSync('uptime', { encoding: 'utf8' }).trim()}`);
