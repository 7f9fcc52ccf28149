// Which calibration a report applies, per family, to every point it shows (frontier and candidates alike).
import { builtinCalibration, builtinNames, DATASETS, loadCalibration, type Calibration } from '../calibrate/index.js';
import { calibrationsFor } from '../calibrate/resolve.js';
import type { ParetoFile } from '../search/types.js';
import { FAMILIES, type Family } from '../space/types.js';

export interface ReportCalibrations {
  forFamily: (f: Family) => Calibration;
  note: string;
}

function builtinDataset(d: string | undefined): string {
  return d !== undefined && (DATASETS as readonly string[]).includes(d) ? d : 'wt103';
}

function perFamily(named: Calibration | string, dataset?: string): (f: Family) => Calibration {
  const cals = calibrationsFor(FAMILIES, { calibration: named, ...(dataset ? { dataset } : {}) });
  return (f) => cals.get(f)!;
}

/**
 * The caller's calibration, else the one the search was given (settings.calibration: a built-in name
 * or an absolute file path), else what pareto.json names (a '+'-joined list of built-ins for a
 * multi-family search), else each family's built-in curve for the run's dataset. A curve meant for one
 * family is never applied to another: that family gets its own built-in curve for the same dataset.
 */
export function reportCalibrations(p: ParetoFile, opt?: Calibration | string): ReportCalibrations {
  const dataset = builtinDataset(p.settings.dataset);
  if (opt) {
    const cal = typeof opt === 'string' ? loadCalibration(opt) : opt;
    return { forFamily: perFamily(cal), note: `Predicted perplexity of every point from calibration ${cal.name} (given to lts report), other families from their built-in ${builtinDataset(cal.dataset)} curve.` };
  }
  const given = p.settings.calibration;
  if (given) {
    try {
      const cal = loadCalibration(given);
      return { forFamily: perFamily(cal), note: `Predicted perplexity from calibration ${cal.name} (the search's --calibration).` };
    } catch {
      return {
        forFamily: (f) => builtinCalibration(f, dataset),
        note: `The search used calibration '${given}', which cannot be read here: every point uses the built-in ${dataset} curves instead (pass --calibration to use that file).`,
      };
    }
  }
  const named = p.calibration?.name;
  if (named) {
    const builtins = new Set(builtinNames());
    const parts = named.split('+');
    if (parts.every((n) => builtins.has(n))) {
      const ds = builtinDataset(p.calibration!.dataset);
      if (parts.length > 1) return { forFamily: (f) => builtinCalibration(f, ds), note: `Predicted perplexity from each family's built-in ${ds} calibration (pareto.json: ${named}).` };
      return { forFamily: perFamily(named), note: `Predicted perplexity from calibration ${named} (named in pareto.json).` };
    }
  }
  return { forFamily: (f) => builtinCalibration(f, dataset), note: `Predicted perplexity from each family's built-in ${dataset} calibration.` };
}
