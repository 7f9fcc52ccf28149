import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { applyDeviceOverrides, parseCount, parseMetrics } from '../../src/cli/options.js';
import { buildSettings, parseFamilies, populationSplit, searchCommand, type SearchCommandOptions } from '../../src/cli/search.js';
import { LtsError } from '../../src/util/errors.js';
import { prepareAheadObstacle } from '../../src/profile/index.js';
import { device, parseArgs } from './helpers.js';

const opts = (...args: string[]) => parseArgs<SearchCommandOptions>(searchCommand(), args);

describe('search options', () => {
  it('parses the --metric comma list', () => {
    expect(parseMetrics('latency')).toEqual(['latency']);
    expect(parseMetrics('latency, memory')).toEqual(['latency', 'memory']);
    expect(() => parseMetrics('latency,speed')).toThrow(LtsError);
    expect(() => parseMetrics('memory,memory')).toThrow(/twice/);
    expect(() => parseMetrics('')).toThrow(LtsError);
  });

  it('expands --family all to every family', () => {
    expect(parseFamilies('all')).toEqual(['gpt2', 'transfo-xl', 'primer', 'brainformer']);
    expect(() => parseFamilies('bert')).toThrow(LtsError);
  });

  it('reads parameter counts with suffixes', () => {
    expect(parseCount('--param-min')('6M')).toBe(6_000_000);
    expect(parseCount('--param-min')('6e6')).toBe(6_000_000);
    expect(parseCount('--param-min')('250k')).toBe(250_000);
    expect(() => parseCount('--param-min')('six')).toThrow(LtsError);
    expect(opts('--param-min', '6M').paramMin).toBe(6_000_000);
    expect(() => opts('--param-max', 'six')).toThrow(/--param-max must be a parameter count/);
  });

  it('splits the population 20/40/40 by default and scales it', () => {
    expect(populationSplit(opts('--population', '100'))).toEqual({ population: 100, parents: 20, mutations: 40, crossovers: 40 });
    expect(populationSplit(opts())).toEqual({ population: 100, parents: 20, mutations: 40, crossovers: 40 });
    expect(populationSplit(opts('--population', '10'))).toEqual({ population: 10, parents: 2, mutations: 4, crossovers: 4 });
    expect(populationSplit(opts('--population', '10', '--mutations', '8'))).toEqual({ population: 10, parents: 2, mutations: 8, crossovers: 0 });
    expect(() => opts('--population', '0')).toThrow(/--population must be an integer >= 1, got '0'/);
  });

  it('applies shape, graph and protocol overrides to a copy of the profile', () => {
    const d = applyDeviceOverrides(device, opts('--seq', '64', '--graph', 'standard', '--min-runs', '7'));
    expect(d.shapes.seq).toBe(64);
    expect(d.graph).toBe('standard');
    expect(d.protocol.minRuns).toBe(7);
    expect(d.protocol.maxRuns).toBe(7);
    expect(d.protocol.clock).toBeUndefined();
    expect(applyDeviceOverrides(device, opts('--clock', 'cpu')).protocol.clock).toBe('cpu');
    expect(device.shapes.seq).toBe(192);
    // Both ends given, crossed: a contradiction, as in `lts profile`.
    expect(() => applyDeviceOverrides(device, opts('--min-runs', '7', '--max-runs', '4'))).toThrow(/--min-runs \(7\) exceeds --max-runs \(4\)/);
    expect(() => opts('--batch', '0')).toThrow(LtsError);
  });

  it('builds settings with the family reference bounds unless given', () => {
    const s = buildSettings(opts('--iterations', '2', '--population', '10', '--latency-max', '50', '--budget', '5'), device);
    expect(s).toMatchObject({ families: ['gpt2'], param_min: 6e6, param_max: 100e6, iterations: 2, parents: 2, latency_max_ms: 50, budget_minutes: 5, seed: 1, metrics: ['latency'] });
    expect(buildSettings(opts('--family', 'all'), device).param_min).toBe(4e6);
    expect(() => buildSettings(opts('--param-min', '10M', '--param-max', '5M'), device)).toThrow(/above/);
  });

  it('records whether the next candidate is prepared while one is timed: on where the profile leaves a core free, off with --no-prepare-ahead', () => {
    const one = { ...device, threads: { intraOp: 1, interOp: 1 } };
    expect(buildSettings(opts(), one).prepare_ahead).toBe(prepareAheadObstacle(one) === undefined);
    expect(buildSettings(opts('--no-prepare-ahead'), one).prepare_ahead).toBe(false);
    // Timed runs on every core: nothing to prepare on, whatever the flag says.
    expect(buildSettings(opts(), { ...device, threads: { intraOp: 0, interOp: 1 } }).prepare_ahead).toBe(false);
  });

  it('records a --calibration file by its absolute path (resume and report may run elsewhere), a built-in by name', () => {
    expect(buildSettings(opts('--calibration', 'cal/my fit.json'), device).calibration).toBe(resolve('cal/my fit.json'));
    expect(buildSettings(opts('--calibration', 'gpt2-lm1b'), device).calibration).toBe('gpt2-lm1b');
  });
});
