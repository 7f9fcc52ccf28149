// In-test fakes for the loop's logic: an evaluator whose numbers are derived from the config alone
// (so two runs agree), and small settings. The product never fakes measurements.
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import AjvModule from 'ajv';
import type { Command } from 'commander';
import { decoderParams, totalParams } from '../../src/proxy/index.js';
import type { DeviceProfile, Fingerprint, LatencyStats, Measurement, Metric } from '../../src/profile/types.js';
import type { ArchConfig } from '../../src/space/types.js';
import type { Evaluator, SearchOutcome, SearchSettings } from '../../src/search/types.js';
import { loadDevice } from '../../src/profile/index.js';
import { buildEvaluators } from '../../src/cli/search.js';
import { perplexityAnnotator } from '../../src/search/calibration.js';
import { runSearch } from '../../src/search/loop.js';
import { withProxyChoices } from '../../src/search/proxy-choice.js';
import { searchSpaces } from '../../src/search/spaces.js';

export function tmp(prefix = 'lts-search-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export const device: DeviceProfile = {
  name: 'fake-cpu',
  description: 'in-test device',
  runtime: 'onnxruntime-node',
  executionProviders: ['cpu'],
  threads: { intraOp: 1, interOp: 1 },
  graph: 'ort',
  shapes: { batch: 1, seq: 192, mem_len: 192, context: 192 },
  protocol: { warmupMin: 1, warmupMax: 2, minRuns: 3, maxRuns: 5, maxSeconds: 1, targetRelCi: 0.05 },
  limits: { memoryMb: 1024, timeoutS: 10 },
};

export const fingerprint: Fingerprint = {
  hostname: 'test',
  os: 'linux',
  arch: 'x64',
  cpu_model: 'fake',
  cores: 2,
  total_memory_mb: 1024,
  node_version: process.version,
  runtime: { name: 'onnxruntime-node', version: '1.30.0' },
  execution_provider: 'cpu',
  threads: { intraOp: 1, interOp: 1 },
};

export function settings(over: Partial<SearchSettings> = {}): SearchSettings {
  return {
    metrics: ['latency'],
    families: ['gpt2'],
    shapes: device.shapes,
    graph: 'ort',
    protocol: device.protocol,
    seed: 7,
    param_min: 6e6,
    param_max: 100e6,
    iterations: 3,
    population: 12,
    parents: 4,
    mutations: 6,
    crossovers: 6,
    ...over,
  };
}

/** A number in [0, 1) fixed by the config, so "noise" is the same in every run. */
function hash01(cfg: ArchConfig, salt: string): number {
  const h = createHash('sha256').update(salt + JSON.stringify(cfg)).digest();
  return h.readUInt32BE(0) / 2 ** 32;
}

function stats(ms: number): LatencyStats {
  return {
    median_ms: ms,
    mean_ms: ms,
    trimmed_mean_ms: ms,
    p90_ms: ms * 1.05,
    min_ms: ms * 0.95,
    std_ms: ms * 0.01,
    ci95_low_ms: ms * 0.99,
    ci95_high_ms: ms * 1.01,
    runs: 5,
    warmup_runs: 2,
    samples_ms: [ms, ms, ms, ms, ms],
  };
}

/** Deterministic measurement: latency grows with params, with a config-fixed spread so fronts are non-trivial. */
export function fakeMeasure(cfg: ArchConfig, metrics: readonly Metric[]): Measurement {
  const p = decoderParams(cfg);
  const m: Measurement = { ok: true, timing: { export_ms: 1, session_ms: 1, measure_ms: 1, total_ms: 3 }, provider: 'cpu' };
  if (metrics.includes('latency')) m.latency = stats(1 + (p / 1e6) * (0.5 + hash01(cfg, 'lat')));
  if (metrics.includes('decode')) m.decode = stats(0.1 + (p / 1e7) * (0.5 + hash01(cfg, 'dec')));
  if (metrics.includes('memory')) {
    m.memory = { baseline_mb: 40, load_peak_mb: 10, inference_peak_mb: (totalParams(cfg) * 4) / 2 ** 20 * (0.8 + 0.4 * hash01(cfg, 'mem')) };
  }
  return m;
}

export interface FakeEvaluatorOptions {
  name?: string;
  /** Configs for which the measurement fails (candidate failure, not evaluator failure). */
  failWhen?: (cfg: ArchConfig) => boolean;
  /** Reject (evaluator unusable) on this call number (1-based) and every later one. */
  rejectFromCall?: number;
  /** Resolve after a delay (ms) derived from the config and this salt, to shuffle completion order. */
  jitterSalt?: string;
  /** Called before each measurement. */
  onCall?: (cfg: ArchConfig, call: number) => void;
}

