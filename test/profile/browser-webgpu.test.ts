// The chromium-webgpu profile: whatever adapter this machine's Chromium offers is recorded as it is; a
// software adapter (SwiftShader) or none stops the profile with one line before anything is measured.
import * as ortNode from 'onnxruntime-node';
import { afterAll, describe, expect, it } from 'vitest';
import { exportModel } from '../../src/export/index.js';
import { closeBrowser, outputsInBrowser } from '../../src/profile/browser/index.js';
import { adapterRefusal } from '../../src/profile/browser/measure.js';
import type { PageEnv } from '../../src/profile/browser/page.js';
import { checkDevice, fingerprint, loadDevice, measureCandidate } from '../../src/profile/index.js';
import { makeInputs } from '../../src/profile/inputs.js';
import type { DeviceProfile } from '../../src/profile/types.js';
import type { ArchConfig } from '../../src/space/types.js';
import { maxAbsDiff } from '../export/run.js';

const cfg: ArchConfig = { family: 'gpt2', n_layer: 2, d_model: 16, d_inner: [40, 30], n_head: [2, 4], div_val: 1, d_embed: 16, vocab_size: 50, cutoffs: [], n_positions: 16 };
const shapes = { batch: 1, seq: 8, mem_len: 0, context: 8 };

function device(over: Partial<DeviceProfile> = {}): DeviceProfile {
  return {
    ...loadDevice('chromium-webgpu'),
    shapes,
    protocol: { warmupMin: 1, warmupMax: 3, minRuns: 3, maxRuns: 10, maxSeconds: 2, targetRelCi: 0.05 },
    ...over,
  };
}

const env = (webgpu: PageEnv['webgpu']): PageEnv => ({
  user_agent: 'x', cross_origin_isolated: true, hardware_concurrency: 2, shared_array_buffer: true, wasm_simd: true, webgpu,
});

afterAll(() => closeBrowser());

describe('chromium-webgpu: which adapter, and refusing what is not a GPU', () => {
  it('refuses a missing adapter and a software one (unless allowed) with one line', () => {
    expect(adapterRefusal(device(), env({ none: 'requestAdapter() returned no adapter' }))).toBe(
      "device 'chromium-webgpu': the browser offers no WebGPU adapter here (requestAdapter() returned no adapter)",
    );
    const sw = env({ vendor: 'google', architecture: 'swiftshader', device: '', description: '', software: true });
    expect(adapterRefusal(device(), sw)).toMatch(/^device 'chromium-webgpu': the browser's only WebGPU adapter is a software fallback \(google swiftshader\)/);
    expect(adapterRefusal(device({ browser: { allowSoftwareAdapter: true } }), sw)).toBeUndefined();
    expect(adapterRefusal(device(), env({ vendor: 'nvidia', architecture: 'hopper', device: '', description: '', software: false }))).toBeUndefined();
    expect(adapterRefusal(loadDevice('chromium-wasm'), env({ none: 'x' }))).toBeUndefined();
  });

  it('on this machine: the adapter offered is recorded; a GPU (or allowed software) adapter gives the Node logits', async () => {
    const fp = await fingerprint(device());
    const gpu = fp.browser!.webgpu!;
    expect(gpu).toBeDefined();
    if ('none' in gpu) {
      await expect(checkDevice(device())).rejects.toThrow(/^device 'chromium-webgpu': the browser offers no WebGPU adapter here \(.+\)$/);
      return;
    }
    if (gpu.software) await expect(checkDevice(device())).rejects.toThrow(/software fallback/);
    else await expect(checkDevice(device())).resolves.toBeUndefined();

    const dev = device({ browser: { allowSoftwareAdapter: true } });
    const model = exportModel(cfg, { form: 'ort', mode: 'prefill', shapes, seed: 4 }, {});
    const got = await outputsInBrowser(model, dev, { vocab: cfg.vocab_size, seed: 9 });
    const s = await ortNode.InferenceSession.create(model.bytes);
    const feeds: Record<string, ortNode.Tensor> = {};
    for (const i of makeInputs(model.inputs, cfg.vocab_size, 9)) feeds[i.name] = new ortNode.Tensor(i.type, i.data, i.dims);
    const want = (await s.run(feeds)).logits!;
    await s.release();
    expect(maxAbsDiff(got.logits!.data, want.data as Float32Array)).toBeLessThan(1e-4);

    // Two runs only: SwiftShader takes seconds per run on a loaded machine.
    const m = await measureCandidate(cfg, { ...dev, protocol: { ...dev.protocol, warmupMin: 1, minRuns: 1 } }, { metrics: ['memory'], seed: 2 });
    expect(m.error).toBeUndefined();
    // A software adapter's result says so wherever the provider is shown.
    expect(m.provider).toMatch(gpu.software ? /^webgpu(\+cpu)? \(software adapter\)$/ : /^webgpu(\+cpu)?$/);
    // onnxruntime's own node placements, read from the page's console: most nodes on WebGPU.
    expect(m.placement!.webgpu).toBeGreaterThan(m.placement!.cpu ?? 0);
    expect(m.memory!.inference_peak_mb).toBeGreaterThan(0);
  });
});
