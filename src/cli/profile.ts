// `lts profile`: one architecture measured on a device profile in a fresh process (or several, for the spread).
import { Command, Option } from 'commander';
import { candidateId, loadConfigFile } from '../space/index.js';
import { checkDevice, closeBrowser, loadDevice, measureCandidate } from '../profile/index.js';
import type { Measurement, Metric } from '../profile/types.js';
import { applyDeviceOverrides, graphOption, int, metricOption, protocolOptions, shapeOptions, type ProtocolOverrides, type ShapeOverrides } from './options.js';

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

export interface ProfileCliOptions extends ProtocolOverrides, ShapeOverrides {
  config: string;
  device: string;
  metric: Metric[];
  repeat: number;
  seed: number;
  graph?: 'ort' | 'standard';
}

export function profileCommand(): Command {
  const cmd = new Command('profile')
    .description('measure one architecture on a device profile in a fresh process; prints the measurement as JSON')
    .requiredOption('--config <file>', 'architecture JSON')
    .option('--device <name|path>', 'device profile: a name from devices/ or a path to a profile file', 'cpu')
    .addOption(metricOption('latency, decode, memory, or a comma list', ['latency', 'memory']))
    .addOption(new Option('--repeat <n>', 'measure N times, each in a fresh process, and report the spread').default(1).argParser(int('--repeat', 1)))
    .addOption(new Option('--seed <n>', 'seed of the weights and inputs').default(0).argParser(int('--seed')))
    .addOption(graphOption('graph form to measure (default: the device profile)'));
  shapeOptions(cmd, 'the profile');
  return protocolOptions(cmd).action(async (opts: ProfileCliOptions) => {
    const metrics = opts.metric;
    const cfg = loadConfigFile(opts.config);
    const device = applyDeviceOverrides(loadDevice(opts.device), opts);
    await checkDevice(device);
    const id = candidateId(cfg);
    const runs: Measurement[] = [];
    for (let i = 0; i < opts.repeat; i++) {
      const tag = opts.repeat > 1 ? ` [${i + 1}/${opts.repeat}]` : '';
      const m = await measureCandidate(cfg, device, { metrics, seed: opts.seed, onPhase: (p) => process.stderr.write(`lts profile ${id}${tag}: ${p}\n`) });
      const head = m.ok
        ? [m.latency && `latency median ${m.latency.median_ms.toFixed(2)} ms`, m.decode && `decode ${m.decode.median_ms.toFixed(3)} ms/token`, m.memory && `peak ${m.memory.inference_peak_mb.toFixed(1)} MB`].filter(Boolean).join(', ')
        : `failed: ${m.error}`;
      process.stderr.write(`lts profile ${id}${tag}: ${head} (${(m.timing.total_ms / 1000).toFixed(1)} s)\n`);
      runs.push(m);
    }
    await closeBrowser();
    const out = opts.repeat === 1 ? runs[0] : { id, device: device.name, metrics, runs, spread: repeatSpread(runs) };
    process.stdout.write(JSON.stringify(out, null, 2) + '\n');
    if (runs.every((m) => !m.ok)) process.exitCode = 1;
  });
}
