// The in-process benchmarks' (session-cost, speed-sources) way to export a candidate and the session
// options the measuring worker uses on the cpu profile, so that what they time is what a search times.
import * as ort from 'onnxruntime-node';
import type { ExportedModel } from '../src/export/types.js';
import { makeInputs } from '../src/profile/inputs.js';
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

/** A candidate's session, created and warmed up (5 runs), to time one run at a time in this process. */
export interface TimedSession {
  /** One run's wall time in ms. */
  run(): Promise<number>;
  release(): Promise<void>;
}

export async function openTimed(cfg: ArchConfig, device: DeviceProfile, seed: number): Promise<TimedSession> {
  const m = exportPrefill(cfg, device, seed);
  const session = await ort.InferenceSession.create(m.bytes, sessionOptions(device, m) as Parameters<typeof ort.InferenceSession.create>[1]);
  const feeds: Record<string, ort.Tensor> = {};
  for (const inp of makeInputs(m.inputs, cfg.vocab_size, seed)) feeds[inp.name] = new ort.Tensor(inp.type, inp.data, inp.dims);
  const run = async (): Promise<number> => {
    const t = performance.now();
    await session.run(feeds);
    return performance.now() - t;
  };
  for (let i = 0; i < 5; i++) await run();
  return { run, release: () => session.release() };
}
