// Deterministic, GPT-2-scale weights: each tensor is a pure function of (seed, name, initializer), so
// the same candidate exports byte-identical models and tied weights need no bookkeeping. Export sits on
// the search's hot path: one allocation per tensor, no per-value allocation, no copies.
import type { GraphBuilder } from './graph.js';

/**
 * `normal`: matrices and embeddings, N(0, 0.02). `ln_scale`: LayerNorm gain, 1 + N(0, 0.02).
 * `ln_shift` and `bias`: small non-zero N(0, 0.01) so that tests exercise them. `conv`: Primer's
 * depthwise taps, N(0, 0.2) around an identity tap on the current token (a near-pass-through filter).
 */
export type InitKind = 'normal' | 'ln_scale' | 'ln_shift' | 'bias' | 'conv';

const STD: Record<InitKind, number> = { normal: 0.02, ln_scale: 0.02, ln_shift: 0.01, bias: 0.01, conv: 0.2 };
const MEAN: Record<InitKind, number> = { normal: 0, ln_scale: 1, ln_shift: 0, bias: 0, conv: 0 };

/** FNV-1a over the name, mixed with the seed: a 32-bit stream id per tensor. */
function streamSeed(seed: number, name: string): number {
  let h = 0x811c9dc5 ^ (Math.trunc(seed) >>> 0) ^ Math.trunc(seed / 2 ** 32);
  for (let i = 0; i < name.length; i++) {
    h ^= name.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

// Standard normals drawn once per process (polar Box-Muller over sfc32, fixed seed). A tensor is filled
// from chunks of this pool at offsets and signs drawn from its own (seed, name) stream: one PRNG draw
// per CHUNK values and a multiply-add per value, ~10x faster than a Box-Muller per value, which
// matters because every measured candidate is exported (a 50257 x 768 table in well under a second).
// The values are exactly N(mean, std) marginally; chunks may repeat pool stretches, which no latency
// or memory measurement can see.
const POOL_BITS = 20;
const POOL = 1 << POOL_BITS;
const CHUNK = 1024;
let pool: Float32Array | null = null;

function normalPool(): Float32Array {
  if (pool) return pool;
  const out = new Float32Array(POOL + CHUNK);
  let [a, b, c, d] = sfc32Seeds(0x5eed);
  const INV_2_31 = 1 / 2147483648;
  let i = 0;
  while (i < out.length) {
    let t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    const x = t * INV_2_31;
    t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    const y = t * INV_2_31;
    const r2 = x * x + y * y;
    if (r2 >= 1 || r2 === 0) continue; // polar method: keep points inside the unit disc
    const m = Math.sqrt((-2 * Math.log(r2)) / r2);
    // Flush tiny values so that std * v can never be denormal.
    const v0 = x * m;
    out[i++] = Math.abs(v0) < 1e-20 ? 0 : v0;
    const v1 = y * m;
    if (i < out.length) out[i++] = Math.abs(v1) < 1e-20 ? 0 : v1;
  }
  pool = out;
  return out;
}

/** sfc32 state from splitmix32 mixing of a 32-bit stream id. */
function sfc32Seeds(id: number): [number, number, number, number] {
  let s = id >>> 0;
  const mix = (): number => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) | 0;
  };
  const st: [number, number, number, number] = [mix(), mix(), mix(), mix() | 1];
  return st;
}

/**
 * Copies of the pool already mapped to `mean + k * v` (k = +-std), each value rounded to float32 exactly
 * as the per-value loop rounds it, so that a large tensor is filled by block copies (about 3x faster)
 * with byte-identical results. Each copy is 4 MB (an export typically makes two, for +-0.02): a cache
 * lives for one export (WeightSource holds it), not for the process, so the copies are garbage by the time
 * the profile worker reads its inference memory.
 */
export class ScaledPools {
  private readonly pools = new Map<string, Float32Array>();

  get(mean: number, k: number): Float32Array {
    const key = `${mean}:${k}`;
    let p = this.pools.get(key);
    if (!p) {
      const src = normalPool();
      p = new Float32Array(src.length);
      for (let j = 0; j < src.length; j++) p[j] = mean + k * src[j]!;
      this.pools.set(key, p);
    }
    return p;
  }
}

// Below this size a tensor is filled value by value: a scaled copy of the pool costs about 1M multiply-adds.
const SCALED_MIN = POOL / 4;

/**
 * N(mean, std) values for one tensor, a pure function of (seed, name, kind, size). `scale` multiplies
 * the standard deviation (tests use larger weights so numerical mistakes show above float noise).
 * `pools` only makes large tensors faster to fill; the values are the same with or without it.
 */
export function initWeight(seed: number, name: string, kind: InitKind, size: number, scale = 1, pools?: ScaledPools): Float32Array {
  const src = normalPool();
  const out = new Float32Array(size);
  const std = STD[kind] * scale;
  const mean = MEAN[kind];
  const scaled = pools && size >= SCALED_MIN ? pools : undefined;
  let [a, b, c, d] = sfc32Seeds(streamSeed(seed, name));
  for (let i = 0; i < size; i += CHUNK) {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    const off = t >>> (32 - POOL_BITS); // any start in [0, POOL): the pool has CHUNK spare values
    const k = t & 1 ? std : -std; // a random sign doubles the distinct chunks
    const n = Math.min(CHUNK, size - i);
    if (scaled) out.set(scaled.get(mean, k).subarray(off, off + n), i);
    else for (let j = 0; j < n; j++) out[i + j] = mean + k * src[off + j]!;
  }
  if (kind === 'conv') {
    // Depthwise taps stored [channels, 1, 3] in cross-correlation order: the last tap meets the current token.
    for (let i = 2; i < size; i += 3) out[i] = out[i]! + 1;
  }
  return out;
}

/** Adds named weights to a graph, each generated once (a second request for a tied name reuses it). */
export class WeightSource {
  // Lives as long as one export: released with the WeightSource.
  private readonly pools = new ScaledPools();

  constructor(
    readonly g: GraphBuilder,
    readonly seed: number,
    readonly scale = 1,
  ) {}

  get(name: string, dims: number[], kind: InitKind): string {
    if (this.g.hasWeight(name)) return name;
    return this.g.weight(name, dims, this.values(name, dims, kind));
  }

  /** The values `get` would add under this name, without adding them (a graph may add views of them instead). */
  values(name: string, dims: number[], kind: InitKind): Float32Array {
    const size = dims.reduce((x, y) => x * y, 1);
    return initWeight(this.seed, name, kind, size, this.scale, this.pools);
  }
}
