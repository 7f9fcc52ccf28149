// A hand-made run directory: plain ParetoFile + candidate records, no measurement involved.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LatencyStats, Measurement } from '../../src/profile/types.js';
import { loadCalibration, predictPpl } from '../../src/calibrate/index.js';
import { decoderParams, totalParams } from '../../src/proxy/index.js';
import type { CandidateRecord, FrontierPoint, ParetoFile } from '../../src/search/types.js';
import type { ArchConfig, Family } from '../../src/space/types.js';

function latency(ms: number): LatencyStats {
  return { median_ms: ms, mean_ms: ms * 1.01, trimmed_mean_ms: ms, p90_ms: ms * 1.05, min_ms: ms * 0.97, std_ms: ms * 0.02, ci95_low_ms: ms * 0.99, ci95_high_ms: ms * 1.01, runs: 20, warmup_runs: 3, samples_ms: [ms] };
}

function arch(family: Family, n_layer: number, d_model: number, d_inner: number[], n_head: number[], extra: Partial<ArchConfig> = {}): ArchConfig {
  const txl = family === 'transfo-xl';
  return {
    family, n_layer, d_model, d_inner, n_head,
    div_val: txl ? 4 : 0, d_embed: d_model, vocab_size: txl ? 267735 : 50257, cutoffs: txl ? [19997, 39997, 199997] : [], n_positions: 1024,
    ...(family === 'primer' ? { primer_square: true, primer_conv: true } : {}),
    ...extra,
  };
}

export interface Fixture {
  dir: string;
  pareto: ParetoFile;
  records: CandidateRecord[];
}

