// The Brainformer family (Zhou et al. 2023; reference §9) behind the FamilyDefinition interface: a
// searched block of attention, dense FFN and mixture-of-experts sub-layers, stacked.
import { LtsError } from '../../util/errors.js';
import type { ConfigSummary, FamilyDefinition, ParamBreakdown, ParseMode } from '../types.js';
import {
  canonicalBrainformer, describeLayout, structureViolation, sublayerProblem, sublayers, type Activation, type BrainformerConfig, type Sublayer,
} from './config.js';
import { DEFAULT_MAX_TOTAL_PARAMS, defaultBrainformerOptions, makeBrainformerSpace, type BrainformerSpaceOptions } from './genes.js';
import { brainformerCostFeatures } from './cost.js';
import { buildBrainformer, buildSublayer } from './graph.js';
import { brainformerParams } from './params.js';
import { DEFAULT_MOE_PROXY, MOE_PROXIES, MOE_PROXY_SOURCE, proxyParams, type MoeProxy } from './proxy.js';
import { brainformerTrainingConfig } from './training-config.js';

export type { BrainformerConfig } from './config.js';

const DEFAULTS = { stack: 1, vocab_size: 50257, n_positions: 1024 } as const;

/** A config from its JSON: lts's own form, or the per-layer training config this family writes. */
function parseBrainformer(raw: Record<string, unknown>, _mode: ParseMode): BrainformerConfig {
  const nested = (raw.brainformer ?? {}) as Record<string, unknown>;
  const layout = raw.layout ?? nested.layout;
  const missing = [layout === undefined && 'layout', raw.d_model === undefined && 'd_model'].filter(Boolean);
  if (missing.length) throw new LtsError(`config.${missing.join(', config.')}: required for family brainformer`);
  if (!Array.isArray(layout)) throw new LtsError('config.layout: must be a list of sub-layers ({"kind": "attn"|"ffn"|"moe", ...})');
  const num = (v: unknown, field: string): number => {
    const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
    if (typeof n !== 'number' || !Number.isFinite(n)) throw new LtsError(`config.${field}: must be a number, got ${JSON.stringify(v)}`);
    return n;
  };
  const sub = (s: unknown, i: number): Sublayer => {
    if (s === null || typeof s !== 'object') throw new LtsError(`config.layout[${i}]: must be an object`);
    const o = s as Record<string, unknown>;
    const f = (k: string) => num(o[k], `layout[${i}].${k}`);
    const act = (o.act ?? 'gelu') as Activation; // checked with the rest by structureViolation
    if (o.kind === 'attn') return { kind: 'attn', n_head: f('n_head') };
    if (o.kind === 'ffn') return { kind: 'ffn', d_inner: f('d_inner'), act };
    if (o.kind === 'moe') return { kind: 'moe', experts: f('experts'), top_k: o.top_k === undefined ? 2 : f('top_k'), d_inner: f('d_inner'), act };
    throw new LtsError(`config.layout[${i}].kind: must be attn, ffn or moe, got ${JSON.stringify(o.kind)}`);
  };
  const cfg: BrainformerConfig = {
    family: 'brainformer',
    d_model: num(raw.d_model, 'd_model'),
    layout: layout.map(sub),
    stack: num(raw.stack ?? nested.stack ?? DEFAULTS.stack, 'stack'),
    vocab_size: num(raw.vocab_size ?? DEFAULTS.vocab_size, 'vocab_size'),
    n_positions: num((raw.n_positions ?? (raw.positions as { n_positions?: unknown } | undefined)?.n_positions) ?? DEFAULTS.n_positions, 'n_positions'),
  };
  const bad = structureViolation(cfg);
  if (bad) throw new LtsError(`config.${bad.field}: ${bad.detail}`);
  return cfg;
}

