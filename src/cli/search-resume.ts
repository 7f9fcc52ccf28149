// `lts search --resume`: the run's own settings, with the few options a continuation may change. The
// strategy is one of them: screened children are "never measured later unless a resumed run's settings
// ask", and these are the settings that ask.
import type { SearchSettings } from '../search/types.js';
import { LtsError } from '../util/errors.js';
import { screenSettings, type SearchCliOptions } from './search-settings.js';

/** Options (commander attribute names) a resume takes; every other one belongs to the run. */
export const RESUME_OPTIONS: ReadonlySet<string> = new Set(['resume', 'budget', 'json', 'report', 'strategy', 'screenMargin', 'auditShare', 'prepareAhead']);

/** The flags of RESUME_OPTIONS as the user types them, for the refusal of the others. */
export const RESUME_FLAGS = '--budget, --strategy, --screen-margin, --audit-share, --no-prepare-ahead, --json and --no-report';

type ResumeOptions = Pick<SearchCliOptions, 'budget' | 'strategy' | 'screenMargin' | 'auditShare' | 'prepareAhead'>;

const strategyOf = (s: SearchSettings) => s.strategy ?? 'exhaustive'; // absent: a run from before screening existed

function describe(s: SearchSettings): string {
  const keep = s.screen_keep !== undefined ? `, keep ${s.screen_keep}` : '';
  const breed = s.screen_breed !== undefined ? `, breed ${s.screen_breed}x` : '';
  return strategyOf(s) === 'screened' ? `screened (margin ${s.screen_margin}, audit share ${s.audit_share}${keep}${breed})` : `exhaustive${breed ? ` (${breed.slice(2)}, as the run bred)` : ''}`;
}

/**
 * The settings a resumed run continues with: --budget for this continuation only, --no-prepare-ahead
 * (how the device is shared, not what is measured), and --strategy,
 * --screen-margin and --audit-share replacing the run's (recorded, so a later resume keeps them; a knob
 * not given keeps the run's value while the strategy stays screened). screen_breed always stays: it
 * decides which children each generation holds, and those must replay. `changed`: one line for stderr
 * when the strategy or a knob changed.
 */
export function resumeSettings(prev: SearchSettings, o: ResumeOptions): { settings: SearchSettings; changed?: string } {
  const s: SearchSettings = { ...prev };
  delete s.budget_minutes;
  if (o.budget !== undefined) s.budget_minutes = o.budget;
  if (o.prepareAhead === false) s.prepare_ahead = false;
  if (o.strategy === undefined && o.screenMargin === undefined && o.auditShare === undefined) return { settings: s };

  const was = strategyOf(prev);
  const strategy = o.strategy ?? was;
  if (strategy === 'exhaustive' && (o.screenMargin !== undefined || o.auditShare !== undefined)) {
    throw new LtsError(`--screen-margin and --audit-share apply to --strategy screened only; this run is ${was}${o.strategy === undefined ? ' (add --strategy screened)' : ''}`);
  }
  const keep = was === 'screened' && strategy === 'screened';
  const next = screenSettings({
    strategy,
    screenMargin: o.screenMargin ?? (keep ? prev.screen_margin : undefined),
    auditShare: o.auditShare ?? (keep ? prev.audit_share : undefined),
    screenKeep: keep ? prev.screen_keep : undefined,
  });
  delete s.strategy;
  delete s.screen_margin;
  delete s.audit_share;
  delete s.screen_keep;
  Object.assign(s, next);
  const before = describe(prev);
  const after = describe(s);
  if (before === after) return { settings: s };
  return { settings: s, changed: `strategy ${before} -> ${after}: children screened before are measured where these settings would measure them` };
}
