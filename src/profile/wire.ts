// Messages between measureCandidate (parent) and worker.ts (the fresh child process).
import type { ArchConfig } from '../space/types.js';
import type { DeviceProfile, Measurement, Metric } from './types.js';

/** What to measure: a candidate config (built by the exporter in the child) or the tiny probe model. */
export type ModelSource = { kind: 'config'; cfg: ArchConfig } | { kind: 'tiny'; width: number };

/** `seq` numbers a task within its process; `keep` asks the worker to wait for another task instead of exiting. */
export type WorkerTask = (
  | { kind: 'measure'; source: ModelSource; device: DeviceProfile; metrics: Metric[]; seed: number }
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

export type WorkerReply =
  | { kind: 'phase'; phase: string }
  | { kind: 'measured'; result: Measurement }
  | { kind: 'probed'; result: ProbeResult };

/** First line of an error, without the C++ source location ORT prefixes to it. */
export function oneLine(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  let line = msg.split('\n').find((l) => l.trim() !== '') ?? msg;
  line = line.replace(/\x1b\[[0-9;]*m/g, '').trim();
  const cut = line.match(/(?:was false\.|\] ?:? ?\d* ?: ?[A-Z_]+ ?:)\s*(.+)$/);
  if (cut?.[1]) line = cut[1];
  return line.length > 300 ? line.slice(0, 297) + '...' : line;
}
