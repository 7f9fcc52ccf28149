// `lts profile`: one architecture measured on a device profile in a fresh process (or several, for the spread).
import { Command, Option } from 'commander';
import { candidateId, loadConfigFile } from '../space/index.js';
import { checkDevice, closeBrowser, loadDevice, measureCandidate } from '../profile/index.js';
import type { Measurement, Metric } from '../profile/types.js';
import { applyDeviceOverrides, graphOption, int, metricOption, protocolOptions, shapeOptions, type ProtocolOverrides, type ShapeOverrides } from './options.js';
import { SeriesIndex, driftSummary, type SentinelPoint } from '../search/drift.js';
import { chooseSentinel, sentinelProtocol } from '../search/sentinel.js';
import { searchSpaces } from '../search/spaces.js';
import type { ArchConfig } from '../space/types.js';

type Spread = { medians: number[]; min: number; max: number; rel_range: number };

function spread(xs: number[]): Spread {
  const min = Math.min(...xs);
  const max = Math.max(...xs);
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = sorted.length % 2 ? sorted[(sorted.length - 1) / 2]! : (sorted[sorted.length / 2 - 1]! + sorted[sorted.length / 2]!) / 2;
  return { medians: xs, min, max, rel_range: mid > 0 ? (max - min) / mid : 0 };
}

/** Spread over repeated fresh-process measurements: per metric, the per-run medians (memory: inference peaks). */
export function repeatSpread(ms: Measurement[]): Record<string, Spread> {
  const ok = ms.filter((m) => m.ok);
  const out: Record<string, Spread> = {};
  if (ok.length === 0) return out;
  if (ok.every((m) => m.latency)) out.latency = spread(ok.map((m) => m.latency!.median_ms));
  if (ok.every((m) => m.decode)) out.decode = spread(ok.map((m) => m.decode!.median_ms));
  if (ok.every((m) => m.memory)) out.memory = spread(ok.map((m) => m.memory!.inference_peak_mb));
  return out;
}

/** A repeat's measurement with the moment it belongs to (its middle, ms since the epoch). */
export interface TimedRun {
  m: Measurement;
  at_ms: number;
}

/**
 * Drift across repeats: the sentinel measured before the first repeat and after each, the speed factor
 * interpolated at each repeat's middle, and the spread of the medians before and after dividing by it.
 * The sentinel runs in its own fresh process, like every repeat, so the correction removes the machine's
 * drift over minutes but not a repeat's own process-to-process variation; the two spreads show which dominates.
 */
export function repeatDrift(runs: readonly TimedRun[], sentinel: readonly SentinelPoint[]): Record<string, unknown> {
  // A diagnosis, not a frontier: the plain factor, so the corrected spread shows what dividing by the
  // sentinel does, rather than the search's shrunk factor that would hide a correction within its noise.
  const index = new SeriesIndex(sentinel, { shrink: false });
  const out: Record<string, unknown> = { ...driftSummary(sentinel) };
  for (const metric of ['latency', 'decode'] as const) {
    const pairs = runs.flatMap((r) => {
      const raw = r.m.ok ? r.m[metric]?.median_ms : undefined;
      const f = index.factor('local', metric, r.at_ms);
      return raw !== undefined && f !== undefined ? [{ raw, f }] : [];
    });
    if (pairs.length === 0) continue;
    out[metric] = {
      speed_factors: pairs.map((p) => p.f),
      raw: spread(pairs.map((p) => p.raw)),
      corrected: spread(pairs.map((p) => p.raw / p.f)),
    };
  }
  out.series = sentinel;
  return out;
}

/** The sentinel `lts search` would choose for this config's family and seed (same model across runs). */
function sentinelFor(cfg: ArchConfig, seed: number): { id: string; config: ArchConfig } {
  return chooseSentinel(searchSpaces([cfg.family], { min: 0, max: Number.MAX_SAFE_INTEGER }), seed);
}

export interface ProfileCliOptions extends ProtocolOverrides, ShapeOverrides {
  config: string;
  device: string;
  metric: Metric[];
  repeat: number;
  seed: number;
  graph?: 'ort' | 'standard';
  sentinel: 'on' | 'off';
}

