// Public face of the search: the loop, its results files, and the pieces the CLI and agents compose.
export { runSearch, type RunSearchOptions, type SearchOutcome, type SearchProgress, type StopReason, type Annotation } from './loop.js';
export { searchSpaces, type FamilySpace, type SearchSpaces } from './spaces.js';
export { searchObjectives, feasible, metricValue, requestedMetrics } from './objectives.js';
export { MeasurementCache, measurementContext, stableStringify } from './cache.js';
export { CANDIDATES_FILE, PARETO_FILE, readPareto, readCandidates, writePareto, frontierPoint } from './results.js';
export { toolVersion } from '../util/package.js';
export { perplexityAnnotator } from './calibration.js';
export { progressReporter, progressLine, formatDuration, type ProgressReporter } from './progress.js';
export type * from './types.js';
