// `lts search --resume` with the strategy changed: which settings the continuation runs under, the one
// line saying what changed, and the options a resume still refuses.
import { describe, expect, it } from 'vitest';
import { resumeSettings, searchCommand } from '../../src/cli/search.js';
import { SCREEN_DEFAULTS } from '../../src/search/screening.js';
import { LtsError } from '../../src/util/errors.js';
import { settings, tmp } from '../search/helpers.js';

const screened = settings({ strategy: 'screened', screen_margin: 0.1, audit_share: 0.05, budget_minutes: 5 });

describe('resumeSettings', () => {
  it('keeps the run\'s settings when none is given; --budget is for this continuation only', () => {
    const { budget_minutes: _, ...rest } = screened;
    expect(resumeSettings(screened, {})).toEqual({ settings: rest });
    expect(resumeSettings(screened, { budget: 2 }).settings).toEqual({ ...rest, budget_minutes: 2 });
  });

  it('replaces the strategy and its knobs, saying what changed in one line', () => {
    const ex = resumeSettings(screened, { strategy: 'exhaustive' });
    expect(ex.settings.strategy).toBe('exhaustive');
    expect(ex.settings).not.toHaveProperty('screen_margin');
    expect(ex.settings).not.toHaveProperty('audit_share');
    expect(ex.changed).toMatch(/^strategy screened \(margin 0\.1, audit share 0\.05\) -> exhaustive: children screened before are measured/);
    expect(ex.changed).not.toMatch(/\n/);

    // A knob alone keeps the other one and the strategy.
    const wider = resumeSettings(screened, { screenMargin: 0.3 });
    expect(wider.settings).toMatchObject({ strategy: 'screened', screen_margin: 0.3, audit_share: 0.05 });
    expect(wider.changed).toMatch(/-> screened \(margin 0\.3, audit share 0\.05\)/);

    // The same values again change nothing.
    expect(resumeSettings(screened, { strategy: 'screened', screenMargin: 0.1 }).changed).toBeUndefined();

    // A run from before strategies existed is exhaustive; screening it starts from the defaults.
    const old = settings();
    expect(resumeSettings(old, { strategy: 'screened' }).settings).toMatchObject({ strategy: 'screened', screen_margin: SCREEN_DEFAULTS.margin, audit_share: SCREEN_DEFAULTS.auditShare });
    expect(resumeSettings(old, { strategy: 'exhaustive' }).changed).toBeUndefined();
  });

  it('--no-prepare-ahead turns preparing ahead off for the continuation and after; without it the run keeps its own', () => {
    const ahead = settings({ prepare_ahead: true });
    expect(resumeSettings(ahead, {}).settings.prepare_ahead).toBe(true);
    expect(resumeSettings(ahead, { prepareAhead: true }).settings.prepare_ahead).toBe(true);
    expect(resumeSettings(ahead, { prepareAhead: false }).settings.prepare_ahead).toBe(false);
  });

  it('refuses knobs an exhaustive run has no use for, in one line', () => {
    expect(() => resumeSettings(settings({ strategy: 'exhaustive' }), { screenMargin: 0.2 })).toThrow(LtsError);
    expect(() => resumeSettings(settings({ strategy: 'exhaustive' }), { screenMargin: 0.2 })).toThrow(/^--screen-margin and --audit-share apply to --strategy screened only; this run is exhaustive \(add --strategy screened\)$/);
    expect(() => resumeSettings(screened, { strategy: 'exhaustive', auditShare: 0.1 })).toThrow(/apply to --strategy screened only/);
  });
});

describe('lts search --resume', () => {
  const run = (args: string[]) => searchCommand().exitOverride().configureOutput({ writeErr: () => {} }).parseAsync(args, { from: 'user' });

  it('takes --strategy, --screen-margin and --audit-share, and still refuses the run\'s other settings', async () => {
    const dir = tmp();
    // Past the options check: the directory holds no run.
    await expect(run(['--resume', dir, '--strategy', 'screened', '--screen-margin', '0.3', '--audit-share', '0.1'])).rejects.toThrow(/is not a search run directory/);
    await expect(run(['--resume', dir, '--seed', '3', '--strategy', 'exhaustive'])).rejects.toThrow(
      /^--resume continues with the run's own settings; drop --seed \(only --budget, --strategy, --screen-margin, --audit-share, --no-prepare-ahead, --json and --no-report apply\)$/,
    );
  });
});
