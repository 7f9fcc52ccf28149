// Messages between measureCandidate (parent) and worker.ts (the fresh child process).
import type { ArchConfig } from '../space/types.js';
import type { DeviceProfile, Measurement, Metric } from './types.js';

/** What to measure: a candidate config (built by the exporter in the child) or the tiny probe model. */
export type ModelSource = { kind: 'config'; cfg: ArchConfig } | { kind: 'tiny'; width: number };

export type WorkerTask =
  | { kind: 'measure'; source: ModelSource; device: DeviceProfile; metrics: Metric[]; seed: number }
  | { kind: 'probe'; runtime: DeviceProfile['runtime']; ep: string; threads: DeviceProfile['threads'] };

export interface ProbeResult {
  ok: boolean;
  error?: string;
  ms: number;
  version: string;
}

export type WorkerReply =
  | { kind: 'phase'; phase: string }
  | { kind: 'measured'; result: Measurement }
  | { kind: 'probed'; result: ProbeResult };
