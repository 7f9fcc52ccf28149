// `lts search`: options -> settings and evaluators -> the loop -> pareto.json (+ report where available).
import { Command, Option } from 'commander';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { checkDevice, loadDevice, localEvaluator } from '../profile/index.js';
import { METRICS, type DeviceProfile, type LatencyStats, type MeasureProtocol, type Metric } from '../profile/types.js';
import { perplexityAnnotator } from '../search/calibration.js';
import { formatPrediction } from '../calibrate/interval.js';
import { metricValue } from '../search/objectives.js';
import { runSearch, type SearchOutcome } from '../search/loop.js';
import { progressReporter } from '../search/progress.js';
import { failureReasons, oneLineMessage, readResumable, PARETO_FILE } from '../search/results.js';
import { searchSpaces } from '../search/spaces.js';
import { SCREEN_DEFAULTS } from '../search/screening.js';
import type { Evaluator, ParetoFile, SearchSettings, Strategy } from '../search/types.js';
import { defaultSpaceOptions, parseSpaceOverrides, type SpaceOverrides } from '../space/index.js';
import { readFileSync } from 'node:fs';
import { FAMILIES, type Family } from '../space/types.js';
import { LtsError } from '../util/errors.js';
import { writeReport } from '../report/index.js';

interface SearchCliOptions {
  device: string;
  metric: string;
  family: string;
  iterations?: string;
  population?: string;
  parents?: string;
  mutations?: string;
  crossovers?: string;
  seed: string;
  paramMin?: string;
  paramMax?: string;
  latencyMax?: string;
  budget?: string;
  out?: string;
  resume?: string;
  graph?: string;
  batch?: string;
  seq?: string;
  memLen?: string;
  context?: string;
  warmupMin?: string;
  warmupMax?: string;
  minRuns?: string;
  maxRuns?: string;
  maxSeconds?: string;
  targetCi?: string;
  clock?: 'wall' | 'cpu';
  calibration?: string;
  dataset?: string;
  space?: string;
  divVal?: string;
  vocabSize?: string;
  cutoffs?: string;
  primer?: string;
  strategy?: string;
  screenMargin?: string;
  auditShare?: string;
  report: boolean;
  json?: boolean;
  driftCorrection: 'on' | 'off';
  sentinelEvery?: string;
  sentinelMinutes?: string;
}

/** The strategy of a new search when --strategy is not given. */
export const DEFAULT_STRATEGY: Strategy = 'exhaustive';

/** Reference defaults (reference §4): 100 = 20 parents + 40 mutations + 40 crossovers, 30 iterations. */
const DEFAULTS = { iterations: 30, population: 100, parents: 20, mutations: 40, crossovers: 40 };

function int(name: string, v: string, min = 0): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new LtsError(`--${name} must be an integer >= ${min}, got '${v}'`);
  return n;
}

function positive(name: string, v: string): number {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new LtsError(`--${name} must be a number > 0, got '${v}'`);
  return n;
}

/** Parameter counts: plain numbers, 6e6, or with a k/M/G suffix (6M, 100M). */
export function parseCount(name: string, v: string): number {
  const m = /^\s*([0-9]*\.?[0-9]+(?:e[0-9]+)?)\s*([kKmMgG]?)\s*$/.exec(v);
  if (!m) throw new LtsError(`--${name} must be a parameter count like 6000000, 6e6 or 6M, got '${v}'`);
  const mult = { '': 1, k: 1e3, m: 1e6, g: 1e9 }[m[2]!.toLowerCase() as '' | 'k' | 'm' | 'g'];
  return Math.round(Number(m[1]) * mult);
}

export function parseMetrics(v: string): Metric[] {
  const list = v.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (list.length === 0) throw new LtsError(`--metric needs at least one of ${METRICS.join(', ')}`);
  for (const m of list) {
    if (!(METRICS as readonly string[]).includes(m)) throw new LtsError(`--metric: unknown metric '${m}' (choose from ${METRICS.join(', ')}, comma-separated)`);
  }
  if (new Set(list).size !== list.length) throw new LtsError(`--metric lists a metric twice: ${v}`);
  return list as Metric[];
}

