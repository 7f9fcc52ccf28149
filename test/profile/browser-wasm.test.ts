// The chromium-wasm profile in a real headless Chromium (one browser for the whole file): the same
// logits as Node, a complete measurement record with the wasm threads really in use, and failures
// (page crash, timeout, a dead browser) recorded as failed candidates while measuring goes on.
import * as ortNode from 'onnxruntime-node';
import { afterAll, describe, expect, it } from 'vitest';
import { exportModel } from '../../src/export/index.js';
import { closeBrowser, outputsInBrowser } from '../../src/profile/browser/index.js';
import { acquire, release } from '../../src/profile/browser/chromium.js';
import { checkDevice, fingerprint, loadDevice, measureCandidate } from '../../src/profile/index.js';
import { makeInputs } from '../../src/profile/inputs.js';
import type { DeviceProfile } from '../../src/profile/types.js';
import type { ArchConfig } from '../../src/space/types.js';
import { maxAbsDiff } from '../export/run.js';
import { runSearch } from '../../src/search/loop.js';
import { searchSpaces } from '../../src/search/spaces.js';
import type { CandidateRecord, Evaluator } from '../../src/search/types.js';
import { paretoValidator, settings, tmp } from '../search/helpers.js';
import { expectTimedStats } from './helpers.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const cfg: ArchConfig = {
  family: 'primer', n_layer: 2, d_model: 16, d_inner: [40, 30], n_head: [2, 4], div_val: 2, d_embed: 16,
  vocab_size: 50, cutoffs: [20, 35], n_positions: 16, primer_square: true, primer_conv: true,
};
const shapes = { batch: 1, seq: 8, mem_len: 0, context: 8 };

function device(over: Partial<DeviceProfile> = {}): DeviceProfile {
  const d = loadDevice('chromium-wasm');
  return {
    ...d,
    threads: { intraOp: 2, interOp: 1 },
    shapes,
    protocol: { warmupMin: 2, warmupMax: 5, minRuns: 5, maxRuns: 30, maxSeconds: 2, targetRelCi: 0.05 },
    limits: { memoryMb: 2048, timeoutS: 60 },
    ...over,
  };
}

afterAll(() => closeBrowser());