export class FakeEvaluator implements Evaluator {
  readonly name: string;
  calls: ArchConfig[] = [];
  constructor(private o: FakeEvaluatorOptions = {}) {
    this.name = o.name ?? 'fake';
  }
  async evaluate(cfg: ArchConfig, req: { metrics: Metric[]; seed: number }): Promise<Measurement> {
    const call = this.calls.length + 1;
    if (this.o.rejectFromCall !== undefined && call >= this.o.rejectFromCall) throw new Error(`${this.name} unreachable`);
    this.calls.push(cfg);
    this.o.onCall?.(cfg, call);
    if (this.o.jitterSalt !== undefined) {
      await new Promise((r) => setTimeout(r, Math.floor(hash01(cfg, this.o.jitterSalt!) * 4)));
    }
    if (this.o.failWhen?.(cfg)) return { ok: false, error: 'fake: out of memory (limit 1 MB)', timing: { export_ms: 0, session_ms: 0, measure_ms: 0, total_ms: 1 } };
    return fakeMeasure(cfg, req.metrics);
  }
  async fingerprint(): Promise<Fingerprint> {
    return fingerprint;
  }
}

// ajv is CommonJS: under NodeNext its default export arrives as the module object.
const Ajv = ((AjvModule as unknown as { default?: unknown }).default ?? AjvModule) as typeof AjvModule.default;

export function paretoValidator(): (data: unknown) => string | null {
  const schema = JSON.parse(readFileSync(new URL('../../schemas/pareto.schema.json', import.meta.url), 'utf8'));
  // date-time needs ajv-formats, which is not a direct dependency; created_at is checked by the tests instead.
  const ajv = new Ajv({ allErrors: true, strict: true, validateFormats: false });
  const v = ajv.compile(schema);
  return (data) => (v(data) ? null : ajv.errorsText(v.errors));
}

/**
 * The cpu profile with a short sequence and a tight protocol, and search settings over it (one
 * generation of a population of 3): a real end-to-end search that stays quick.
 */
export function quickRealSearch(families: SearchSettings['families'], seed: number, bounds: [number, number]): { device: DeviceProfile; settings: SearchSettings } {
  const base = loadDevice('cpu');
  const device: DeviceProfile = {
    ...base,
    shapes: { ...base.shapes, seq: 16 },
    protocol: { warmupMin: 1, warmupMax: 2, minRuns: 3, maxRuns: 5, maxSeconds: 2, targetRelCi: 0.1 },
  };
  const settings: SearchSettings = {
    metrics: ['latency', 'memory'], families, shapes: device.shapes, graph: device.graph, protocol: device.protocol, seed,
    param_min: bounds[0], param_max: bounds[1], iterations: 1, population: 3, parents: 1, mutations: 1, crossovers: 1,
  };
  return { device, settings };
}

/** A command's parsed options for these arguments, without running its action. */
export function parseArgs<T>(cmd: Command, args: string[]): T {
  cmd.exitOverride().configureOutput({ writeErr: () => {} });
  cmd.action(() => {});
  cmd.parse(args, { from: 'user' });
  return cmd.opts() as T;
}

/** Runs a real search (local measurement, the settings' spaces and proxy choices, built-in calibrations) into a fresh directory. */
export async function runRealSearch(device: DeviceProfile, settings: SearchSettings): Promise<{ outDir: string; out: SearchOutcome }> {
  const outDir = tmp();
  const out = await runSearch({
    outDir,
    device,
    settings,
    evaluators: await buildEvaluators(device),
    spaces: searchSpaces(settings.families, { min: settings.param_min, max: settings.param_max }, withProxyChoices(settings)),
    annotate: perplexityAnnotator(settings.families, {}),
  });
  return { outDir, out };
}

/**
 * A synthetic device whose speed follows a known curve: every measurement takes 1 s of a fake clock
 * (pass `now` to the search) and returns the config's true cost (fakeMeasure) times the speed factor
 * at its middle.
 */
export class DriftingEvaluator implements Evaluator {
  readonly name: string;
  t = 1_000_000;
  calls: ArchConfig[] = [];
  /** The protocol overrides each call asked for. */
  requests: { ciTarget?: number; minRuns?: number }[] = [];
  constructor(readonly factor: (t: number) => number, name = 'local', private readonly onCall?: (n: number) => void) {
    this.name = name;
  }
  now = (): number => this.t;
  async evaluate(cfg: ArchConfig, req: { metrics: Metric[]; ciTarget?: number; minRuns?: number }): Promise<Measurement> {
    this.calls.push(cfg);
    this.requests.push({ ciTarget: req.ciTarget, minRuns: req.minRuns });
    this.onCall?.(this.calls.length);
    const f = this.factor(this.t + 500);
    this.t += 1000;
    const m = fakeMeasure(cfg, req.metrics);
    for (const k of ['latency', 'decode'] as const) {
      const s = m[k];
      if (s) m[k] = { ...s, median_ms: s.median_ms * f };
    }
    m.timing = { export_ms: 0, session_ms: 0, measure_ms: 1000, total_ms: 1000 };
    return m;
  }
  async fingerprint(): Promise<Fingerprint> {
    return fingerprint;
  }
}
