// Exact parameter counts of a Brainformer candidate, and the three sizes its proxy can use:
//   total      every decoder parameter, all experts (what a deployment holds in memory)
//   activated  what one token uses: attention, dense FFNs, each MoE's router and its top-k experts
//   effective  the dense-equivalent size from Clark et al. 2022's routed scaling law (dense-equivalent.ts),
//              N = activated params routed over E = stored / activated expert params
// Per sub-layer (d = d_model, a = heads * floor(d / heads), f = width, E experts, k = top-k):
//   attn = 2d (LayerNorm) + 3da + 3a (q|k|v) + ad + d (output projection)
//   ffn  = 2d + df + f + fd + d
//   moe  = 2d + dE (router, no bias) + E (df + f + fd + d)        activated: k experts instead of E
// decoder = stack x sum(block) + 2d (final LayerNorm); embedding = vocab x d (tied to the output) + n_positions x d.
import { type BrainformerConfig, type Sublayer } from './config.js';
import { denseEquivalent } from './dense-equivalent.js';

export interface BrainformerParams {
  /** Attention projections and biases. */
  attention: number;
  /** Dense FFN weights and biases. */
  ffn: number;
  /** Every expert's weights and biases plus the routers. */
  moe: number;
  /** Sub-layer LayerNorms plus the final one. */
  layernorm: number;
  /** Token embedding (tied to the output layer) and learned positions. */
  embedding: number;
  /** attention + ffn + moe + layernorm. */
  decoder: number;
  /** decoder + embedding. */
  total: number;
  /** Decoder params one token uses: MoE sub-layers count their router and top_k experts only. */
  activated: number;
  /** Expert expansion: expert params stored / expert params activated, over all MoE sub-layers (E / top_k for one; 1 without any). */
  experts: number;
  /** Dense-equivalent decoder size of `activated` params routed over `experts` (Clark et al. 2022, S-BASE). */
  effective: number;
}

const expertParams = (d: number, f: number): number => d * f + f + f * d + d;

function sublayerParams(s: Sublayer, d: number): { attention: number; ffn: number; moe: number; activatedMoe: number } {
  const zero = { attention: 0, ffn: 0, moe: 0, activatedMoe: 0 };
  if (s.kind === 'attn') {
    const a = s.n_head * Math.floor(d / s.n_head);
    return { ...zero, attention: 3 * d * a + 3 * a + a * d + d };
  }
  if (s.kind === 'ffn') return { ...zero, ffn: expertParams(d, s.d_inner) };
  const router = d * s.experts;
  const one = expertParams(d, s.d_inner);
  return { ...zero, moe: router + s.experts * one, activatedMoe: router + s.top_k * one };
}

export function brainformerParams(cfg: BrainformerConfig): BrainformerParams {
  const d = cfg.d_model;
  let attention = 0;
  let ffn = 0;
  let moe = 0;
  let activatedMoe = 0;
  // The expansion Clark et al.'s E stands for: expert params stored over expert params one token uses
  // (E / k for one MoE sub-layer; top-1 routing, as in their fits, gives E itself).
  let expertWeight = 0;
  let expertSum = 0;
  for (const s of cfg.layout) {
    const p = sublayerParams(s, d);
    attention += p.attention;
    ffn += p.ffn;
    moe += p.moe;
    activatedMoe += p.activatedMoe;
    if (s.kind === 'moe') {
      expertWeight += s.top_k * expertParams(d, s.d_inner);
      expertSum += s.experts * expertParams(d, s.d_inner);
    }
  }
  const n = cfg.stack;
  const layernorm = n * cfg.layout.length * 2 * d + 2 * d;
  const decoder = n * (attention + ffn + moe) + layernorm;
  const activated = n * (attention + ffn + activatedMoe) + layernorm;
  const embedding = cfg.vocab_size * d + cfg.n_positions * d;
  const experts = expertWeight > 0 ? expertSum / expertWeight : 1;
  return {
    attention: n * attention, ffn: n * ffn, moe: n * moe, layernorm, embedding, decoder,
    total: decoder + embedding, activated, experts, effective: denseEquivalent(activated, experts),
  };
}
