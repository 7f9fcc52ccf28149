// Seeded PRNG so a search is reproducible from its --seed: sfc32 state filled by splitmix32.

function splitmix32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number) {
    if (!Number.isFinite(seed)) throw new RangeError(`Rng seed must be a finite number, got ${seed}`);
    // Fold the high bits in so seeds above 2^32 still differ.
    const sm = splitmix32((Math.trunc(seed) ^ Math.trunc(seed / 2 ** 32)) >>> 0);
    this.a = sm();
    this.b = sm();
    this.c = sm();
    this.d = sm();
    for (let i = 0; i < 12; i++) this.nextUint32();
  }

  nextUint32(): number {
    const t = (((this.a + this.b) >>> 0) + this.d) >>> 0;
    this.d = (this.d + 1) >>> 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) >>> 0;
    this.c = ((this.c << 21) | (this.c >>> 11)) >>> 0;
    this.c = (this.c + t) >>> 0;
    return t;
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.nextUint32() / 4294967296;
  }

  /** Uniform integer in [lo, hiInclusive]. */
  int(lo: number, hiInclusive: number): number {
    if (!Number.isInteger(lo) || !Number.isInteger(hiInclusive) || hiInclusive < lo) {
      throw new RangeError(`Rng.int: bad range [${lo}, ${hiInclusive}]`);
    }
    return lo + Math.floor(this.next() * (hiInclusive - lo + 1));
  }

  choice<T>(arr: readonly T[]): T {
    if (arr.length === 0) throw new RangeError('Rng.choice: empty array');
    return arr[Math.floor(this.next() * arr.length)]!;
  }

  /** True with probability p. */
  bool(p = 0.5): boolean {
    return this.next() < p;
  }

  /** Index drawn with probability proportional to weights[i] (non-negative, not all zero). */
  weightedIndex(weights: readonly number[]): number {
    let sum = 0;
    for (const w of weights) {
      if (!(w >= 0) || !Number.isFinite(w)) throw new RangeError(`Rng.weightedIndex: bad weight ${w}`);
      sum += w;
    }
    if (sum <= 0) throw new RangeError('Rng.weightedIndex: weights sum to zero');
    let r = this.next() * sum;
    for (let i = 0; i < weights.length; i++) {
      r -= weights[i]!;
      if (r < 0) return i;
    }
    // Floating-point leftovers: the last positive weight.
    for (let i = weights.length - 1; i >= 0; i--) if (weights[i]! > 0) return i;
    return weights.length - 1;
  }

  /** Fisher-Yates, in place. */
  shuffle<T>(arr: T[]): T[] {
    for (let i = arr.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      [arr[i], arr[j]] = [arr[j]!, arr[i]!];
    }
    return arr;
  }
}
