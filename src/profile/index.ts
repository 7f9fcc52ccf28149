// Public face of src/profile. Light to import: onnxruntime is only loaded inside the worker processes.
export { loadDevice, parseDevice, listDevices, devicesDir, DEFAULT_PROTOCOL, DEFAULT_LIMITS } from './device.js';
export { closeBrowser, killedByStopSignal, measureCandidate, measureSource, probeProvider, requestedProtocol, type MeasureOptions } from './measure.js';
export { localEvaluator, localEvaluators, asEvaluation } from './evaluator.js';
export { DeviceGate, prepareAheadObstacle } from './gate.js';
export { WarmMeasurer, type WarmOptions } from './warm.js';
export { fingerprint, checkDevice, doctor, CUDA_INSTALL_CMD, type DoctorReport, type ProviderCheck } from './doctor.js';
export { summarize, runProtocol, spearman, medianCi } from './stats.js';
export type { ModelSource } from './wire.js';
export type * from './types.js';