function summary(cfg: BrainformerConfig): ConfigSummary {
  const all = sublayers(cfg);
  return {
    n_layer: all.length,
    d_model: cfg.d_model,
    n_head: all.flatMap((s) => (s.kind === 'attn' ? [s.n_head] : [])),
    d_inner: all.flatMap((s) => (s.kind === 'attn' ? [] : [s.d_inner])),
    div_val: 0,
    d_embed: cfg.d_model,
    vocab_size: cfg.vocab_size,
    text: `d_model ${cfg.d_model}, block ${describeLayout(cfg)}`,
  };
}

function breakdown(cfg: BrainformerConfig): ParamBreakdown {
  const p = brainformerParams(cfg);
  return {
    attention: p.attention,
    ffn: p.ffn + p.moe,
    layernorm: p.layernorm,
    embedding: p.embedding,
    output: 0,
    decoder: p.decoder,
    total: p.total,
    extra: { activated: p.activated, dense_equivalent: Math.round(p.effective) },
  };
}

const proxyOf = (space?: Partial<BrainformerSpaceOptions>): MoeProxy => space?.proxy ?? DEFAULT_MOE_PROXY;

export const brainformerFamily: FamilyDefinition<BrainformerConfig, BrainformerSpaceOptions> = {
  name: 'brainformer',
  description: 'Brainformer: a searched block of attention, dense FFN and mixture-of-experts (token-choice top-k) sub-layers, stacked',
  hfModelTypes: [],
  parseConfig: parseBrainformer,
  canonical: canonicalBrainformer,
  findViolation(cfg, bounds, space) {
    const bad = structureViolation(cfg);
    if (bad) return bad;
    // The weights' own bound (the space's setting), so that a 32-expert layout cannot exhaust memory;
    // then the proxy's bounds, when given.
    const p = brainformerParams(cfg);
    const maxTotal = space?.max_total_params ?? DEFAULT_MAX_TOTAL_PARAMS;
    if (p.total > maxTotal) return { rule: 'max-total-params', field: 'total_params', detail: `${p.total} exceed ${maxTotal} (every expert and the embedding)` };
    if (!bounds) return null;
    const proxy = proxyOf(space);
    const v = proxyParams(p, proxy);
    if (v < bounds.min || v > bounds.max) return { rule: 'bounds', field: `${proxy}_params`, detail: `${v} outside ${bounds.min}..${bounds.max}` };
    return null;
  },
  summary,
  defaultSpaceOptions: defaultBrainformerOptions,
  spaceOptionKinds: {
    d_model: 'ints', n_head: 'ints', d_inner: 'ints', experts: 'ints', top_k: 'ints', stack: 'ints',
    act: 'strings', block_len: 'ints', kinds: 'strings', max_total_params: 'number', vocab_size: 'int', n_positions: 'int',
  },
  makeSpace: makeBrainformerSpace,
  paramBreakdown: breakdown,
  proxyParams: (cfg, space) => proxyParams(brainformerParams(cfg), proxyOf(space)),
  proxyChoice: {
    setting: 'moe_proxy',
    choices: MOE_PROXIES,
    default: DEFAULT_MOE_PROXY,
    source: MOE_PROXY_SOURCE,
    help: 'brainformer: the count the search ranks and bounds by: effective (dense-equivalent, Clark et al. 2022), activated (per token) or total (every expert)',
    spaceKey: 'proxy',
  },
  buildGraph: buildBrainformer,
  // A part is one sub-layer ({ kind: 'moe', experts, top_k, d_inner, act }, ...), as in a layout.
  buildPart: (part, d, opts, extras) => {
    const problem = sublayerProblem(part as Sublayer, d);
    if (problem) throw new LtsError(`brainformer part ${problem}`);
    return buildSublayer(part as Sublayer, d, opts, extras);
  },
  trainingConfig: brainformerTrainingConfig,
  calibration: (dataset) => ({
    name: `gpt2-${dataset}`,
    note: `GPT-2's calibration (gpt2-${dataset}) applied to the Brainformer proxy count (--moe-proxy): no trained Brainformer models exist to fit on`,
  }),
  costFeatures: brainformerCostFeatures,
};
