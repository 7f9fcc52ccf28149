import { describe, expect, it } from 'vitest';
import { buildSettings, DEFAULT_STRATEGY, screenSettings, searchCommand, type SearchCommandOptions } from '../../src/cli/search.js';
import { SCREEN_DEFAULTS } from '../../src/search/screening.js';
import { LtsError } from '../../src/util/errors.js';
import { device, parseArgs } from './helpers.js';

const opts = (...args: string[]) => parseArgs<SearchCommandOptions>(searchCommand(), args);

describe('--strategy, --screen-margin, --audit-share', () => {
  it('records the strategy and its knobs in the settings', () => {
    const o = opts('--strategy', 'screened', '--screen-margin', '0.2', '--audit-share', '0.1');
    expect(buildSettings(o, device)).toMatchObject({ strategy: 'screened', screen_margin: 0.2, audit_share: 0.1 });
    expect(buildSettings(opts(), device).strategy).toBe(DEFAULT_STRATEGY);
    expect(screenSettings({ strategy: 'screened' })).toEqual({ strategy: 'screened', screen_margin: SCREEN_DEFAULTS.margin, audit_share: SCREEN_DEFAULTS.auditShare });
    expect(screenSettings({ strategy: 'exhaustive' })).toEqual({ strategy: 'exhaustive' });
  });

  it('rejects what cannot be meant, one line naming the flag', () => {
    expect(() => opts('--strategy', 'lucky')).toThrow(/--strategy/);
    expect(() => opts('--strategy', 'screened', '--screen-margin', '-1')).toThrow(/--screen-margin must be a fraction/);
    expect(() => opts('--strategy', 'screened', '--audit-share', '2')).toThrow(/--audit-share must be a fraction in \[0, 1\]/);
    expect(() => screenSettings({ strategy: 'exhaustive', screenMargin: 0.1 })).toThrow(LtsError);
  });
});
