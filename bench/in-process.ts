// The in-process benchmarks' (session-cost, speed-sources) way to export a candidate and the session
// options the measuring worker uses on the cpu profile, so that what they time is what a search times.
import type { ExportedModel } from '../src/export/types.js';
import { exportModel } from '../src/export/index.js';
import type { DeviceProfile } from '../src/profile/index.js';
import type { ArchConfig } from '../src/space/types.js';

export function exportPrefill(cfg: ArchConfig, device: DeviceProfile, seed: number): ExportedModel {
  return exportModel(cfg, { form: device.graph, mode: 'prefill', shapes: device.shapes, seed }, { protoLimitBytes: 0 });
}

/** onnxruntime-node session options as src/profile/worker.ts sets them (without its verbose creation log). */
export function sessionOptions(device: DeviceProfile, model: ExportedModel): Record<string, unknown> {
  return {
    executionProviders: device.executionProviders,
    intraOpNumThreads: device.threads.intraOp,
    interOpNumThreads: device.threads.interOp,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
    logSeverityLevel: 3,
    externalData: model.externalData,
  };
}
