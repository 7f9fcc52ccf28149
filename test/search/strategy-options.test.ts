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

  it('--screen-keep and --screen-breed: recorded for screened (1 is the default and not written), refused otherwise', () => {
    expect(buildSettings(opts('--strategy', 'screened', '--screen-breed', '4', '--screen-keep', '0.5'), device)).toMatchObject({ screen_breed: 4, screen_keep: 0.5 });
    expect(buildSettings(opts('--strategy', 'screened', '--screen-breed', '1'), device).screen_breed).toBeUndefined();
    expect(() => opts('--strategy', 'screened', '--screen-breed', '0')).toThrow(/--screen-breed/);
    expect(() => opts('--strategy', 'screened', '--screen-breed', '2.5')).toThrow(/--screen-breed/);
    expect(() => buildSettings(opts('--strategy', 'exhaustive', '--screen-breed', '4'), device)).toThrow(/--screen-breed apply to --strategy screened only/);
  });
});
