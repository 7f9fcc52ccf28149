// The benchmarks' paired comparison: relative differences of the same candidate measured two ways.
import { mean, sampleStandardDeviation } from 'simple-statistics';

/** "mean m %, s.d. s %, t t, higher in h of n" for relative differences d (0.01 = 1 %). */
export function pairedSummary(d: readonly number[], meanDigits = 1): string {
  const m = mean([...d]);
  const sd = sampleStandardDeviation([...d]);
  return `mean ${(100 * m).toFixed(meanDigits)} %, s.d. ${(100 * sd).toFixed(1)} %, t ${(m / (sd / Math.sqrt(d.length))).toFixed(2)}, higher in ${d.filter((x) => x > 0).length} of ${d.length}`;
}