export function parseFamilies(v: string): Family[] {
  if (v === 'all') return [...FAMILIES];
  if (!(FAMILIES as readonly string[]).includes(v)) throw new LtsError(`--family must be one of ${FAMILIES.join(', ')} or all, got '${v}'`);
  return [v as Family];
}

/** Population split: explicit values win; otherwise the reference's 20/40/40 proportions of --population. */
export function populationSplit(o: Pick<SearchCliOptions, 'population' | 'parents' | 'mutations' | 'crossovers'>): {
  population: number;
  parents: number;
  mutations: number;
  crossovers: number;
} {
  const population = o.population !== undefined ? int('population', o.population, 1) : DEFAULTS.population;
  const scale = population / DEFAULTS.population;
  const parents = o.parents !== undefined ? int('parents', o.parents, 1) : Math.max(1, Math.round(DEFAULTS.parents * scale));
  const mutations = o.mutations !== undefined ? int('mutations', o.mutations) : Math.round(DEFAULTS.mutations * scale);
  const crossovers =
    o.crossovers !== undefined ? int('crossovers', o.crossovers) : Math.max(0, population - parents - mutations);
  return { population, parents, mutations, crossovers };
}

/** The device profile with the command-line shape, graph and protocol overrides applied. */
export function effectiveDevice(base: DeviceProfile, o: SearchCliOptions): DeviceProfile {
  const d: DeviceProfile = structuredClone(base);
  if (o.graph !== undefined) {
    if (o.graph !== 'ort' && o.graph !== 'standard') throw new LtsError(`--graph must be ort or standard, got '${o.graph}'`);
    d.graph = o.graph;
  }
  if (o.batch !== undefined) d.shapes.batch = int('batch', o.batch, 1);
  if (o.seq !== undefined) d.shapes.seq = int('seq', o.seq, 1);
  if (o.memLen !== undefined) d.shapes.mem_len = int('mem-len', o.memLen, 0);
  if (o.context !== undefined) d.shapes.context = int('context', o.context, 0);
  const p: MeasureProtocol = d.protocol;
  if (o.warmupMin !== undefined) p.warmupMin = int('warmup-min', o.warmupMin);
  if (o.warmupMax !== undefined) p.warmupMax = int('warmup-max', o.warmupMax);
  if (o.minRuns !== undefined) p.minRuns = int('min-runs', o.minRuns, 1);
  if (o.maxRuns !== undefined) p.maxRuns = int('max-runs', o.maxRuns, 1);
  if (o.maxSeconds !== undefined) p.maxSeconds = positive('max-seconds', o.maxSeconds);
  if (o.targetCi !== undefined) p.targetRelCi = positive('target-ci', o.targetCi);
  if (o.clock !== undefined) p.clock = o.clock;
  if (p.warmupMax < p.warmupMin) p.warmupMax = p.warmupMin;
  if (p.maxRuns < p.minRuns) p.maxRuns = p.minRuns;
  return d;
}

export function buildSettings(o: SearchCliOptions, device: DeviceProfile): SearchSettings {
  const families = parseFamilies(o.family);
  // Bounds default to the loosest of the chosen families' reference bounds.
  const defaults = families.map((f) => defaultSpaceOptions(f).bounds);
  const param_min = o.paramMin !== undefined ? parseCount('param-min', o.paramMin) : Math.min(...defaults.map((b) => b.min));
  const param_max = o.paramMax !== undefined ? parseCount('param-max', o.paramMax) : Math.max(...defaults.map((b) => b.max));
  if (param_min > param_max) throw new LtsError(`--param-min ${param_min} is above --param-max ${param_max}`);
  const s: SearchSettings = {
    metrics: parseMetrics(o.metric),
    families,
    shapes: device.shapes,
    graph: device.graph,
    protocol: device.protocol,
    seed: int('seed', o.seed),
    param_min,
    param_max,
    iterations: o.iterations !== undefined ? int('iterations', o.iterations) : DEFAULTS.iterations,
    ...populationSplit(o),
  };
  if (o.latencyMax !== undefined) s.latency_max_ms = positive('latency-max', o.latencyMax);
  if (o.budget !== undefined) s.budget_minutes = positive('budget', o.budget);
  s.drift_correction = o.driftCorrection ?? 'on';
  if (o.sentinelEvery !== undefined) s.sentinel_every = int('sentinel-every', o.sentinelEvery, 1);
  if (o.sentinelMinutes !== undefined) s.sentinel_minutes = positive('sentinel-minutes', o.sentinelMinutes);
  if (o.calibration !== undefined) {
    // A file is recorded by its absolute path: --resume and `lts report` may run from another directory.
    const isPath = o.calibration.endsWith('.json') || o.calibration.includes('/') || o.calibration.includes('\\');
    s.calibration = isPath ? resolve(o.calibration) : o.calibration;
  }
  if (o.dataset !== undefined) s.dataset = o.dataset;
  Object.assign(s, screenSettings(o));
  const space = spaceOverrides(o);
  if (Object.keys(space).length > 0) s.space = space;
  return s;
}

