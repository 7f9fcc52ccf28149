import { readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import AjvModule from 'ajv';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { LtsError } from '../util/errors.js';
import { readJsonFile, resolveNamed } from '../util/files.js';
import { packageRoot } from '../util/package.js';
import type { DeviceProfile, MeasureProtocol } from './types.js';

export const DEFAULT_PROTOCOL: MeasureProtocol = {
  warmupMin: 3,
  warmupMax: 20,
  minRuns: 10,
  maxRuns: 200,
  maxSeconds: 20,
  targetRelCi: 0.02,
};
export const DEFAULT_LIMITS = { memoryMb: 8192, timeoutS: 180 };
export const DEFAULT_THREADS = { intraOp: 1, interOp: 1 };

// ajv is CommonJS: under NodeNext its default export arrives as the module object.
const Ajv = ((AjvModule as unknown as { default?: unknown }).default ?? AjvModule) as typeof AjvModule.default;
let validator: ValidateFunction | undefined;

function validate(): ValidateFunction {
  if (!validator) {
    const schema = readJsonFile(join(packageRoot(), 'schemas', 'device.schema.json')) as object;
    validator = new Ajv({ allErrors: false, strict: false }).compile(schema);
  }
  return validator;
}

export function devicesDir(): string {
  return join(packageRoot(), 'devices');
}

/** Names of the profiles shipped in devices/. */
export function listDevices(): string[] {
  return readdirSync(devicesDir())
    .filter((f) => f.endsWith('.json'))
    .map((f) => basename(f, '.json'))
    .sort();
}

function describe(e: ErrorObject): string {
  const at = e.instancePath || '(top level)';
  const p = e.params as Record<string, unknown>;
  if (e.keyword === 'additionalProperties') return `${at}: unknown field '${String(p.additionalProperty)}'`;
  if (e.keyword === 'required') return `${at}: missing field '${String(p.missingProperty)}'`;
  if (e.keyword === 'enum') return `${at} must be one of ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
  return `${at} ${e.message ?? 'is invalid'}`;
}

/** Validates and completes a parsed profile (defaults for protocol, limits, threads, graph). `where` names the source in errors. */
export function parseDevice(json: unknown, where = 'device profile'): DeviceProfile {
  const v = validate();
  if (!v(json)) throw new LtsError(`${where}: ${describe(v.errors![0]!)}`);
  const raw = { ...(json as Record<string, unknown>) };
  delete raw.$schema;
  const d = raw as unknown as DeviceProfile;
  const dev: DeviceProfile = {
    ...d,
    description: d.description ?? '',
    threads: d.threads ?? { ...DEFAULT_THREADS },
    graph: d.graph ?? 'ort',
    protocol: d.protocol ?? { ...DEFAULT_PROTOCOL },
    limits: d.limits ?? { ...DEFAULT_LIMITS },
  };
  const p = dev.protocol;
  if (p.warmupMin > p.warmupMax) throw new LtsError(`${where}: /protocol/warmupMin (${p.warmupMin}) exceeds warmupMax (${p.warmupMax})`);
  if (p.minRuns > p.maxRuns) throw new LtsError(`${where}: /protocol/minRuns (${p.minRuns}) exceeds maxRuns (${p.maxRuns})`);
  const web = dev.runtime === 'onnxruntime-web';
  const browser = dev.runtime === 'browser';
  if (web && dev.executionProviders.some((ep) => ep !== 'wasm'))
    throw new LtsError(`${where}: /executionProviders: onnxruntime-web in Node runs only 'wasm'`);
  if (browser) checkBrowserProfile(dev, where);
  else if (dev.browser) throw new LtsError(`${where}: /browser: only for "runtime": "browser"`);
  if (!web && !browser && dev.executionProviders.includes('wasm'))
    throw new LtsError(`${where}: /executionProviders: 'wasm' needs "runtime": "onnxruntime-web" or "browser"`);
  return dev;
}

/** A browser page runs one provider, wasm or webgpu, and can time only wall clock (no per-run CPU time there). */
function checkBrowserProfile(dev: DeviceProfile, where: string): void {
  const eps = dev.executionProviders;
  if (eps.length !== 1 || (eps[0] !== 'wasm' && eps[0] !== 'webgpu'))
    throw new LtsError(`${where}: /executionProviders: a browser profile runs exactly one of 'wasm' or 'webgpu'`);
  if (dev.protocol.clock === 'cpu') throw new LtsError(`${where}: /protocol/clock: a browser page can time only 'wall' clock`);
}

/** A shipped profile by name (devices/<name>.json), or a path to a profile file. */
export function loadDevice(nameOrPath: string): DeviceProfile {
  const file = resolveNamed(nameOrPath, devicesDir(), (name) => `unknown device '${name}' (known: ${listDevices().join(', ')}; or give a path to a profile file)`);
  return parseDevice(readJsonFile(file, 'device profile'), `device profile ${nameOrPath}`);
}
