import { Command, Option } from 'commander';
import { candidateId, loadConfigFile } from '../space/index.js';
import { checkDevice, closeBrowser, loadDevice, measureCandidate } from '../profile/index.js';
import { METRICS, type DeviceProfile, type Measurement, type Metric } from '../profile/types.js';
import { LtsError } from '../util/errors.js';

export function parseMetrics(s: string): Metric[] {
  const out = s.split(',').map((x) => x.trim()).filter(Boolean);
  for (const m of out) if (!(METRICS as readonly string[]).includes(m)) throw new LtsError(`unknown metric '${m}' (choose from ${METRICS.join(', ')})`);
  if (out.length === 0) throw new LtsError('--metric needs at least one of ' + METRICS.join(', '));
  return [...new Set(out)] as Metric[];
}

function num(name: string, integer: boolean, min: number) {
  return (v: string): number => {
    const x = Number(v);
    if (!Number.isFinite(x) || (integer && !Number.isInteger(x)) || x < min)
      throw new LtsError(`${name} must be ${integer ? 'an integer' : 'a number'} >= ${min}, got '${v}'`);
    return x;
  };
}

export interface ProtocolOverrides {
  warmupMin?: number;
  warmupMax?: number;
  minRuns?: number;
  maxRuns?: number;
  maxSeconds?: number;
  targetCi?: number;
  timeout?: number;
  memoryLimit?: number;
  clock?: 'wall' | 'cpu';
}

/** Applies command-line overrides of the measurement settings to a profile (shared with `lts search`). */
export function applyOverrides(device: DeviceProfile, o: ProtocolOverrides): DeviceProfile {
  const p = { ...device.protocol };
  if (o.warmupMin !== undefined) p.warmupMin = o.warmupMin;
  if (o.warmupMax !== undefined) p.warmupMax = o.warmupMax;
  if (o.minRuns !== undefined) p.minRuns = o.minRuns;
  if (o.maxRuns !== undefined) p.maxRuns = o.maxRuns;
  if (o.maxSeconds !== undefined) p.maxSeconds = o.maxSeconds;
  if (o.targetCi !== undefined) p.targetRelCi = o.targetCi;
  if (o.clock !== undefined) p.clock = o.clock;
  // Setting one end of a range past the profile's other end moves that end along; both given and crossed is an error.
  if (p.warmupMin > p.warmupMax) {
    if (o.warmupMin !== undefined && o.warmupMax !== undefined) throw new LtsError(`--warmup-min (${p.warmupMin}) exceeds --warmup-max (${p.warmupMax})`);
    if (o.warmupMax !== undefined) p.warmupMin = p.warmupMax;
    else p.warmupMax = p.warmupMin;
  }
  if (p.minRuns > p.maxRuns) {
    if (o.minRuns !== undefined && o.maxRuns !== undefined) throw new LtsError(`--min-runs (${p.minRuns}) exceeds --max-runs (${p.maxRuns})`);
    if (o.maxRuns !== undefined) p.minRuns = p.maxRuns;
    else p.maxRuns = p.minRuns;
  }
  const limits = { ...device.limits };
  if (o.timeout !== undefined) limits.timeoutS = o.timeout;
  if (o.memoryLimit !== undefined) limits.memoryMb = o.memoryLimit;
  return { ...device, protocol: p, limits };
}

/** Adds the protocol override options to a command (used by profile; search may reuse it). */
export function protocolOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('--warmup-min <n>', 'warm-up runs at least').argParser(num('--warmup-min', true, 0)))
    .addOption(new Option('--warmup-max <n>', 'warm-up runs at most').argParser(num('--warmup-max', true, 0)))
    .addOption(new Option('--min-runs <n>', 'timed runs at least').argParser(num('--min-runs', true, 1)))
    .addOption(new Option('--max-runs <n>', 'timed runs at most').argParser(num('--max-runs', true, 1)))
    .addOption(new Option('--max-seconds <s>', 'time cap of the timed phase').argParser(num('--max-seconds', false, 0.001)))
    .addOption(new Option('--target-ci <fraction>', 'stop once the 95 % CI of the median is within this fraction of it').argParser(num('--target-ci', false, 0)))
    .addOption(new Option('--clock <clock>', "time runs by 'wall' clock or by process 'cpu' time (shared machines)").choices(['wall', 'cpu']))
    .addOption(new Option('--timeout <s>', 'per-candidate time limit (overrides the profile)').argParser(num('--timeout', false, 0.001)))
    .addOption(new Option('--memory-limit <mb>', 'per-candidate memory limit in MB (overrides the profile)').argParser(num('--memory-limit', false, 1)));
}

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

export function profileCommand(): Command {
  const cmd = new Command('profile')
    .description('measure one architecture on a device profile in a fresh process; prints the measurement as JSON')
    .requiredOption('--config <file>', 'architecture JSON')
    .option('--device <name|path>', 'device profile: a name from devices/ or a path to a profile file', 'cpu')
    .option('--metric <list>', 'latency, decode, memory, or a comma list', 'latency,memory')
    .addOption(new Option('--repeat <n>', 'measure N times, each in a fresh process, and report the spread').default(1).argParser(num('--repeat', true, 1)))
    .addOption(new Option('--seed <n>', 'seed of the weights and inputs').default(0).argParser(num('--seed', true, 0)));
  return protocolOptions(cmd).action(async (opts: ProtocolOverrides & { config: string; device: string; metric: string; repeat: number; seed: number }) => {
    const metrics = parseMetrics(opts.metric);
    const cfg = loadConfigFile(opts.config);
    const device = applyOverrides(loadDevice(opts.device), opts);
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