/** --strategy and its knobs, recorded in the settings so that --resume keeps them. */
export function screenSettings(o: Pick<SearchCliOptions, 'strategy' | 'screenMargin' | 'auditShare'>): Pick<SearchSettings, 'strategy' | 'screen_margin' | 'audit_share'> {
  const strategy = (o.strategy ?? DEFAULT_STRATEGY) as Strategy;
  if (strategy !== 'exhaustive' && strategy !== 'screened') throw new LtsError(`--strategy must be exhaustive or screened, got '${o.strategy}'`);
  if (strategy === 'exhaustive') {
    if (o.screenMargin !== undefined || o.auditShare !== undefined) throw new LtsError('--screen-margin and --audit-share apply to --strategy screened only');
    return { strategy };
  }
  const margin = o.screenMargin !== undefined ? Number(o.screenMargin) : SCREEN_DEFAULTS.margin;
  if (!Number.isFinite(margin) || margin < 0) throw new LtsError(`--screen-margin must be a fraction >= 0 (0.1 = 10 %), got '${o.screenMargin}'`);
  const share = o.auditShare !== undefined ? Number(o.auditShare) : SCREEN_DEFAULTS.auditShare;
  if (!Number.isFinite(share) || share < 0 || share > 1) throw new LtsError(`--audit-share must be a fraction in 0..1, got '${o.auditShare}'`);
  return { strategy, screen_margin: margin, audit_share: share };
}

function intList(name: string, v: string): number[] {
  return v.split(',').map((x) => int(name, x.trim()));
}

/** Primer variants to search: ez = squared ReLU and conv together; any = each switch drawn freely. */
const PRIMER_VARIANTS: Record<string, Pick<SpaceOverrides, 'primer_square' | 'primer_conv'>> = {
  any: { primer_square: [false, true], primer_conv: [false, true] },
  ez: { primer_square: [true], primer_conv: [true] },
  square: { primer_square: [true], primer_conv: [false] },
  conv: { primer_square: [false], primer_conv: [true] },
};

