// Which calibration predicts a family's perplexity: the user's (if it is meant for that family) or the
// family's built-in curve for the dataset.
import type { Family } from '../space/types.js';
import { LtsError } from '../util/errors.js';
import { builtinCalibration, DATASETS, loadCalibration, type Calibration } from './index.js';

export interface CalibrationChoice {
  /** Built-in name or file (`--calibration`). */
  calibration?: string | Calibration;
  /** Dataset of the built-in curves (`--dataset`), default wt103. */
  dataset?: string;
}

/** The calibration for one family; a named one that is not meant for it is an error. */
export function calibrationFor(family: Family, choice: CalibrationChoice): Calibration {
  if (choice.calibration === undefined) return builtinCalibration(family, choice.dataset ?? 'wt103');
  const cal = typeof choice.calibration === 'string' ? loadCalibration(choice.calibration) : choice.calibration;
  if (!cal.applies_to.includes(family)) {
    throw new LtsError(`calibration ${cal.name} is for ${cal.applies_to.join(', ')}, not ${family}: its perplexities are not comparable (use the ${family} curve: --dataset, or a calibration fitted on ${family} models)`);
  }
  return cal;
}

/**
 * One calibration per family for a run: the named one where it is meant for the family, else that
 * family's built-in curve for the named one's dataset (or `dataset`). Never one curve across families.
 */
export function calibrationsFor(families: readonly Family[], choice: CalibrationChoice): Map<Family, Calibration> {
  const named = choice.calibration === undefined ? undefined : typeof choice.calibration === 'string' ? loadCalibration(choice.calibration) : choice.calibration;
  const dataset = named && (DATASETS as readonly string[]).includes(named.dataset) ? named.dataset : (choice.dataset ?? 'wt103');
  const out = new Map<Family, Calibration>();
  for (const f of families) out.set(f, named && named.applies_to.includes(f) ? named : builtinCalibration(f, dataset));
  return out;
}
