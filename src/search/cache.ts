// Measurement cache: a candidate is never measured twice for the same device and settings.
import { createHash } from 'node:crypto';
import type { DeviceProfile, Metric } from '../profile/types.js';

/** JSON with object keys sorted, so equal settings give equal text whatever their key order. */
export function stableStringify(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableStringify).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o)
      .filter((k) => o[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stableStringify(o[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}

/** Everything about the device and request that changes what a measurement returns. */
export function measurementContext(device: DeviceProfile, metrics: readonly Metric[], seed: number): string {
  const settings = {
    runtime: device.runtime,
    executionProviders: device.executionProviders,
    threads: device.threads,
    graph: device.graph,
    shapes: device.shapes,
    protocol: device.protocol,
    limits: device.limits,
    metrics: [...metrics].sort(),
    seed,
  };
  const hash = createHash('sha256').update(stableStringify(settings)).digest('hex').slice(0, 16);
  return `${device.name}|${hash}`;
}

export class MeasurementCache<V> {
  private map = new Map<string, V>();
  constructor(readonly context: string) {}

  private k(candidateKey: string): string {
    return `${candidateKey}|${this.context}`;
  }
  get(candidateKey: string): V | undefined {
    return this.map.get(this.k(candidateKey));
  }
  has(candidateKey: string): boolean {
    return this.map.has(this.k(candidateKey));
  }
  set(candidateKey: string, v: V): void {
    this.map.set(this.k(candidateKey), v);
  }
  get size(): number {
    return this.map.size;
  }
}
