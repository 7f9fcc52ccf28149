// Command-line options shared by `search`, `profile` and `export`: declared once, each value parsed by
// commander's argParser as it is read, so an action receives numbers and lists, and a bad value is one
// `lts: error:` line naming its flag.
import { Option, type Command } from 'commander';
import { METRICS, type DeviceProfile, type Metric } from '../profile/types.js';
import type { ShapeSettings } from '../space/types.js';
import { LtsError } from '../util/errors.js';

/** An integer in [min, max]. */
export function int(flag: string, min = 0, max = Number.MAX_SAFE_INTEGER): (v: string) => number {
  return (v) => {
    const n = Number(v.trim());
    if (v.trim() === '' || !Number.isInteger(n) || n < min || n > max) {
      throw new LtsError(`${flag} must be an integer ${max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `in [${min}, ${max}]`}, got '${v}'`);
    }
    return n;
  };
}

/** A finite number above `above` (0 unless given). */
export function positive(flag: string, above = 0): (v: string) => number {
  return (v) => {
    const n = Number(v.trim());
    if (v.trim() === '' || !Number.isFinite(n) || n <= above) throw new LtsError(`${flag} must be a number > ${above}, got '${v}'`);
    return n;
  };
}

/** A fraction in [0, max]. */
export function fraction(flag: string, max = Number.POSITIVE_INFINITY): (v: string) => number {
  return (v) => {
    const n = Number(v.trim());
    if (v.trim() === '' || !Number.isFinite(n) || n < 0 || n > max) throw new LtsError(`${flag} must be a fraction ${max === Number.POSITIVE_INFINITY ? '>= 0' : `in [0, ${max}]`} (0.1 = 10 %), got '${v}'`);
    return n;
  };
}

/** A comma list of integers, each checked by int(). */
export function intList(flag: string, min = 0): (v: string) => number[] {
  const one = int(flag, min);
  return (v) => (v.trim() === '' ? [] : v.split(',').map((x) => one(x)));
}

/** Parameter counts: plain numbers, 6e6, or with a k/M/G suffix (6M, 100M). */
export function parseCount(flag: string): (v: string) => number {
  return (v) => {
    const m = /^\s*([0-9]*\.?[0-9]+(?:e[0-9]+)?)\s*([kKmMgG]?)\s*$/.exec(v);
    if (!m) throw new LtsError(`${flag} must be a parameter count like 6000000, 6e6 or 6M, got '${v}'`);
    const mult = { '': 1, k: 1e3, m: 1e6, g: 1e9 }[m[2]!.toLowerCase() as '' | 'k' | 'm' | 'g'];
    return Math.round(Number(m[1]) * mult);
  };
}

/** `--metric latency,memory`: known metrics, each at most once. */
export function parseMetrics(v: string): Metric[] {
  const list = v.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (list.length === 0) throw new LtsError(`--metric needs at least one of ${METRICS.join(', ')}`);
  for (const m of list) {
    if (!(METRICS as readonly string[]).includes(m)) throw new LtsError(`--metric: unknown metric '${m}' (choose from ${METRICS.join(', ')}, comma-separated)`);
  }
  const twice = list.find((m, i) => list.indexOf(m) !== i);
  if (twice !== undefined) throw new LtsError(`--metric lists '${twice}' twice: ${v}`);
  return list as Metric[];
}

export function metricOption(help: string, defaults: Metric[]): Option {
  return new Option('--metric <list>', help).argParser(parseMetrics).default(defaults, defaults.join(','));
}

export function graphOption(help: string): Option {
  return new Option('--graph <form>', help).choices(['ort', 'standard']);
}

export interface ShapeOverrides {
  batch?: number;
  seq?: number;
  memLen?: number;
  context?: number;
}

/** --batch, --seq, --mem-len, --context; `source` names where the defaults come from ("the profile", "the run's"). */
export function shapeOptions(cmd: Command, source: string): Command {
  return cmd
    .addOption(new Option('--batch <n>', `batch size (default: ${source})`).argParser(int('--batch', 1)))
    .addOption(new Option('--seq <n>', `tokens per prefill pass (default: ${source})`).argParser(int('--seq', 1)))
    .addOption(new Option('--mem-len <n>', `Transformer-XL memory length (default: ${source})`).argParser(int('--mem-len', 0)))
    .addOption(new Option('--context <n>', `cached positions in decode mode (default: ${source})`).argParser(int('--context', 0)));
}

export function applyShapes(shapes: ShapeSettings, o: ShapeOverrides): ShapeSettings {
  return { batch: o.batch ?? shapes.batch, seq: o.seq ?? shapes.seq, mem_len: o.memLen ?? shapes.mem_len, context: o.context ?? shapes.context };
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

/** The measurement protocol and per-candidate limits of the device profile, overridable per command. */
export function protocolOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('--warmup-min <n>', 'protocol: at least this many warm-up runs').argParser(int('--warmup-min', 0)))
    .addOption(new Option('--warmup-max <n>', 'protocol: at most this many warm-up runs').argParser(int('--warmup-max', 0)))
    .addOption(new Option('--min-runs <n>', 'protocol: at least this many timed runs').argParser(int('--min-runs', 1)))
    .addOption(new Option('--max-runs <n>', 'protocol: at most this many timed runs').argParser(int('--max-runs', 1)))
    .addOption(new Option('--max-seconds <s>', 'protocol: cap on the timed phase per candidate').argParser(positive('--max-seconds')))
    .addOption(new Option('--target-ci <fraction>', 'protocol: stop timing once the 95 % CI of the median is within this fraction of it').argParser(positive('--target-ci')))
    .addOption(new Option('--clock <clock>', "protocol: time runs by 'wall' clock or by process 'cpu' time (shared machines)").choices(['wall', 'cpu']))
    .addOption(new Option('--timeout <s>', 'per-candidate time limit (overrides the profile)').argParser(positive('--timeout')))
    .addOption(new Option('--memory-limit <mb>', 'per-candidate memory limit in MB (overrides the profile)').argParser(positive('--memory-limit')));
}

/**
 * The profile with the protocol and limit overrides applied (a copy). Setting one end of a range past
 * the profile's other end moves that end along; giving both ends crossed is an error.
 */
export function applyProtocol(device: DeviceProfile, o: ProtocolOverrides): DeviceProfile {
  const p = { ...device.protocol };
  if (o.warmupMin !== undefined) p.warmupMin = o.warmupMin;
  if (o.warmupMax !== undefined) p.warmupMax = o.warmupMax;
  if (o.minRuns !== undefined) p.minRuns = o.minRuns;
  if (o.maxRuns !== undefined) p.maxRuns = o.maxRuns;
  if (o.maxSeconds !== undefined) p.maxSeconds = o.maxSeconds;
  if (o.targetCi !== undefined) p.targetRelCi = o.targetCi;
  if (o.clock !== undefined) p.clock = o.clock;
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

/** The device profile with every command-line override applied: graph form, shapes, protocol, limits. */
export function applyDeviceOverrides(device: DeviceProfile, o: ShapeOverrides & ProtocolOverrides & { graph?: 'ort' | 'standard' }): DeviceProfile {
  const d = applyProtocol(device, o);
  return { ...d, graph: o.graph ?? d.graph, shapes: applyShapes(d.shapes, o) };
}

/** `--foo-bar` for an option's attribute name `fooBar`. */
export function flagOf(attr: string): string {
  return '--' + attr.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase());
}
