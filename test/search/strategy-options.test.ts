import { describe, expect, it } from 'vitest';
import { buildSettings, DEFAULT_STRATEGY, screenSettings } from '../../src/cli/search.js';
import { SCREEN_DEFAULTS } from '../../src/search/screening.js';
import { LtsError } from '../../src/util/errors.js';
import { device } from './helpers.js';

const base = { device: 'cpu', metric: 'latency', family: 'gpt2', seed: '1', report: true };

describe('--strategy, --screen-margin, --audit-share', () => {
  it('records the strategy and its knobs in the settings', () => {
    expect(buildSettings({ ...base, strategy: 'screened', screenMargin: '0.2', auditShare: '0.1' }, device)).toMatchObject({ strategy: 'screened', screen_margin: 0.2, audit_share: 0.1 });
    expect(screenSettings({ strategy: 'screened' })).toEqual({ strategy: 'screened', screen_margin: SCREEN_DEFAULTS.margin, audit_share: SCREEN_DEFAULTS.auditShare });
    expect(screenSettings({ strategy: 'exhaustive' })).toEqual({ strategy: 'exhaustive' });
    expect(screenSettings({}).strategy).toBe(DEFAULT_STRATEGY);
  });

  it('rejects what cannot be meant', () => {
    expect(() => screenSettings({ strategy: 'lucky' })).toThrow(/--strategy must be exhaustive or screened/);
    expect(() => screenSettings({ strategy: 'exhaustive', screenMargin: '0.1' })).toThrow(LtsError);
    expect(() => screenSettings({ strategy: 'screened', screenMargin: '-1' })).toThrow(/--screen-margin/);
    expect(() => screenSettings({ strategy: 'screened', auditShare: '2' })).toThrow(/--audit-share/);
  });
});
