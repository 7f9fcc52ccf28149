// Deterministic, GPT-2-scale weights: each tensor is a pure function of (seed, name, initializer), so
// the same candidate exports byte-identical models and tied weights need no bookkeeping. Export sits on
// the search's hot path: one allocation per tensor, a fast inline PRNG and polar Box-Muller, no copies.
import type { GraphBuilder } from './graph.js';

/**
 * `normal`: matrices and embeddings, N(0, 0.02). `ln_scale`: LayerNorm gain, 1 + N(0, 0.02).
 * `ln_shift` and `bias`: small non-zero N(0, 0.01) so that tests exercise them. `conv`: Primer's
 * depthwise taps, N(0, 0.2) around an identity tap on the current token (a near-pass-through filter).
 */
export type InitKind = 'normal' | 'ln_scale' | 'ln_shift' | 'bias' | 'conv';

const STD: Record<InitKind, number> = { normal: 0.02, ln_scale: 0.02, ln_shift: 0.01, bias: 0.01, conv: 0.2 };
// Smallest normal float32; anything below is flushed to zero (denormals slow some CPUs by 100x).
const FLT_MIN = 1.1754943508222875e-38;

/** FNV-1a over the name, mixed with the seed: a 32-bit stream id per tensor. */
function streamSeed(seed: number, name: string): number {
  let h = 0x811c9dc5 ^ (Math.trunc(seed) >>> 0) ^ Math.trunc(seed / 2 ** 32);
  for (let i = 0; i < name.length; i++) {
    h ^= name.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/**
 * Fills `out` with N(mean, std) from a sfc32 stream seeded by (seed, name). `scale` multiplies the
 * standard deviation (tests use larger weights so numerical mistakes show above float noise).
 */
export function initWeight(seed: number, name: string, kind: InitKind, size: number, scale = 1): Float32Array {
  const out = new Float32Array(size);
  const std = STD[kind] * scale;
  const mean = kind === 'ln_scale' ? 1 : 0;
  // sfc32 state from splitmix-style mixing of the stream id.
  let s = streamSeed(seed, name);
  const mix = (): number => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
  let a = mix();
  let b = mix();
  let c = mix();
  let d = mix() | 1;
  // Signed 32-bit draw -> [-1, 1).
  const INV_2_31 = 1 / 2147483648;
  let i = 0;
  while (i < size) {
    // Marsaglia's polar form of Box-Muller: no trigonometry, one log and one sqrt per pair; sfc32
    // inlined (a closure call per draw costs ~2x here).
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
    if (r2 >= 1 || r2 === 0) continue;
    const m = std * Math.sqrt((-2 * Math.log(r2)) / r2);
    let v0 = mean + x * m;
    if (v0 < FLT_MIN && v0 > -FLT_MIN) v0 = 0;
    out[i++] = v0;
    if (i < size) {
      let v1 = mean + y * m;
      if (v1 < FLT_MIN && v1 > -FLT_MIN) v1 = 0;
      out[i++] = v1;
    }
  }
  if (kind === 'conv') {
    // Depthwise taps stored [channels, 1, 3] in cross-correlation order: the last tap meets the current token.
    for (let i = 2; i < size; i += 3) out[i] = out[i]! + 1;
  }
  return out;
}

/** Adds named weights to a graph, each generated once (a second request for a tied name reuses it). */
export class WeightSource {
  constructor(
    readonly g: GraphBuilder,
    readonly seed: number,
    readonly scale = 1,
  ) {}

  get(name: string, dims: number[], kind: InitKind): string {
    if (this.g.hasWeight(name)) return name;
    const size = dims.reduce((x, y) => x * y, 1);
    return this.g.weight(name, dims, initWeight(this.seed, name, kind, size, this.scale));
  }
}
