// The attention core both graph forms share. The families compose their scores (GPT-2's causal
// q k^T / sqrt(hd), Transformer-XL's content + relative-position terms) and hand them here.
import type { GraphBuilder } from '../graph.js';
import { mergeHeads } from './heads.js';

/** `standard` form: softmax over the keys of scores [B, H, S, T], then the values vh [B, H, T, hd] -> [B, S, a]. */
export function softmaxAttend(g: GraphBuilder, scores: string, vh: string, B: number, S: number, a: number): string {
  const probs = g.node('Softmax', [scores], { axis: -1 }); // [B, H, S, T]
  return mergeHeads(g, g.node('MatMul', [probs, vh]), B, S, a); // [B, S, a]
}

export interface MhaInputs {
  /** [B, S, a] queries; [B, T, a] keys and values (T = S, or the memory + S). */
  q: string;
  k: string;
  v: string;
  heads: number;
  /** The q|k|v projection bias [3a], added by the op. */
  bias?: string;
  /** Added to the scaled scores [B, H, S, T] (Transformer-XL: its positional term and mask). */
  attentionBias?: string;
  /** Cached keys and values [B, H, P, hd], prepended by the op. */
  past?: [string, string];
  /** The op's own causal mask. */
  causal?: boolean;
  /** Score scale when not 1/sqrt(hd). */
  scale?: number;
  /** Also return the keys and values it attended to (the next step's cache). */
  present?: boolean;
}

/** `ort` form: com.microsoft MultiHeadAttention. Returns [out [B, S, a]] or [out, presentK, presentV]. */
export function multiHeadAttention(g: GraphBuilder, m: MhaInputs): string[] {
  const inputs = [m.q, m.k, m.v, m.bias ?? '', '', m.attentionBias ?? ''];
  if (m.past) inputs.push(...m.past);
  const attrs = { num_heads: m.heads, ...(m.causal ? { unidirectional: 1 } : {}), ...(m.scale !== undefined ? { scale: { float: m.scale } } : {}) };
  return g.nodeN('MultiHeadAttention', inputs, m.present ? 3 : 1, attrs, 'com.microsoft');
}
