// A Brainformer candidate (Zhou et al. 2023, reference §9): one block, a sequence of sub-layers each an
// attention, a dense feed-forward or a sparsely gated mixture-of-experts feed-forward, stacked `stack`
// times (each copy with its own weights). Pre-LN residual sub-layers, a tied token embedding with
// learned positions (as GPT-2) and a final LayerNorm. Token-choice top-k routing with a softmax router
// and normalized routing weights; expert-choice routing is left out: ONNX Runtime has no kernel for it.
import { LtsError } from '../../util/errors.js';

/** gelu: tanh-approximated GELU (GPT-2's). relu2: squared ReLU (Primer's). */
export type Activation = 'gelu' | 'relu2';
export const ACTIVATIONS: readonly Activation[] = ['gelu', 'relu2'];

export interface AttnSublayer {
  kind: 'attn';
  n_head: number;
}
export interface FfnSublayer {
  kind: 'ffn';
  d_inner: number;
  act: Activation;
}
export interface MoeSublayer {
  kind: 'moe';
  experts: number;
  top_k: number;
  /** Width of each expert's FFN. */
  d_inner: number;
  act: Activation;
}
export type Sublayer = AttnSublayer | FfnSublayer | MoeSublayer;
export type SublayerKind = Sublayer['kind'];
export const SUBLAYER_KINDS: readonly SublayerKind[] = ['attn', 'ffn', 'moe'];

export interface BrainformerConfig {
  family: 'brainformer';
  d_model: number;
  /** The block: 3..8 sub-layers in order, at least one attention and one feed-forward (dense or MoE). */
  layout: Sublayer[];
  /** How many times the block is repeated. */
  stack: number;
  vocab_size: number;
  n_positions: number;
}

export const LAYOUT_MIN = 3;
export const LAYOUT_MAX = 8;

/** The model's sub-layers in forward order: the block repeated `stack` times. */
export function sublayers(cfg: BrainformerConfig): Sublayer[] {
  return Array.from({ length: cfg.stack }, () => cfg.layout).flat();
}

const posInt = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 1;

/** null when the config is structurally valid (bounds aside), else a message naming the rule. */
export function checkStructure(cfg: BrainformerConfig): string | null {
  if (!posInt(cfg.d_model)) return `d_model must be a positive integer, got ${JSON.stringify(cfg.d_model)}`;
  if (!posInt(cfg.stack)) return `stack must be a positive integer, got ${JSON.stringify(cfg.stack)}`;
  if (!posInt(cfg.vocab_size)) return `vocab_size must be a positive integer, got ${JSON.stringify(cfg.vocab_size)}`;
  if (!posInt(cfg.n_positions)) return `n_positions must be a positive integer, got ${JSON.stringify(cfg.n_positions)}`;
  if (!Array.isArray(cfg.layout)) return 'layout must be a list of sub-layers';
  const n = cfg.layout.length;
  if (n < LAYOUT_MIN || n > LAYOUT_MAX) return `layout must hold ${LAYOUT_MIN}..${LAYOUT_MAX} sub-layers, got ${n}`;
  for (const [i, s] of cfg.layout.entries()) {
    const bad = checkSublayer(s, cfg.d_model);
    if (bad) return `layout[${i}]: ${bad}`;
  }
  if (!cfg.layout.some((s) => s.kind === 'attn')) return 'layout needs at least one attn sub-layer';
  if (!cfg.layout.some((s) => s.kind !== 'attn')) return 'layout needs at least one ffn or moe sub-layer';
  return null;
}

function checkSublayer(s: Sublayer, d: number): string | null {
  if (s === null || typeof s !== 'object') return 'must be an object';
  switch (s.kind) {
    case 'attn':
      if (!posInt(s.n_head)) return `n_head must be a positive integer, got ${JSON.stringify(s.n_head)}`;
      if (d % s.n_head !== 0) return `n_head ${s.n_head} must divide d_model ${d}`;
      return null;
    case 'moe':
      if (!posInt(s.experts) || s.experts < 2) return `experts must be an integer >= 2, got ${JSON.stringify(s.experts)}`;
      if (!posInt(s.top_k) || s.top_k > s.experts) return `top_k must be an integer in 1..experts, got ${JSON.stringify(s.top_k)}`;
      return checkFfn(s); // an expert is a feed-forward
    case 'ffn':
      return checkFfn(s);
    default:
      return `kind must be one of ${SUBLAYER_KINDS.join(', ')}, got ${JSON.stringify((s as { kind: unknown }).kind)}`;
  }
}

function checkFfn(s: FfnSublayer | MoeSublayer): string | null {
  if (!posInt(s.d_inner)) return `d_inner must be a positive integer, got ${JSON.stringify(s.d_inner)}`;
  if (!ACTIVATIONS.includes(s.act)) return `act must be one of ${ACTIVATIONS.join(', ')}, got ${JSON.stringify(s.act)}`;
  return null;
}

/** Throws LtsError naming the rule when the config is not structurally valid. */
export function assertStructure(cfg: BrainformerConfig): void {
  const bad = checkStructure(cfg);
  if (bad) throw new LtsError(`brainformer: ${bad}`);
}

/** The config as it is identified: fixed field order per sub-layer, nothing else. */
export function canonicalBrainformer(cfg: BrainformerConfig): BrainformerConfig {
  return {
    family: 'brainformer',
    d_model: cfg.d_model,
    layout: cfg.layout.map((s): Sublayer => {
      if (s.kind === 'attn') return { kind: 'attn', n_head: s.n_head };
      if (s.kind === 'ffn') return { kind: 'ffn', d_inner: s.d_inner, act: s.act };
      return { kind: 'moe', experts: s.experts, top_k: s.top_k, d_inner: s.d_inner, act: s.act };
    }),
    stack: cfg.stack,
    vocab_size: cfg.vocab_size,
    n_positions: cfg.n_positions,
  };
}

/** One line per block for people: `attn8 moe16x1/1024 ffn2048` (x top-k / width; `^2` marks squared ReLU). */
export function describeLayout(cfg: BrainformerConfig): string {
  const sq = (a: Activation) => (a === 'relu2' ? '^2' : '');
  const parts = cfg.layout.map((s) => {
    if (s.kind === 'attn') return `attn${s.n_head}`;
    if (s.kind === 'ffn') return `ffn${s.d_inner}${sq(s.act)}`;
    return `moe${s.experts}x${s.top_k}/${s.d_inner}${sq(s.act)}`;
  });
  return `[${parts.join(' ')}] x${cfg.stack}`;
}