export function profileCommand(): Command {
  const cmd = new Command('profile')
    .description('measure one architecture on a device profile in a fresh process; prints the measurement as JSON')
    .requiredOption('--config <file>', 'architecture JSON')
    .option('--device <name|path>', 'device profile: a name from devices/ or a path to a profile file', 'cpu')
    .addOption(metricOption('latency, decode, memory, or a comma list', ['latency', 'memory']))
    .addOption(new Option('--repeat <n>', 'measure N times, each in a fresh process, and report the spread').default(1).argParser(int('--repeat', 1)))
    .addOption(new Option('--seed <n>', 'seed of the weights and inputs').default(0).argParser(int('--seed')))
    .addOption(graphOption('graph form to measure (default: the device profile)'))
    .addOption(new Option('--sentinel <on|off>', 'with --repeat: measure a sentinel model before the first repeat and after each, and report drift and the spread before and after correcting for it').choices(['on', 'off']).default('on'));
  shapeOptions(cmd, 'the profile');
  return protocolOptions(cmd).action(async (opts: ProfileCliOptions) => {
    const metrics = opts.metric;
    const cfg = loadConfigFile(opts.config);
    const device = applyDeviceOverrides(loadDevice(opts.device), opts);
    await checkDevice(device);
    const id = candidateId(cfg);
    const runs: Measurement[] = [];
    const timed: TimedRun[] = [];
    const timedMetrics = metrics.filter((m) => m !== 'memory');
    const withSentinel = opts.repeat > 1 && opts.sentinel === 'on' && timedMetrics.length > 0;
    const sentinel = withSentinel ? sentinelFor(cfg, opts.seed) : undefined;
    const series: SentinelPoint[] = [];
    const measureSentinel = async (): Promise<void> => {
      const m = await measureCandidate(sentinel!.config, device, { metrics: timedMetrics, seed: opts.seed, ...sentinelProtocol(device.protocol) });
      const p: SentinelPoint = { evaluator: 'local', at_ms: Date.now() - m.timing.total_ms / 2, ok: m.ok };
      if (m.latency) p.latency_ms = m.latency.median_ms;
      if (m.decode) p.decode_ms = m.decode.median_ms;
      if (!m.ok) p.error = m.error ?? 'failed';
      series.push(p);
      process.stderr.write(`lts profile sentinel ${sentinel!.id}: ${m.ok ? [p.latency_ms && `latency ${p.latency_ms.toFixed(2)} ms`, p.decode_ms && `decode ${p.decode_ms.toFixed(3)} ms/token`].filter(Boolean).join(', ') : `failed: ${m.error}`}\n`);
    };
    if (withSentinel) await measureSentinel();
    for (let i = 0; i < opts.repeat; i++) {
      const tag = opts.repeat > 1 ? ` [${i + 1}/${opts.repeat}]` : '';
      const m = await measureCandidate(cfg, device, { metrics, seed: opts.seed, onPhase: (p) => process.stderr.write(`lts profile ${id}${tag}: ${p}\n`) });
      const head = m.ok
        ? [m.latency && `latency median ${m.latency.median_ms.toFixed(2)} ms`, m.decode && `decode ${m.decode.median_ms.toFixed(3)} ms/token`, m.memory && `peak ${m.memory.inference_peak_mb.toFixed(1)} MB`].filter(Boolean).join(', ')
        : `failed: ${m.error}`;
      process.stderr.write(`lts profile ${id}${tag}: ${head} (${(m.timing.total_ms / 1000).toFixed(1)} s)\n`);
      runs.push(m);
      timed.push({ m, at_ms: Date.now() - m.timing.total_ms / 2 });
      if (withSentinel) await measureSentinel();
    }
    await closeBrowser();
    const drift: Record<string, unknown> | undefined = withSentinel ? { sentinel: sentinel!.id, ...repeatDrift(timed, series) } : undefined;
    if (drift) {
      for (const metric of timedMetrics) {
        const d = drift[metric] as { raw: Spread; corrected: Spread } | undefined;
        if (d) process.stderr.write(`lts profile ${id}: ${metric} spread over ${opts.repeat} repeats ${(100 * d.raw.rel_range).toFixed(1)} % raw, ${(100 * d.corrected.rel_range).toFixed(1)} % drift-corrected; largest drift ${(100 * (drift.max_drift as number)).toFixed(1)} %\n`);
      }
    }
    const out = opts.repeat === 1 ? runs[0] : { id, device: device.name, metrics, runs, spread: repeatSpread(runs), ...(drift ? { drift } : {}) };
    process.stdout.write(JSON.stringify(out, null, 2) + '\n');
    if (runs.every((m) => !m.ok)) process.exitCode = 1;
  });
}
