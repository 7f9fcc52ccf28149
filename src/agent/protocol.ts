// The wire format between `lts search` (client) and `lts agent` (server). Plain JSON; no weights ever
// travel: the agent rebuilds the graph from the config, so a request stays a few kilobytes.
import type { ShapeSettings } from '../space/types.js';
import type { GraphForm } from '../export/types.js';
import type { Fingerprint, Measurement, MeasureProtocol, Metric } from '../profile/types.js';
import { METRICS } from '../profile/types.js';

/** Bumped on any incompatible change to the request or answer shape. Both sides check it. */
export const PROTOCOL_VERSION = 1;

/** Largest accepted request body. A config is well under 4 KB; this leaves room without inviting abuse. */
export const MAX_BODY_BYTES = 64 * 1024;

/** Body of `POST /v1/measure`. `config` is validated by the agent with the search space's own rules. */
export interface MeasureRequest {
  protocol_version: number;
  config: unknown;
  metrics: Metric[];
  seed: number;
  /** Override the agent profile's settings so the agent measures what the search asked for. */
  shapes?: Partial<ShapeSettings>;
  protocol?: Partial<MeasureProtocol>;
  graph?: GraphForm;
  /** May only tighten the agent's own limits (the device owner's limits always hold). */
  limits?: { memoryMb?: number; timeoutS?: number };
  /**
   * What the search believes it is measuring on. The agent refuses (409) when its own profile runs a
   * different runtime, providers or threads, so an agent started with the wrong --device cannot
   * silently hand back CPU numbers to a search that asked for CUDA.
   */
  target?: TargetCheck;
}

export interface TargetCheck {
  runtime?: string;
  executionProviders?: string[];
  threads?: { intraOp: number; interOp: number };
}

export interface MeasureResponse {
  protocol_version: number;
  measurement: Measurement;
  fingerprint: Fingerprint;
}

export interface HealthResponse {
  ok: true;
  version: string;
  protocol_version: number;
  device: string;
  /** Requests waiting plus the one being measured. */
  queue_depth: number;
  queue_max: number;
  busy: boolean;
  measured: number;
  uptime_s: number;
}

/** Every non-200 answer carries one line saying why. */
export interface ErrorResponse {
  error: string;
  protocol_version: number;
}

export function versionMismatch(client: unknown, agent: number = PROTOCOL_VERSION): string {
  return `protocol version mismatch: client speaks ${JSON.stringify(client)}, agent speaks ${agent}; run the same lts version on both sides`;
}

// Upper bounds on request-supplied settings: a token holder is trusted, but a typo should not
// make the device try to allocate a batch of a billion sequences.
const SHAPE_MAX: Record<keyof ShapeSettings, number> = { batch: 1024, seq: 65536, mem_len: 65536, context: 65536 };
const PROTOCOL_KEYS: (keyof MeasureProtocol)[] = ['warmupMin', 'warmupMax', 'minRuns', 'maxRuns', 'maxSeconds', 'targetRelCi'];

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function checkKeys(obj: Record<string, unknown>, allowed: readonly string[], where: string): void {
  for (const k of Object.keys(obj)) {
    if (!allowed.includes(k)) throw new Error(`${where}: unknown field '${k}'`);
  }
}

/**
 * Checks everything in a measure request except the config (left to the search space) and the
 * protocol version (checked first, separately, so a mismatch gets its own status). Returns the
 * reason it is malformed, or null.
 */