describe('chromium-wasm: onnxruntime-web in a real headless Chromium', () => {
  it('runs the exported graph (external-data weights) to the same logits as onnxruntime-node, within 1e-4', async () => {
    const model = exportModel(cfg, { form: 'ort', mode: 'prefill', shapes, seed: 4 }, { protoLimitBytes: 0 });
    expect(model.externalData.length).toBeGreaterThan(0);
    const got = await outputsInBrowser(model, device(), { vocab: cfg.vocab_size, seed: 9 });

    const s = await ortNode.InferenceSession.create(model.bytes, { externalData: model.externalData });
    const feeds: Record<string, ortNode.Tensor> = {};
    for (const i of makeInputs(model.inputs, cfg.vocab_size, 9)) feeds[i.name] = new ortNode.Tensor(i.type, i.data, i.dims);
    const want = await s.run(feeds);
    await s.release();
    expect(Object.keys(got).sort()).toEqual(Object.keys(want).sort());
    for (const [name, t] of Object.entries(want)) {
      expect(got[name]!.dims, name).toEqual([...t.dims]);
      expect(maxAbsDiff(got[name]!.data, t.data as Float32Array), name).toBeLessThan(1e-4);
    }
  });

  it('gives a complete measurement record, with the wasm threads really running', async () => {
    const m = await measureCandidate(cfg, device(), { metrics: ['latency', 'decode', 'memory'], seed: 2 });
    expect(m.error).toBeUndefined();
    expect(m.ok).toBe(true);
    for (const l of [m.latency!, m.decode!]) {
      expectTimedStats(l);
      expect(l.clock).toBe('wall');
      expect(l.wall_median_ms).toBe(l.median_ms);
    }
    // The renderer's own peak resident memory from /proc: a real process, well above nothing.
    expect(m.memory!.baseline_mb).toBeGreaterThan(10);
    expect(m.memory!.load_peak_mb).toBeGreaterThan(0);
    expect(m.memory!.inference_peak_mb).toBeGreaterThan(0);
    expect(m.provider).toBe('wasm');
    expect(m.runtime).toEqual({ name: 'browser', version: '1.30.0' });
    // Two wasm threads: onnxruntime-web kept them (the page is isolated) and ran one extra Web Worker.
    expect(m.browser!.wasm_threads).toBe(2);
    expect(m.browser!.workers).toBe(1);
    expect(m.browser!.renderer_pids.length).toBeGreaterThan(0);
    expect(m.timing.export_ms).toBeGreaterThan(0);
    expect(m.timing.session_ms).toBeGreaterThan(0);
    expect(m.timing.measure_ms).toBeGreaterThan(0);

    const fp = await fingerprint(device());
    expect(fp.runtime).toEqual({ name: 'browser', version: '1.30.0' });
    const b = fp.browser!;
    expect(b.version).toMatch(/^\d+\.\d+/);
    expect(b.user_agent).toContain('Chrome/');
    expect(b.cross_origin_isolated).toBe(true);
    expect(b.wasm_simd).toBe(true);
    expect(b.wasm_threads).toBe(2);
    expect(b.wasm_binaries).toContain('ort-wasm-simd-threaded.wasm');
    expect(b.webgpu).toBeUndefined();
  });

  it('in a search, the candidate whose page crashed is recorded as failed and the search goes on in the same browser', async () => {
    const dev = device();
    const held = await acquire(dev);
    release();
    let crashes = 1;
    const ev: Evaluator = {
      name: 'local',
      evaluate: (c, req) => measureCandidate(c, dev, { ...req, onStart: (pid) => crashes-- > 0 && process.kill(pid, 'SIGKILL') }),
      fingerprint: () => fingerprint(dev),
    };
    const s = settings({ shapes, protocol: dev.protocol, population: 3, iterations: 0, param_min: 2e6, param_max: 8e6 });
    const outDir = tmp();
    const out = await runSearch({ outDir, device: dev, settings: s, evaluators: [ev], spaces: searchSpaces(s.families, { min: s.param_min, max: s.param_max }) });
    const recs = readFileSync(join(outDir, 'candidates.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as CandidateRecord);
    expect(recs).toHaveLength(3);
    expect(recs[0]!.measurement.ok).toBe(false);
    expect(recs[0]!.measurement.error).toMatch(/^crashed: the page's renderer process died/);
    expect(recs.slice(1).every((r) => r.measurement.ok && r.measurement.latency!.runs > 0)).toBe(true);
    expect(out.pareto.counts.failed).toBe(1);
    expect(out.pareto.fingerprint.browser!.cross_origin_isolated).toBe(true);
    expect(paretoValidator()(JSON.parse(readFileSync(join(outDir, 'pareto.json'), 'utf8')))).toBeNull();
    // A page crash costs the page, not the browser.
    expect((await acquire(dev)).browser).toBe(held.browser);
    release();
  });

  it('a candidate over the time or memory limit fails alone; a browser that died is relaunched', async () => {
    const slow = await measureCandidate(cfg, device({ limits: { memoryMb: 2048, timeoutS: 0.3 } }), { metrics: ['latency'], seed: 2 });
    expect(slow.ok).toBe(false);
    expect(slow.error).toBe('timeout after 0.3 s');
    // The renderer alone holds more than 60 MB: killed by the memory limit, recorded as such.
    const big = await measureCandidate(cfg, device({ limits: { memoryMb: 60, timeoutS: 60 } }), { metrics: ['latency'], seed: 2 });
    expect(big.ok).toBe(false);
    expect(big.error).toBe('out of memory (limit 60 MB)');

    const held = await acquire(device());
    release();
    await held.browser.close();
    const m = await measureCandidate(cfg, device(), { metrics: ['memory'], seed: 2 });
    expect(m.error).toBeUndefined();
    expect(m.ok).toBe(true);
  });

  it('stops with one line when the browser is missing', async () => {
    const saved = process.env.LTS_CHROMIUM;
    await closeBrowser();
    process.env.LTS_CHROMIUM = '/nonexistent/chromium';
    try {
      await expect(checkDevice(device())).rejects.toThrow(/^LTS_CHROMIUM=\/nonexistent\/chromium: no such file \(set LTS_CHROMIUM .*apt-get install chromium\)$/);
    } finally {
      if (saved === undefined) delete process.env.LTS_CHROMIUM;
      else process.env.LTS_CHROMIUM = saved;
    }
    await expect(checkDevice(device())).resolves.toBeUndefined();
  });
});
