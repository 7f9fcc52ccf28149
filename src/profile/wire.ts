// Messages between measureCandidate (parent) and worker.ts (the fresh child process).
import type { ArchConfig, Family } from '../space/types.js';
import type { DeviceProfile, Measurement, Metric } from './types.js';

/**
 * What to measure: a candidate config (built by the exporter in the child), the tiny probe model, or one
 * piece of a family's model alone (FamilyDefinition.buildPart; float input [batch, seq, d_model]).
 */
export type ModelSource =
  | { kind: 'config'; cfg: ArchConfig }
  | { kind: 'tiny'; width: number }
  | { kind: 'part'; family: Family; part: unknown; d_model: number };

/**
 * `seq` numbers a task within its process; `keep` asks the worker to wait for another task instead of
 * exiting; `gated`: before each timed phase the worker asks for the device's turn ('turn') and waits for
 * the parent's 'go', and says 'turn-end' after it (another process prepares meanwhile; gate.ts).
 */
export type WorkerTask = (
  | { kind: 'measure'; source: ModelSource; device: DeviceProfile; metrics: Metric[]; seed: number; gated?: boolean }
  | { kind: 'probe'; runtime: DeviceProfile['runtime']; ep: string; threads: DeviceProfile['threads'] }
) & { seq?: number; keep?: boolean };

/**
 * The worker's last stderr line for a task (`<TASK_END> <seq>`): onnxruntime logs node placements on
 * stderr, so a warm worker's parent needs to know where one task's lines end and the next one's begin.
 */
export const TASK_END = '[lts-task-end]';

export interface ProbeResult {
  ok: boolean;
  error?: string;
  ms: number;
  version: string;
}

/** What the parent sends a worker besides tasks: its turn on the device has come. */
export type WorkerSignal = { kind: 'go' };

export type WorkerReply =
  | { kind: 'phase'; phase: string }
  | { kind: 'turn' }
  | { kind: 'turn-end' }
  | { kind: 'measured'; result: Measurement }
  | { kind: 'probed'; result: ProbeResult };
