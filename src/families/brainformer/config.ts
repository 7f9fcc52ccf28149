// A Brainformer candidate (Zhou et al. 2023, reference §9): one block, a sequence of sub-layers each an
// attention, a dense feed-forward or a sparsely gated mixture-of-experts feed-forward, stacked `stack`
// times (each copy with its own weights). Pre-LN residual sub-layers, a tied token embedding with
// learned positions (as GPT-2) and a final LayerNorm. Token-choice top-k routing with a softmax router
// and normalized routing weights; expert-choice routing is left out: ONNX Runtime has no kernel for it.
import { LtsError } from '../../util/errors.js';
import type { Violation } from '../types.js';

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

/** The first broken structural rule (bounds aside), or null. */
export function structureViolation(cfg: BrainformerConfig): Violation | null {
  const v = (rule: string, field: string, detail: string): Violation => ({ rule, field, detail });
  for (const k of ['d_model', 'stack', 'vocab_size', 'n_positions'] as const) {
    if (!posInt(cfg[k])) return v('positive-integer', k, `must be a positive integer, got ${JSON.stringify(cfg[k])}`);
  }
  if (!Array.isArray(cfg.layout)) return v('layout-list', 'layout', 'must be a list of sub-layers');
  const n = cfg.layout.length;
  if (n < LAYOUT_MIN || n > LAYOUT_MAX) return v('layout-length', 'layout', `must hold ${LAYOUT_MIN}..${LAYOUT_MAX} sub-layers, got ${n}`);
  for (const [i, s] of cfg.layout.entries()) {
    const bad = sublayerViolation(s, cfg.d_model);
    if (bad) return { ...bad, field: `layout[${i}]${bad.field}` };
  }
  if (!cfg.layout.some((s) => s.kind === 'attn')) return v('layout-needs-attn', 'layout', 'needs at least one attn sub-layer');
  if (!cfg.layout.some((s) => s.kind !== 'attn')) return v('layout-needs-ffn', 'layout', 'needs at least one ffn or moe sub-layer');
  return null;
}

/** Why a sub-layer cannot be built at width d ('<field>: <what is wrong>'), or null. */
export function sublayerProblem(s: Sublayer, d: number): string | null {
  const bad = sublayerViolation(s, d);
  return bad ? `${bad.field || 'sub-layer'}: ${bad.detail}` : null;
}

function sublayerViolation(s: Sublayer, d: number): Violation | null {
  const v = (rule: string, field: string, detail: string): Violation => ({ rule, field, detail });
  if (s === null || typeof s !== 'object') return v('sublayer-object', '', 'must be an object');
  switch (s.kind) {
    case 'attn':
      if (!posInt(s.n_head)) return v('positive-integer', '.n_head', `must be a positive integer, got ${JSON.stringify(s.n_head)}`);
      if (d % s.n_head !== 0) return v('heads-divide-d_model', '.n_head', `${s.n_head} does not divide d_model ${d}`);
      return null;
    case 'moe':
      if (!posInt(s.experts) || s.experts < 2) return v('experts', '.experts', `must be an integer >= 2, got ${JSON.stringify(s.experts)}`);
      if (!posInt(s.top_k) || s.top_k > s.experts) return v('top_k', '.top_k', `must be an integer in 1..experts (${s.experts}), got ${JSON.stringify(s.top_k)}`);
      return ffnViolation(s); // an expert is a feed-forward
    case 'ffn':
      return ffnViolation(s);
    default:
      return v('kind', '.kind', `must be one of ${SUBLAYER_KINDS.join(', ')}, got ${JSON.stringify((s as { kind: unknown }).kind)}`);
  }
}

function ffnViolation(s: FfnSublayer | MoeSublayer): Violation | null {
  if (!posInt(s.d_inner)) return { rule: 'positive-integer', field: '.d_inner', detail: `must be a positive integer, got ${JSON.stringify(s.d_inner)}` };
  if (!ACTIVATIONS.includes(s.act)) return { rule: 'act', field: '.act', detail: `must be one of ${ACTIVATIONS.join(', ')}, got ${JSON.stringify(s.act)}` };
  return null;
}

/** `<rule>: <field>: <what is wrong>` for the first broken structural rule, or null. */
export function checkStructure(cfg: BrainformerConfig): string | null {
  const bad = structureViolation(cfg);
  return bad && `${bad.rule}: ${bad.field}: ${bad.detail}`;
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