export function checkMeasureRequest(body: unknown): string | null {
  try {
    if (!isPlainObject(body)) throw new Error('request body must be a JSON object');
    checkKeys(body, ['protocol_version', 'config', 'metrics', 'seed', 'shapes', 'protocol', 'graph', 'limits', 'target'], 'request');
    if (!isPlainObject(body.config)) throw new Error("'config' must be a JSON object");
    const metrics = body.metrics;
    if (!Array.isArray(metrics) || metrics.length === 0) throw new Error(`'metrics' must be a non-empty list of ${METRICS.join('|')}`);
    for (const m of metrics) {
      if (!METRICS.includes(m as Metric)) throw new Error(`'metrics': unknown metric ${JSON.stringify(m)} (expected ${METRICS.join('|')})`);
    }
    if (!Number.isSafeInteger(body.seed)) throw new Error("'seed' must be an integer");
    if (body.shapes !== undefined) {
      if (!isPlainObject(body.shapes)) throw new Error("'shapes' must be an object");
      checkKeys(body.shapes, Object.keys(SHAPE_MAX), 'shapes');
      for (const [k, v] of Object.entries(body.shapes)) {
        const max = SHAPE_MAX[k as keyof ShapeSettings];
        const min = k === 'batch' || k === 'seq' ? 1 : 0;
        if (!Number.isInteger(v) || (v as number) < min || (v as number) > max) {
          throw new Error(`'shapes.${k}' must be an integer in [${min}, ${max}]`);
        }
      }
    }
    if (body.protocol !== undefined) {
      if (!isPlainObject(body.protocol)) throw new Error("'protocol' must be an object");
      checkKeys(body.protocol, PROTOCOL_KEYS, 'protocol');
      for (const [k, v] of Object.entries(body.protocol)) {
        if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new Error(`'protocol.${k}' must be a non-negative number`);
      }
    }
    if (body.graph !== undefined && body.graph !== 'ort' && body.graph !== 'standard') {
      throw new Error("'graph' must be 'ort' or 'standard'");
    }
    if (body.limits !== undefined) {
      if (!isPlainObject(body.limits)) throw new Error("'limits' must be an object");
      checkKeys(body.limits, ['memoryMb', 'timeoutS'], 'limits');
      for (const [k, v] of Object.entries(body.limits)) {
        if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) throw new Error(`'limits.${k}' must be a positive number`);
      }
    }
    if (body.target !== undefined) {
      const t = body.target;
      if (!isPlainObject(t)) throw new Error("'target' must be an object");
      checkKeys(t, ['runtime', 'executionProviders', 'threads'], 'target');
      if (t.runtime !== undefined && typeof t.runtime !== 'string') throw new Error("'target.runtime' must be a string");
      if (t.executionProviders !== undefined && !(Array.isArray(t.executionProviders) && t.executionProviders.every((e) => typeof e === 'string'))) {
        throw new Error("'target.executionProviders' must be a list of strings");
      }
      if (t.threads !== undefined && !(isPlainObject(t.threads) && Number.isInteger(t.threads.intraOp) && Number.isInteger(t.threads.interOp))) {
        throw new Error("'target.threads' must be {intraOp, interOp} integers");
      }
    }
    return null;
  } catch (e) {
    return (e as Error).message;
  }
}

/** Why the agent's device differs from what the search expects, or null when they agree. */
export function targetMismatch(agent: { name: string; runtime: string; executionProviders: string[]; threads: { intraOp: number; interOp: number } }, want: TargetCheck | undefined): string | null {
  if (want === undefined) return null;
  const diffs: string[] = [];
  if (want.runtime !== undefined && want.runtime !== agent.runtime) diffs.push(`runtime ${agent.runtime} (search wants ${want.runtime})`);
  if (want.executionProviders !== undefined && want.executionProviders.join(',') !== agent.executionProviders.join(',')) {
    diffs.push(`providers [${agent.executionProviders.join(', ')}] (search wants [${want.executionProviders.join(', ')}])`);
  }
  if (want.threads !== undefined && (want.threads.intraOp !== agent.threads.intraOp || want.threads.interOp !== agent.threads.interOp)) {
    diffs.push(`threads ${agent.threads.intraOp}/${agent.threads.interOp} (search wants ${want.threads.intraOp}/${want.threads.interOp})`);
  }
  if (diffs.length === 0) return null;
  return `agent measures with device profile '${agent.name}': ${diffs.join(', ')}; start the agent with the same --device as the search`;
}
