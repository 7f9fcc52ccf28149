// `lts search`: declares its options, then options -> settings and evaluators -> the loop -> pareto.json (+ report).
import { Command, Option } from 'commander';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { checkDevice, loadDevice, localEvaluators } from '../profile/index.js';
import type { DeviceProfile } from '../profile/types.js';
import { writeReport } from '../report/index.js';
import { perplexityAnnotator } from '../search/calibration.js';
import { runSearch, type SearchOutcome } from '../search/loop.js';
import { progressReporter } from '../search/progress.js';
import { PARETO_FILE, readResumable } from '../search/results.js';
import { searchSpaces } from '../search/spaces.js';
import { allProxyChoices, flagOf as proxyFlagOf, withProxyChoices } from '../search/proxy-choice.js';
import type { Evaluator, SearchSettings } from '../search/types.js';
import { FAMILIES } from '../space/types.js';
import { LtsError } from '../util/errors.js';
import { SCREEN_DEFAULTS } from '../search/screening.js';
import {
  applyDeviceOverrides,
  flagOf,
  fraction,
  graphOption,
  int,
  intList,
  metricOption,
  parseCount,
  positive,
  protocolOptions,
  shapeOptions,
  type ProtocolOverrides,
  type ShapeOverrides,
} from './options.js';
import { RESUME_FLAGS, RESUME_OPTIONS, resumeSettings } from './search-resume.js';
import { buildSettings, DEFAULT_STRATEGY, DEFAULTS, PRESET_FLAGS, type SearchCliOptions } from './search-settings.js';
import { endNote, summary } from './search-summary.js';

export { buildSettings, DEFAULT_STRATEGY, parseFamilies, populationSplit, screenSettings, spaceOverrides } from './search-settings.js';
export { driftLine, endNote } from './search-summary.js';
export { resumeSettings } from './search-resume.js';

export interface SearchCommandOptions extends SearchCliOptions, ShapeOverrides, ProtocolOverrides {
  device: string;
  agents?: string[];
  tokenFile?: string;
  out?: string;
  resume?: string;
  graph?: 'ort' | 'standard';
  report: boolean;
  json?: boolean;
}

/** The device profile the search measures with: the named one, command-line overrides applied, agents from --agents. */
export function searchDevice(o: SearchCommandOptions): DeviceProfile {
  const d = applyDeviceOverrides(loadDevice(o.device), o);
  if (o.agents === undefined && o.tokenFile === undefined) return d;
  if (o.agents === undefined && d.agents === undefined) throw new LtsError('--token-file is for agents: give --agents <url,url,...> too');
  // The token file is recorded by its absolute path: --resume may run from another directory.
  const agents = { ...(o.agents !== undefined ? { urls: o.agents } : d.agents) };
  if (o.tokenFile !== undefined) {
    delete agents.tokenEnv;
    agents.tokenFile = resolve(o.tokenFile);
  }
  return { ...d, agents };
}

/**
 * Local measurement (a warm worker for latency and decode, a fresh child process per candidate when
 * memory is measured), or one evaluator per agent the profile names.
 */
export async function buildEvaluators(device: DeviceProfile, prepareAhead = false): Promise<Evaluator[]> {
  if (device.agents) {
    const { agentEvaluators } = (await import('../agent/client.js')) as { agentEvaluators(d: DeviceProfile): Evaluator[] };
    return agentEvaluators(device);
  }
  // Stops here, before anything is measured, when e.g. the CUDA provider is missing.
  await checkDevice(device);
  return localEvaluators(device, prepareAhead);
}

function timestamp(): string {
  return new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '').replace('T', '-');
}

function agentUrlList(v: string): string[] {
  const urls = v.split(',').map((u) => u.trim()).filter((u) => u !== '');
  if (urls.length === 0) throw new LtsError('--agents needs at least one URL, e.g. http://127.0.0.1:7071');
  for (const u of urls) {
    if (!/^https?:\/\/[^/]/.test(u)) throw new LtsError(`--agents: '${u}' is not an http:// or https:// URL`);
  }
  return urls;
}

