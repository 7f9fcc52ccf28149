import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildSettings, effectiveDevice, parseCount, parseFamilies, parseMetrics, populationSplit } from '../../src/cli/search.js';
import { LtsError } from '../../src/util/errors.js';
import { device } from './helpers.js';

const base = { device: 'cpu', metric: 'latency', family: 'gpt2', seed: '1', report: true };

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
    expect(parseCount('param-min', '6M')).toBe(6_000_000);
    expect(parseCount('param-min', '6e6')).toBe(6_000_000);
    expect(parseCount('param-min', '250k')).toBe(250_000);
    expect(() => parseCount('param-min', 'six')).toThrow(LtsError);
  });

  it('splits the population 20/40/40 by default and scales it', () => {
    expect(populationSplit({ population: '100' })).toEqual({ population: 100, parents: 20, mutations: 40, crossovers: 40 });
    expect(populationSplit({ population: '10' })).toEqual({ population: 10, parents: 2, mutations: 4, crossovers: 4 });
    expect(populationSplit({ population: '10', mutations: '8' })).toEqual({ population: 10, parents: 2, mutations: 8, crossovers: 0 });
  });

  it('applies shape, graph and protocol overrides to a copy of the profile', () => {
    const d = effectiveDevice(device, { ...base, seq: '64', graph: 'standard', minRuns: '7', maxRuns: '4' });
    expect(d.shapes.seq).toBe(64);
    expect(d.graph).toBe('standard');
    expect(d.protocol.minRuns).toBe(7);
    expect(d.protocol.maxRuns).toBe(7);
    expect(d.protocol.clock).toBeUndefined();
    expect(effectiveDevice(device, { ...base, clock: 'cpu' }).protocol.clock).toBe('cpu');
    expect(device.shapes.seq).toBe(192);
    expect(() => effectiveDevice(device, { ...base, batch: '0' })).toThrow(LtsError);
  });

  it('builds settings with the family reference bounds unless given', () => {
    const s = buildSettings({ ...base, iterations: '2', population: '10', latencyMax: '50', budget: '5' }, device);
    expect(s).toMatchObject({ families: ['gpt2'], param_min: 6e6, param_max: 100e6, iterations: 2, parents: 2, latency_max_ms: 50, budget_minutes: 5 });
    expect(buildSettings({ ...base, family: 'all' }, device).param_min).toBe(4e6);
    expect(() => buildSettings({ ...base, paramMin: '10M', paramMax: '5M' }, device)).toThrow(/above/);
  });

  it('records a --calibration file by its absolute path (resume and report may run elsewhere), a built-in by name', () => {
    expect(buildSettings({ ...base, calibration: 'cal/my fit.json' }, device).calibration).toBe(resolve('cal/my fit.json'));
    expect(buildSettings({ ...base, calibration: 'gpt2-lm1b' }, device).calibration).toBe('gpt2-lm1b');
  });
});
