// Predicted perplexity (with its 90 % interval) for frontier points, through the calibrations of src/calibrate.
import { calibrationRef, intervalRecord, predictInterval, type Calibration } from '../calibrate/index.js';
import { calibrationsFor } from '../calibrate/resolve.js';
import type { Family } from '../space/types.js';
import type { Annotation } from './loop.js';
import type { FrontierPoint, ParetoFile } from './types.js';

/**
 * An annotator for runSearch: the named calibration for every family it is meant for, else each
 * family's built-in one for the dataset. With several calibrations in play, pareto.json's single
 * `calibration` entry lists them all in its note.
 */
export function perplexityAnnotator(
  families: readonly Family[],
  opts: { calibration?: string; dataset?: string },
): (points: FrontierPoint[]) => Annotation {
  const dataset = opts.dataset ?? 'wt103';
  const cals: Map<Family, Calibration> = calibrationsFor(families, { ...(opts.calibration !== undefined ? { calibration: opts.calibration } : {}), dataset });
  const distinct = [...new Set([...cals.values()])];
  let calibration: ParetoFile['calibration'];
  if (distinct.length === 1) {
    calibration = calibrationRef(distinct[0]!);
  } else {
    const parts = families.map((f) => `${f}: ${cals.get(f)!.name}${cals.get(f)!.note ? ` (${cals.get(f)!.note})` : ''}`);
    calibration = { name: distinct.map((c) => c.name).join('+'), family: 'any', dataset, note: `per family: ${parts.join('; ')}` };
  }
  return (points) => ({
    points: points.map((p) => {
      const cal = cals.get(p.family);
      if (!cal) return p;
      const pred = predictInterval(cal, p.decoder_params);
      return Number.isFinite(pred.ppl) && pred.ppl > 0 ? { ...p, predicted_ppl: pred.ppl, predicted_ppl_interval: intervalRecord(pred) } : p;
    }),
    calibration,
  });
}