/** Gene choices and vocabulary from --space <file> and the gene flags (flags win over the file). */
export function spaceOverrides(o: SearchCliOptions): SpaceOverrides {
  let space: SpaceOverrides = {};
  if (o.space !== undefined) {
    let text: string;
    try {
      text = readFileSync(o.space, 'utf8');
    } catch (err) {
      throw new LtsError(`cannot read --space ${o.space}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (err) {
      throw new LtsError(`--space ${o.space}: not valid JSON (${oneLineMessage(err)})`);
    }
    space = { ...parseSpaceOverrides(json, o.space) };
  }
  if (o.divVal !== undefined) space.div_val = intList('div-val', o.divVal);
  if (o.vocabSize !== undefined) space.vocab_size = int('vocab-size', o.vocabSize, 2);
  if (o.cutoffs !== undefined) space.cutoffs = o.cutoffs.trim() === '' ? [] : intList('cutoffs', o.cutoffs);
  if (o.primer !== undefined) {
    const v = PRIMER_VARIANTS[o.primer];
    if (!v) throw new LtsError(`--primer must be one of ${Object.keys(PRIMER_VARIANTS).join(', ')}, got '${o.primer}'`);
    space.primer = { ...(space.primer ?? {}), ...v };
  }
  return space;
}

/**
 * Local measurement (a warm worker for latency and decode, a fresh child process per candidate when
 * memory is measured), or one evaluator per agent the profile names.
 */
export async function buildEvaluators(device: DeviceProfile): Promise<Evaluator[]> {
  if (device.agents) {
    const { agentEvaluators } = (await import('../agent/client.js')) as {
      agentEvaluators(d: DeviceProfile): Evaluator[];
    };
    return agentEvaluators(device);
  }
  // Stops here, before anything is measured, when e.g. the CUDA provider is missing.
  await checkDevice(device);
  return [localEvaluator(device)];
}

function timestamp(): string {
  return new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '').replace('T', '-');
}

/** Options that only make sense for a new search (with --resume the run's own settings apply). */
const NEW_RUN_ONLY = [
  'device', 'metric', 'family', 'iterations', 'population', 'parents', 'mutations', 'crossovers', 'seed',
  'paramMin', 'paramMax', 'latencyMax', 'out', 'graph', 'batch', 'seq', 'memLen', 'context', 'warmupMin',
  'warmupMax', 'minRuns', 'maxRuns', 'maxSeconds', 'targetCi', 'clock', 'calibration', 'dataset', 'space', 'divVal',
  'vocabSize', 'cutoffs', 'primer', 'strategy', 'screenMargin', 'auditShare', 'driftCorrection', 'sentinelEvery', 'sentinelMinutes',
];

const SUMMARY_ROWS = 20;

/** `, ppl 36 [31-42]` with the interval's precision (tags once, in the header), or the bare value of an older file. */
function pplSummary(f: ParetoFile['frontier'][number]): string {
  if (f.predicted_ppl === undefined) return '';
  const i = f.predicted_ppl_interval;
  if (!i) return `, ppl ~${f.predicted_ppl.toFixed(1)}`;
  return `, ppl ${formatPrediction({ ...i, ppl: f.predicted_ppl }, { tags: false })}${i.in_range ? '' : ' extrapolated'}`;
}

function summary(p: ParetoFile, dir: string): string {
  const c = p.counts;
  const screened = c.screened !== undefined ? `, ${c.screened} screened out (${c.audited ?? 0} audited, ${c.audit_on_frontier ?? 0} of those on the frontier)` : '';
  const ivl = p.frontier.find((f) => f.predicted_ppl_interval)?.predicted_ppl_interval;
  const pplNote = ivl ? `; ppl: predicted, 90 % interval${ivl.anchored ? '' : ' (unanchored: recipe unknown, see lts calibrate --anchor)'}` : '';
  const head = `${c.evaluated} evaluated (${c.failed} failed)${screened}, ${c.frontier} on the frontier, stopped by ${c.stopped_by} after ${c.iterations_done}/${p.settings.iterations} iterations${pplNote}`;
  const rows = p.frontier.map((f) => {
    const costs = p.settings.metrics
      .map((m) => (m === 'latency' ? `latency ${timed(f.latency, 2)}` : m === 'decode' ? `decode ${timed(f.decode, 3)}` : `memory ${f.memory?.inference_peak_mb.toFixed(1)} MB`))
      .join(', ');
    const ppl = pplSummary(f);
    return `  ${f.id.padEnd(18)} ${(f.decoder_params / 1e6).toFixed(2).padStart(7)}M decoder params, ${costs}${ppl}`;
  });
  // A long frontier is for pareto.json and the report; the terminal gets its ends.
  const shown = rows.length > SUMMARY_ROWS ? [...rows.slice(0, SUMMARY_ROWS / 2), `  ... ${rows.length - SUMMARY_ROWS} more ...`, ...rows.slice(-SUMMARY_ROWS / 2)] : rows;
  const drift = driftLine(p);
  return [head, ...(drift ? [drift] : []), ...shown, `results: ${join(dir, PARETO_FILE)}`].join('\n');
}

/** A time cost as the frontier ranks it: corrected where drift correction is on, with the raw figure beside it. */
function timed(s: LatencyStats | undefined, digits: number): string {
  if (!s) return '-';
  if (s.corrected_median_ms === undefined) return `${s.median_ms.toFixed(digits)} ms`;
  return `${s.corrected_median_ms.toFixed(digits)} ms (raw ${s.median_ms.toFixed(digits)})`;
}

/** The sentinel's verdict: how far the machine's speed moved, and a warning when that exceeded the protocol's precision. */
export function driftLine(p: Pick<ParetoFile, 'drift' | 'settings' | 'counts'>): string | undefined {
  const d = p.drift;
  if (!d) return undefined;
  const pct = (x: number): string => `${(100 * x).toFixed(1)} %`;
  const spread = d.spread !== undefined ? `, spread between measurements ${pct(d.spread)}` : '';
  const again = p.counts.remeasured ? `, ${p.counts.remeasured} contender(s) measured again` : '';
  const line = `drift: sentinel ${d.sentinel.id} measured ${d.points} time(s), largest drift ${pct(d.max_drift)}${spread}${again}; costs are drift-corrected`;
  const target = p.settings.protocol.targetRelCi;
  if (d.max_drift > target) {
    return `${line}\nlts: warning: the machine's speed drifted by ${pct(d.max_drift)} during the run, more than the protocol's target precision (${pct(target)}); raw figures in pareto.json differ from the corrected ones by that much`;
  }
  return line;
}

/**
 * What the end of a search adds to its summary, and the exit code it calls for: a search in which no
 * candidate was measured successfully has produced nothing usable and fails (exit 1), with the reasons.
 */
export function endNote(outcome: Pick<SearchOutcome, 'pareto' | 'history' | 'stoppedBy'>): { lines: string[]; exitCode: number } {
  const c = outcome.pareto.counts;
  const lines: string[] = [];
  let exitCode = 0;
  if (outcome.stoppedBy === 'evaluators_lost') {
    lines.push('lts: every evaluator became unusable; results so far are written, continue with --resume');
    exitCode = 1;
  }
  if (c.evaluated > 0 && c.failed === c.evaluated) {
    lines.push(`lts: no candidate was measured successfully: ${failureReasons(outcome.history)} (see candidates.jsonl; check the device profile's limits and providers)`);
    exitCode = 1;
  } else if (c.evaluated === 0 && outcome.stoppedBy === 'budget') {
    lines.push('lts: the budget ran out before any candidate was measured; resume with a larger --budget');
  } else if (c.frontier === 0 && c.evaluated > c.failed) {
    // Measured, yet nothing qualifies: a cost the device never reported, or the latency constraint.
    const ok = outcome.history.filter((r) => r.measurement.ok);
    const missing = outcome.pareto.settings.metrics.filter((m) => ok.every((r) => metricValue(r, m) === undefined));
    if (missing.length > 0) {
      const hint = missing.includes('memory') ? ' (memory needs a resettable high-water mark: Linux with /proc/self/clear_refs writable)' : '';
      lines.push(`lts: the device reported no ${missing.join(' or ')} figures for any measured candidate, so none can be on the frontier${hint}`);
      exitCode = 1;
    } else if (outcome.pareto.settings.latency_max_ms !== undefined) {
      lines.push(`lts: no measured candidate met --latency-max ${outcome.pareto.settings.latency_max_ms} ms`);
    }
  }
  // An interrupt keeps its own code even when nothing succeeded so far.
  if (outcome.stoppedBy === 'interrupt') exitCode = 130;
  return { lines, exitCode };
}

export function searchCommand(): Command {
  const cmd = new Command('search')
    .description('evolutionary search for the Pareto frontier of decoder params vs measured cost on a device')
    .option('--device <name|path>', 'device profile: a name in devices/ or a JSON file', 'cpu')
    .option('--metric <list>', 'cost(s) to minimize, comma-separated: latency, decode, memory', 'latency')
    .addOption(new Option('--family <family>', 'architecture family (all: one frontier over every family)').choices([...FAMILIES, 'all']).default('gpt2'))
    .option('--iterations <n>', 'generations after the initial population', String(DEFAULTS.iterations))
    .option('--population <n>', 'initial population; parents/mutations/crossovers scale with it unless given', String(DEFAULTS.population))
    .option('--parents <n>', `parents drawn per generation (default ${DEFAULTS.parents} at population 100)`)
    .option('--mutations <n>', `mutated children per generation (default ${DEFAULTS.mutations} at population 100)`)
    .option('--crossovers <n>', `crossover children per generation (default ${DEFAULTS.crossovers} at population 100)`)
    .option('--seed <n>', 'seed of sampling, mutation, crossover and weights (the candidates then depend only on the measured values)', '1')
    .option('--param-min <n>', 'lower decoder-param bound, e.g. 6M (default: the family reference bound)')
    .option('--param-max <n>', 'upper decoder-param bound, e.g. 100M')
    .option('--latency-max <ms>', 'constraint: candidates with a median latency above this are kept off the frontier')
    .option('--budget <minutes>', 'stop after the measurement running when this much time has passed, and write results (with --resume: time for the continuation)')
    .option('--out <dir>', 'run directory (default runs/<timestamp>)')
    .option('--resume <dir>', 'continue an interrupted search in this run directory (its own settings apply)')
    .addOption(new Option('--graph <form>', 'graph form to measure (default: the device profile)').choices(['ort', 'standard']))
    .option('--batch <n>', 'override the profile batch size')
    .option('--seq <n>', 'override the profile prefill sequence length')
    .option('--mem-len <n>', 'override the Transformer-XL memory length')
    .option('--context <n>', 'override the decode cache length')
    .option('--warmup-min <n>', 'protocol: at least this many warm-up runs')
    .option('--warmup-max <n>', 'protocol: at most this many warm-up runs')
    .option('--min-runs <n>', 'protocol: at least this many timed runs')
    .option('--max-runs <n>', 'protocol: at most this many timed runs')
    .option('--max-seconds <s>', 'protocol: cap on the timed phase per candidate')
    .option('--target-ci <fraction>', 'protocol: stop timing once the 95 % CI of the median is within this fraction')
    .addOption(new Option('--clock <clock>', "protocol: time runs by 'wall' clock or by process 'cpu' time (shared machines)").choices(['wall', 'cpu']))
    .option('--space <file>', 'search-space overrides as JSON: gene choices (n_layer, d_model, d_inner, n_head, div_val, primer_square, primer_conv), vocab_size, cutoffs, ...; per-family sections allowed')
    .option('--div-val <list>', 'adaptive-embedding divisors to draw from (0 = plain embedding tied to the output, as HF GPT-2); default 1,2,4')
    .option('--vocab-size <n>', 'vocabulary size (default: GPT-2 50257, Transformer-XL wt103 267735)')
    .option('--cutoffs <list>', 'adaptive cluster boundaries below the vocabulary (default 19997,39997[,199997])')
    .addOption(new Option('--primer <variants>', 'Primer variants to search (family primer/all)').choices(Object.keys(PRIMER_VARIANTS)))
    .option('--strategy <strategy>', `exhaustive: measure every child (the LTS protocol); screened: skip children a cost model, fitted on this run's measurements, predicts far behind the frontier (default ${DEFAULT_STRATEGY})`)
    .option('--screen-margin <fraction>', `screened: skip a child only if a measured point beats its optimistic predicted cost by more than this (default ${SCREEN_DEFAULTS.margin})`)
    .option('--audit-share <fraction>', `screened: share of would-be-skipped children measured anyway, to report false screens (default ${SCREEN_DEFAULTS.auditShare})`)
    .option('--calibration <name|file>', 'perplexity calibration for predicted_ppl (default: built-in per family)')
    .addOption(new Option('--dataset <name>', 'dataset of the built-in calibrations').choices(['wt103', 'lm1b']))
    .addOption(new Option('--drift-correction <on|off>', 'measure a sentinel model through the run and rank by drift-corrected costs (off: raw costs, no sentinel)').choices(['on', 'off']).default('on'))
    .option('--sentinel-every <n>', 'drift correction: measure the sentinel every n candidates per evaluator (default 10)')
    .option('--sentinel-minutes <m>', 'drift correction: ... or every m minutes, whichever comes first (default 5)')
    .option('--no-report', 'do not write the report files at the end')
    .option('--json', 'print pareto.json on stdout at the end');

  cmd.action(async (o: SearchCliOptions) => {
    let device: DeviceProfile;
    let settings: SearchSettings;
    let outDir: string;
    const resume = o.resume !== undefined;
    if (o.resume !== undefined) {
      const given = NEW_RUN_ONLY.filter((k) => cmd.getOptionValueSource(k) === 'cli');
      if (given.length > 0) {
        throw new LtsError(`--resume continues with the run's own settings; drop ${given.map((k) => '--' + k.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase())).join(', ')} (only --budget, --json and --no-report apply)`);
      }
      const prev = readResumable(o.resume);
      device = prev.device;
      settings = { ...prev.settings };
      delete settings.budget_minutes;
      if (o.budget !== undefined) settings.budget_minutes = positive('budget', o.budget);
      outDir = o.resume;
    } else {
      device = effectiveDevice(loadDevice(o.device), o);
      settings = buildSettings(o, device);
      outDir = o.out ?? join('runs', timestamp());
      if (existsSync(join(outDir, PARETO_FILE))) {
        throw new LtsError(`${outDir} already holds a search (${PARETO_FILE}); use --resume ${outDir} to continue it, or another --out`);
      }
    }

    const annotate = perplexityAnnotator(settings.families, { calibration: settings.calibration, dataset: settings.dataset });
    const evaluators = await buildEvaluators(device);
    const spaces = searchSpaces(settings.families, { min: settings.param_min, max: settings.param_max }, settings.space ?? {});

    const progress = progressReporter();
    const ac = new AbortController();
    const onSigint = () => {
      if (ac.signal.aborted) {
        progress.stop();
        process.stderr.write('lts: interrupted again, quitting now (candidates.jsonl holds every finished measurement)\n');
        process.exit(130);
      }
      ac.abort();
      progress.log('lts: stopping after the current measurement and writing results (Ctrl-C again to quit now)');
    };
    // SIGTERM (a job scheduler, `kill`) stops as gracefully as Ctrl-C: finish the measurement, write results.
    process.on('SIGINT', onSigint);
    process.on('SIGTERM', onSigint);
    process.stderr.write(
      `lts search: ${settings.families.join(', ')} on ${device.name} (${device.executionProviders.join('+')}, ${device.graph} graph), ` +
        `metric ${settings.metrics.join(',')}, seed ${settings.seed}, ${resume ? 'resuming' : 'writing'} ${outDir}\n`,
    );
    let outcome: SearchOutcome;
    try {
      outcome = await runSearch({
        outDir,
        device,
        settings,
        evaluators,
        spaces,
        resume,
        signal: ac.signal,
        onProgress: (p) => progress.update(p),
        log: (l) => progress.log(`lts: ${l}`),
        annotate,
      });
    } finally {
      progress.stop();
      process.off('SIGINT', onSigint);
      process.off('SIGTERM', onSigint);
      for (const ev of evaluators) await ev.close?.().catch(() => {});
    }

    process.stderr.write(summary(outcome.pareto, outDir) + '\n');
    if (o.report) {
      try {
        await writeReport(outDir, settings.calibration ? { calibration: settings.calibration } : {});
        process.stderr.write(`report: ${join(outDir, 'report.html')}\n`);
      } catch (err) {
        // The search's own results are already on disk; a report failure should not hide them.
        process.stderr.write(`lts: report not written (${(err as Error).message}); retry with: lts report ${outDir}\n`);
        process.exitCode = 1;
      }
    }
    if (o.json) process.stdout.write(JSON.stringify(outcome.pareto, null, 2) + '\n');
    const end = endNote(outcome);
    for (const l of end.lines) process.stderr.write(l + '\n');
    if (end.exitCode !== 0) process.exitCode = end.exitCode;
  });
  return cmd;
}