export function searchCommand(): Command {
  const cmd = new Command('search')
    .description('evolutionary search for the Pareto frontier of decoder params vs measured cost on a device')
    .option('--device <name|path>', 'device profile: a name in devices/ or a JSON file', 'cpu')
    .addOption(new Option('--agents <urls>', 'measure on these `lts agent`s (comma-separated URLs) instead of locally; token from env LTS_AGENT_TOKEN or --token-file').argParser(agentUrlList))
    .option('--token-file <path>', 'file holding the agents\' bearer token (with --agents)')
    .addOption(metricOption('cost(s) to minimize, comma-separated: latency, decode, memory', ['latency']))
    .addOption(new Option('--family <family>', 'architecture family (all: one frontier over every family)').choices([...FAMILIES, 'all']).default(FAMILIES[0]))
    .addOption(new Option('--iterations <n>', 'generations after the initial population').argParser(int('--iterations')).default(DEFAULTS.iterations))
    .addOption(new Option('--population <n>', 'initial population; parents/mutations/crossovers scale with it unless given (default 100)').argParser(int('--population', 1)))
    .addOption(new Option('--parents <n>', `parents drawn per generation (default ${DEFAULTS.parents} at population 100)`).argParser(int('--parents', 1)))
    .addOption(new Option('--mutations <n>', `mutated children per generation (default ${DEFAULTS.mutations} at population 100)`).argParser(int('--mutations')))
    .addOption(new Option('--crossovers <n>', `crossover children per generation (default ${DEFAULTS.crossovers} at population 100)`).argParser(int('--crossovers')))
    .addOption(new Option('--seed <n>', 'seed of sampling, mutation, crossover and weights (the candidates then depend only on the measured values)').argParser(int('--seed')).default(1))
    .addOption(new Option('--param-min <n>', 'lower decoder-param bound, e.g. 6M (default: the family reference bound)').argParser(parseCount('--param-min')))
    .addOption(new Option('--param-max <n>', 'upper decoder-param bound, e.g. 100M').argParser(parseCount('--param-max')))
    .addOption(new Option('--latency-max <ms>', 'constraint: candidates with a median latency above this are kept off the frontier').argParser(positive('--latency-max')))
    .addOption(new Option('--budget <minutes>', 'stop after the measurement running when this much time has passed, and write results (with --resume: time for the continuation)').argParser(positive('--budget')))
    .option('--out <dir>', 'run directory (default runs/<timestamp>)')
    .option('--resume <dir>', 'continue an interrupted search in this run directory (its own settings apply; --strategy, --screen-margin and --audit-share may replace the run\'s)')
    .addOption(graphOption('graph form to measure (default: the device profile)'));
  shapeOptions(cmd, 'the profile');
  protocolOptions(cmd)
    .option('--space <file>', 'search-space overrides as JSON: gene choices (n_layer, d_model, d_inner, n_head, div_val, primer_square, primer_conv), vocab_size, cutoffs, ...; per-family sections allowed')
    .addOption(new Option('--div-val <list>', 'adaptive-embedding divisors to draw from (0 = plain embedding tied to the output, as HF GPT-2); default 1,2,4').argParser(intList('--div-val')))
    .addOption(new Option('--vocab-size <n>', 'vocabulary size (default: GPT-2 50257, Transformer-XL wt103 267735)').argParser(int('--vocab-size', 2)))
    .addOption(new Option('--cutoffs <list>', 'adaptive cluster boundaries below the vocabulary (default 19997,39997[,199997])').argParser(intList('--cutoffs')));
  // Each family's own named space settings, e.g. --primer ez.
  for (const p of PRESET_FLAGS) cmd.addOption(new Option(`--${p.flag} <variants>`, p.description).choices(Object.keys(p.presets)));
  cmd
    .addOption(new Option('--strategy <strategy>', `exhaustive: measure every child (the LTS protocol); screened: skip children a cost model, fitted on this run's measurements, predicts far behind the frontier (default ${DEFAULT_STRATEGY})`).choices(['exhaustive', 'screened']))
    .addOption(new Option('--screen-margin <fraction>', `screened: skip a child only if a measured point beats its optimistic predicted cost by more than this (default ${SCREEN_DEFAULTS.margin})`).argParser(fraction('--screen-margin')))
    .addOption(new Option('--screen-keep <fraction>', 'screened: measure at most this share of each generation\'s children, those the cost model predicts most likely to move the frontier (default 1: every child the margin leaves)').argParser(fraction('--screen-keep', 1)))
    .addOption(new Option('--screen-breed <n>', 'screened: breed n times the children each generation and measure one generation\'s worth of them, those the cost model predicts would move the frontier most (default 1)').argParser(int('--screen-breed', 1, 64)))
    .addOption(new Option('--audit-share <fraction>', `screened: share of would-be-skipped children measured anyway, to report false screens (default ${SCREEN_DEFAULTS.auditShare})`).argParser(fraction('--audit-share', 1)))
    .option('--calibration <name|file>', 'perplexity calibration for predicted_ppl (default: built-in per family)')
    .addOption(new Option('--dataset <name>', 'dataset of the built-in calibrations').choices(['wt103', 'lm1b']))
    .addOption(new Option('--drift-correction <on|off>', 'measure a sentinel model through the run and rank by drift-corrected costs (off: raw costs, no sentinel)').choices(['on', 'off']).default('off'))
    .addOption(new Option('--sentinel-every <n>', 'drift correction: measure the sentinel every n candidates per evaluator (default 10)').argParser(int('--sentinel-every', 1)))
    .addOption(new Option('--sentinel-minutes <m>', 'drift correction: ... or every m minutes, whichever comes first (default 5)').argParser(positive('--sentinel-minutes')))
    .option('--no-prepare-ahead', 'time one candidate at a time with nothing else running (default: where the profile leaves a CPU core free, the next candidate is exported and its session created meanwhile)')
    .option('--no-report', 'do not write the report files at the end')
    .option('--json', 'print pareto.json on stdout at the end');
  // Families whose proxy is one of several counts offer the choice (Brainformer: --moe-proxy).
  for (const c of allProxyChoices()) cmd.addOption(new Option(`${proxyFlagOf(c)} <count>`, c.help).choices([...c.choices]));

  return cmd.action(async (o: SearchCommandOptions) => {
    let device: DeviceProfile;
    let settings: SearchSettings;
    let outDir: string;
    if (o.resume !== undefined) {
      const given = cmd.options.map((opt) => opt.attributeName()).filter((k) => !RESUME_OPTIONS.has(k) && cmd.getOptionValueSource(k) === 'cli');
      if (given.length > 0) {
        throw new LtsError(`--resume continues with the run's own settings; drop ${given.map(flagOf).join(', ')} (only ${RESUME_FLAGS} apply)`);
      }
      const prev = readResumable(o.resume);
      device = prev.device;
      const resumed = resumeSettings(prev.settings, o);
      settings = resumed.settings;
      if (resumed.changed) process.stderr.write(`lts: ${resumed.changed}\n`);
      outDir = o.resume;
    } else {
      device = searchDevice(o);
      settings = buildSettings(o, device);
      outDir = o.out ?? join('runs', timestamp());
      if (existsSync(join(outDir, PARETO_FILE))) {
        throw new LtsError(`${outDir} already holds a search (${PARETO_FILE}); use --resume ${outDir} to continue it, or another --out`);
      }
    }
    const outcome = await search(device, settings, outDir, o.resume !== undefined);
    // The summary is the result a person reads: on stdout, unless --json puts the machine's result there.
    const results = o.json ? process.stderr : process.stdout;
    results.write(summary(outcome.pareto, outDir) + '\n');
    if (o.report) {
      try {
        await writeReport(outDir, settings.calibration ? { calibration: settings.calibration } : {});
        results.write(`report: ${join(outDir, 'report.html')}\n`);
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
}

/** The loop with a progress display, Ctrl-C / SIGTERM as a graceful stop, and the evaluators closed at the end. */
async function search(device: DeviceProfile, settings: SearchSettings, outDir: string, resume: boolean): Promise<SearchOutcome> {
  const annotate = perplexityAnnotator(settings.families, { calibration: settings.calibration, dataset: settings.dataset });
  const evaluators = await buildEvaluators(device, settings.prepare_ahead === true);
  const spaces = searchSpaces(settings.families, { min: settings.param_min, max: settings.param_max }, withProxyChoices(settings));
  const progress = progressReporter();
  const ac = new AbortController();
  const onSignal = () => {
    if (ac.signal.aborted) {
      progress.stop();
      process.stderr.write('lts: interrupted again, quitting now (candidates.jsonl holds every finished measurement)\n');
      process.exit(130);
    }
    ac.abort();
    progress.log('lts: stopping after the current measurement and writing results (Ctrl-C again to quit now)');
  };
  // SIGTERM (a job scheduler, `kill`) stops as gracefully as Ctrl-C: finish the measurement, write results.
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const where =
    device.executionProviders.join('+') +
    (device.agents ? ` via ${evaluators.length} agent(s)` : evaluators.length > 1 ? ', the next candidate prepared while one is timed' : '');
  process.stderr.write(
    `lts search: ${settings.families.join(', ')} on ${device.name} (${where}, ${device.graph} graph), ` +
      `metric ${settings.metrics.join(',')}, seed ${settings.seed}, ${resume ? 'resuming' : 'writing'} ${outDir}\n`,
  );
  try {
    return await runSearch({
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
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    for (const ev of evaluators) await ev.close?.().catch(() => {});
  }
}
