// What this machine can profile, and preflight checks that stop a search before it measures anything
// on a provider that cannot run.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { arch, cpus, hostname, platform, release, totalmem, type } from 'node:os';
import { join } from 'node:path';
import { LtsError } from '../util/errors.js';
import { loadDevice } from './device.js';
import { probeProvider } from './measure.js';
import { packageDir, packageVersion } from '../util/package.js';
import type { DeviceProfile, Fingerprint } from './types.js';

export const CUDA_INSTALL_CMD = 'ONNXRUNTIME_NODE_INSTALL=cuda12 npm rebuild onnxruntime-node';

function cpuModel(): string {
  return cpus()[0]?.model.trim() || 'unknown';
}

/** GPU names from nvidia-smi, or undefined where none is visible. */
export function nvidiaGpus(): string | undefined {
  try {
    const out = execFileSync('nvidia-smi', ['--query-gpu=name,memory.total', '--format=csv,noheader'], { encoding: 'utf8', timeout: 10_000 });
    const names = out.split('\n').map((s) => s.trim()).filter(Boolean);
    return names.length > 0 ? names.join('; ') : undefined;
  } catch {
    return undefined;
  }
}

/** The onnxruntime-node native folder where the CUDA provider library has to be. */
export function ortBinDir(): string {
  return join(packageDir('onnxruntime-node'), 'bin', 'napi-v6', platform(), arch());
}

export async function fingerprint(device: DeviceProfile): Promise<Fingerprint> {
  const intra = device.threads.intraOp === 0 ? cpus().length : device.threads.intraOp;
  const fp: Fingerprint = {
    hostname: hostname(),
    os: `${type()} ${release()}`,
    arch: arch(),
    cpu_model: cpuModel(),
    cores: cpus().length,
    total_memory_mb: Math.round(totalmem() / 2 ** 20),
    node_version: process.version,
    runtime: { name: device.runtime, version: packageVersion(device.runtime === 'browser' ? 'onnxruntime-web' : device.runtime) },
    execution_provider: device.executionProviders.join('+'),
    threads: { intraOp: intra, interOp: device.threads.interOp },
  };
  if (device.executionProviders.some((ep) => ep === 'cuda' || ep === 'tensorrt' || ep === 'webgpu')) {
    const gpu = nvidiaGpus();
    if (gpu) fp.gpu = gpu;
  }
  if (device.runtime === 'browser') fp.browser = await (await import('./browser/index.js')).browserFingerprint(device);
  return fp;
}

/**
 * Preflight: a tiny session on each requested provider. Throws LtsError with one line saying what is
 * missing (and how to install it) when the profile cannot run here.
 */
export async function checkDevice(device: DeviceProfile): Promise<void> {
  if (device.runtime === 'browser') return (await import('./browser/index.js')).checkBrowserDevice(device);
  if (device.runtime === 'onnxruntime-node' && device.executionProviders.includes('cuda')) {
    const lib = join(ortBinDir(), 'libonnxruntime_providers_cuda.so');
    if (platform() === 'linux' && !existsSync(lib))
      throw new LtsError(`device '${device.name}' needs the CUDA execution provider, which is not installed (${lib} missing); with CUDA 12 + cuDNN 9 and network access run: ${CUDA_INSTALL_CMD}`);
    if (!nvidiaGpus()) throw new LtsError(`device '${device.name}' needs an NVIDIA GPU, but none is visible (nvidia-smi failed or found no GPU); install the NVIDIA driver or pick another device`);
  }
  for (const ep of device.executionProviders) {
    const r = await probeProvider(device.runtime, ep, device.threads);
    if (!r.ok) throw new LtsError(`device '${device.name}': execution provider '${ep}' (${device.runtime}) cannot run a tiny model here: ${r.error}`);
    // A provider that accepted the session but placed nothing on itself would be a silent fallback.
    if (r.placement && !(r.placement[ep]! > 0))
      throw new LtsError(`device '${device.name}': execution provider '${ep}' ran no nodes of a tiny model (placed on ${Object.keys(r.placement).join(', ')})`);
  }
}

export interface ProviderCheck {
  provider: string;
  runtime: DeviceProfile['runtime'];
  ok: boolean;
  error?: string;
  /** Nodes of the tiny model per provider as ORT placed them. */
  placement?: Record<string, number>;
  /** What else the check found (browser: wasm threads/SIMD, the WebGPU adapter and whether it is software). */
  note?: string;
  ms: number;
}

export interface DoctorReport {
  cpu_model: string;
  cores: number;
  arch: string;
  os: string;
  total_memory_mb: number;
  node_version: string;
  gpu?: string;
  runtimes: Record<'onnxruntime-node' | 'onnxruntime-web', string>;
  /** The Chromium browser profiles would use, or why there is none. */
  browser?: string;
  providers: ProviderCheck[];
}

/** What this machine can profile: hardware, runtime versions, and whether a tiny model runs on each provider. */
export async function doctor(): Promise<DoctorReport> {
  const targets: [string, DeviceProfile['runtime']][] = [
    ['cpu', 'onnxruntime-node'],
    ['webgpu', 'onnxruntime-node'],
    ['cuda', 'onnxruntime-node'],
    ['wasm', 'onnxruntime-web'],
  ];
  const providers: ProviderCheck[] = [];
  for (const [provider, runtime] of targets) {
    const r = await probeProvider(runtime, provider);
    const c: ProviderCheck = { provider, runtime, ok: r.ok, ms: Math.round(r.ms) };
    if (r.ok && r.placement && !(r.placement[provider]! > 0)) {
      c.ok = false;
      c.error = `session created but no node ran on ${provider}`;
    }
    if (r.error) c.error = r.error;
    if (provider === 'cuda' && !r.ok && !existsSync(join(ortBinDir(), 'libonnxruntime_providers_cuda.so')))
      c.error = `CUDA provider not installed (${r.error}); with CUDA 12 + cuDNN 9: ${CUDA_INSTALL_CMD}`;
    if (r.placement) c.placement = r.placement;
    providers.push(c);
  }
  const web = await (await import('./browser/index.js')).browserDoctor({ wasm: loadDevice('chromium-wasm'), webgpu: loadDevice('chromium-webgpu') });
  for (const c of web.checks) providers.push({ ...c, runtime: 'browser' });
  const rep: DoctorReport = {
    cpu_model: cpuModel(),
    cores: cpus().length,
    arch: arch(),
    os: `${type()} ${release()}`,
    total_memory_mb: Math.round(totalmem() / 2 ** 20),
    node_version: process.version,
    runtimes: { 'onnxruntime-node': packageVersion('onnxruntime-node'), 'onnxruntime-web': packageVersion('onnxruntime-web') },
    browser: web.browser,
    providers,
  };
  const gpu = nvidiaGpus();
  if (gpu) rep.gpu = gpu;
  return rep;
}
