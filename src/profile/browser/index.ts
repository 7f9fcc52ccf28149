// Public face of the browser runtime. Loaded lazily (dynamic import) by the profiler, so searches on
// other runtimes never load playwright-core.
import type { DeviceProfile } from '../types.js';
import { closeBrowser, findChromium } from './chromium.js';
import { browserFingerprint, checkBrowserDevice, measureInBrowser, outputsInBrowser } from './measure.js';

export { closeBrowser, findChromium, browserFingerprint, checkBrowserDevice, measureInBrowser, outputsInBrowser };

export interface BrowserCheck {
  provider: 'wasm' | 'webgpu';
  ok: boolean;
  error?: string;
  /** e.g. 'software adapter google swiftshader', '2 wasm threads, SIMD' */
  note?: string;
  ms: number;
}

/** For `lts doctor`: the browser found, and whether a tiny model runs in it on wasm and on WebGPU. */
export async function browserDoctor(profiles: Record<'wasm' | 'webgpu', DeviceProfile>): Promise<{ browser: string; checks: BrowserCheck[] }> {
  let exe: string;
  try {
    exe = findChromium();
  } catch (e) {
    return { browser: `none (${(e as Error).message})`, checks: [] };
  }
  const checks: BrowserCheck[] = [];
  let version = '';
  try {
    for (const provider of ['wasm', 'webgpu'] as const) {
      // Doctor says what runs, software adapters included, and names them; profiles decide what to accept.
      const device: DeviceProfile = { ...profiles[provider], browser: { ...profiles[provider].browser, allowSoftwareAdapter: true } };
      const t0 = performance.now();
      try {
        const fp = await browserFingerprint(device);
        version = fp.version;
        const m = await measureInBrowser({ kind: 'tiny', width: 8 }, { ...device, protocol: { ...device.protocol, warmupMin: 1, minRuns: 1 } }, { metrics: ['memory'], seed: 1 });
        const c: BrowserCheck = { provider, ok: m.ok, ms: Math.round(performance.now() - t0) };
        if (m.error) c.error = m.error;
        const gpu = fp.webgpu;
        if (provider === 'wasm') c.note = `${fp.wasm_threads} wasm thread(s)${fp.wasm_simd ? ', SIMD' : ''}${fp.cross_origin_isolated ? ', cross-origin isolated' : ''}`;
        else if (gpu && 'none' in gpu) c.note = gpu.none;
        else if (gpu?.software) c.note = `SOFTWARE adapter ${gpu.vendor} ${gpu.architecture}: chromium-webgpu refuses it unless browser.allowSoftwareAdapter`;
        else if (gpu) c.note = `adapter ${gpu.vendor} ${gpu.architecture}`;
        checks.push(c);
      } catch (e) {
        checks.push({ provider, ok: false, error: (e as Error).message.split('\n')[0]!, ms: Math.round(performance.now() - t0) });
      }
    }
  } finally {
    await closeBrowser();
  }
  return { browser: version ? `Chromium ${version} (${exe})` : exe, checks };
}
