import type { TensorSpec } from '../export/types.js';
import { Rng } from '../util/rng.js';

export type InputData = { name: string; type: 'int64' | 'float32'; dims: number[]; data: BigInt64Array | Float32Array };

/**
 * Deterministic feeds for a model's inputs: int64 token ids uniform in [0, vocab) from the seed; float32
 * inputs (past keys/values, memories, conv state) small values in [-0.1, 0.1) so activations stay ordinary.
 */
export function makeInputs(specs: TensorSpec[], vocab: number, seed: number): InputData[] {
  const rng = new Rng(seed ^ 0x5eed);
  const rnd = (): number => rng.next();
  return specs.map((s) => {
    const n = s.dims.reduce((a, d) => a * d, 1);
    if (s.type === 'int64') {
      const data = new BigInt64Array(n);
      for (let i = 0; i < n; i++) data[i] = BigInt(Math.floor(rnd() * vocab));
      return { ...s, data };
    }
    const data = new Float32Array(n);
    for (let i = 0; i < n; i++) data[i] = (rnd() - 0.5) * 0.2;
    return { ...s, data };
  });
}
