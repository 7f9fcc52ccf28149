// The position-wise feed-forward block in both graph forms: fc -> activation -> proj, returned before
// proj's bias (a residual + LayerNorm that follows may fuse it).
import type { GraphForm } from '../types.js';
import type { GraphBuilder } from '../graph.js';

/** gelu_tanh (GPT-2's gelu_new), relu (Transformer-XL) or relu(x)^2 (Primer). */
export type Activation = 'gelu_tanh' | 'relu' | 'relu_squared';

/** gelu_tanh(x) = 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))), written out for the standard form. */
export function geluTanh(g: GraphBuilder, x: string): string {
  const x3 = g.node('Pow', [x, g.constF32([3], [])]); // HF's torch export pattern, which ORT fuses to FastGelu
  const inner = g.node('Mul', [g.node('Add', [x, g.node('Mul', [x3, g.constF32([0.044715], [])])]), g.constF32([0.7978845608], [])]);
  const t = g.node('Add', [g.node('Tanh', [inner]), g.constF32([1], [])]);
  return g.node('Mul', [g.node('Mul', [x, g.constF32([0.5], [])]), t]);
}

/** act(fc + bias) for fc [B, S, f]; the ort form's FastGelu takes the bias itself. */
export function activation(g: GraphBuilder, fc: string, bias: string, act: Activation, form: GraphForm): string {
  if (act === 'gelu_tanh') return form === 'ort' ? g.ms('FastGelu', [fc, bias]) : geluTanh(g, g.node('Add', [fc, bias]));
  const r = g.node('Relu', [g.node('Add', [fc, bias])]);
  return act === 'relu' ? r : g.node('Mul', [r, r]); // relu(x)^2
}

export interface FfnWeights {
  /** x -> x @ W for the first and second linear map (the family knows its weight layout). */
  fc: (x: string) => string;
  fcBias: string;
  proj: (x: string) => string;
}

/** h [B, S, d] -> proj(act(fc(h))) [B, S, d], before proj's bias. */
export function feedForward(g: GraphBuilder, h: string, w: FfnWeights, act: Activation, form: GraphForm): string {
  const fc = w.fc(h); // [B, S, f]
  return w.proj(activation(g, fc, w.fcBias, act, form)); // [B, S, d]
}