/** Candidates with a made-up latency growing with size; the frontier is the non-dominated (more params, less latency) set. */
export function makeRunDir(): Fixture {
  const configs: ArchConfig[] = [
    arch('gpt2', 4, 256, [1024, 1024, 1024, 1024], [4, 4, 4, 4]),
    arch('gpt2', 6, 384, [768, 1024, 1536, 768, 768, 2048], [2, 4, 8, 4, 4, 2]),
    arch('gpt2', 3, 192, [512, 512, 512], [4, 4, 4]),
    arch('gpt2', 8, 512, Array(8).fill(2048), Array(8).fill(8)),
    arch('transfo-xl', 5, 320, Array(5).fill(1280), Array(5).fill(4)),
    arch('primer', 4, 256, [512, 768, 1024, 512], [4, 4, 2, 2]),
    arch('gpt2', 5, 256, Array(5).fill(1024), Array(5).fill(4)),
    arch('gpt2', 2, 128, [512, 512], [2, 2]),
  ];
  // A cloud of ordinary candidates, deterministic, most of them dominated.
  for (let i = 0; i < 40; i++) {
    const n = 2 + (i % 7);
    const d = 128 + 64 * ((i * 5) % 9);
    configs.push(arch('gpt2', n, d, Array.from({ length: n }, (_, j) => 64 * (4 + ((i + 3 * j) % 20))), Array.from({ length: n }, (_, j) => [2, 4, 8][(i + j) % 3]!)));
  }
  // A GPT-2 far above the 41.8M decoder params the gpt2-wt103 curve was fitted up to: an extrapolated prediction.
  configs.push(arch('gpt2', 10, 960, Array(10).fill(3840), Array(10).fill(8)));
  const records: CandidateRecord[] = configs.map((config, i) => {
    const dp = decoderParams(config);
    // Latency roughly linear in params, with a per-candidate wobble so that some are dominated.
    const ms = i === 4 ? 0.3 + dp / 4e6 : 0.5 + dp / 2e6 + (i < 8 ? (i % 3 === 1 ? 4 : 0) : 0.5 + 3 * Math.abs(Math.sin(i * 1.7)));
    const measurement: Measurement = {
      ok: true, latency: latency(ms), memory: { baseline_mb: 50, load_peak_mb: 10 + dp / 1e5, inference_peak_mb: 5 + (dp * 4) / 1e6 },
      timing: { export_ms: 10, session_ms: 20, measure_ms: 30, total_ms: 60 }, provider: 'cpu', runtime: { name: 'onnxruntime-node', version: '1.30.0' },
    };
    return {
      id: `c${i}-${config.family}`, key: `key-${i}`, family: config.family, config, iteration: i < 4 ? 0 : 1,
      decoder_params: dp, total_params: totalParams(config), measurement, evaluator: 'local', measured_at: '2026-11-22T19:00:00Z',
    };
  });
  records.push({
    ...records[0]!, id: 'c-failed', key: 'key-failed',
    measurement: { ok: false, error: 'timeout after 120 s', timing: { export_ms: 1, session_ms: 0, measure_ms: 0, total_ms: 1 } },
  });
  const ok = records.filter((r) => r.measurement.ok);
  const front = ok.filter((a) => !ok.some((b) => b !== a && b.decoder_params >= a.decoder_params && b.measurement.latency!.median_ms <= a.measurement.latency!.median_ms
    && (b.decoder_params > a.decoder_params || b.measurement.latency!.median_ms < a.measurement.latency!.median_ms)));
  const frontier: FrontierPoint[] = front.map((r) => ({
    id: r.id, key: r.key, family: r.family, config: r.config, iteration: r.iteration, decoder_params: r.decoder_params, total_params: r.total_params,
    latency: r.measurement.latency, memory: r.measurement.memory, provider: 'cpu', timing: r.measurement.timing,
  }));
  // As recorded by a search (the built-in curve, slightly off so a test can tell it was kept).
  frontier[0]!.predicted_ppl = Math.round(predictPpl(loadCalibration('gpt2-wt103'), frontier[0]!.decoder_params) * 10) / 10 + 0.05;
  const pareto: ParetoFile = {
    schema_version: 1,
    tool: { name: 'lts', version: '0.1.0' },
    created_at: '2026-11-22T19:30:00Z',
    device: {
      name: 'cpu-test', description: 'synthetic device for report tests', runtime: 'onnxruntime-node', executionProviders: ['cpu'],
      threads: { intraOp: 1, interOp: 1 }, graph: 'ort', shapes: { batch: 1, seq: 192, mem_len: 192, context: 128 },
      protocol: { warmupMin: 2, warmupMax: 10, minRuns: 10, maxRuns: 100, maxSeconds: 10, targetRelCi: 0.02 }, limits: { memoryMb: 4096, timeoutS: 120 },
    },
    fingerprint: {
      hostname: 'test-host', os: 'linux 6.1', arch: 'x64', cpu_model: 'Test CPU @ 2.0GHz', cores: 2, total_memory_mb: 8000, node_version: 'v20.19.0',
      runtime: { name: 'onnxruntime-node', version: '1.30.0' }, execution_provider: 'cpu', threads: { intraOp: 1, interOp: 1 },
    },
    settings: {
      metrics: ['latency', 'memory'], families: ['gpt2', 'transfo-xl', 'primer'], shapes: { batch: 1, seq: 192, mem_len: 192, context: 128 }, graph: 'ort',
      protocol: { warmupMin: 2, warmupMax: 10, minRuns: 10, maxRuns: 100, maxSeconds: 10, targetRelCi: 0.02 }, seed: 1, param_min: 1e5, param_max: 1e8,
      iterations: 2, population: 8, parents: 2, mutations: 3, crossovers: 3,
    },
    calibration: { name: 'gpt2-wt103', family: 'gpt2', dataset: 'wt103' },
    counts: { evaluated: records.length, failed: 1, frontier: frontier.length, iterations_done: 2, stopped_by: 'iterations' },
    frontier,
  };
  const dir = mkdtempSync(join(tmpdir(), 'lts-report-'));
  writeFileSync(join(dir, 'pareto.json'), JSON.stringify(pareto, null, 2));
  writeFileSync(join(dir, 'candidates.jsonl'), records.map((r) => JSON.stringify(r)).join('\n') + '\n{"id": "trunc');
  return { dir, pareto, records };
}
