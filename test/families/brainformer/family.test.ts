import AjvModule from 'ajv';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { brainformerFamily as BRAINFORMER, type BrainformerConfig } from '../../../src/families/brainformer/index.js';
import type { LtsBlockOf } from '../../../src/families/types.js';
import { candidateId } from '../../../src/space/index.js';

const Ajv = ((AjvModule as unknown as { default?: unknown }).default ?? AjvModule) as typeof AjvModule.default;
const schema = JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', '..', 'schemas', 'training-config.schema.json'), 'utf8'));
const validate = new Ajv({ strict: false, allErrors: true }).compile(schema);

const cfg: BrainformerConfig = {
  family: 'brainformer', d_model: 256, stack: 2, vocab_size: 50257, n_positions: 1024, layout: [
    { kind: 'attn', n_head: 4 },
    { kind: 'moe', experts: 8, top_k: 2, d_inner: 512, act: 'gelu' },
    { kind: 'ffn', d_inner: 1024, act: 'relu2' },
  ],
};
const SHAPES = { batch: 1, seq: 192, mem_len: 192, context: 192 };
const lts: LtsBlockOf = (kind, extra) => ({ kind, schema: 'schemas/training-config.schema.json', id: 'brainformer-0', key: '{}', family: 'brainformer', decoder_params: 1, total_params: 2, ...extra });

describe('the brainformer family definition', () => {
  it('writes a per-layer training config that the schema accepts and parseConfig reads back', () => {
    const tc = BRAINFORMER.trainingConfig(cfg, SHAPES, lts);
    expect(validate(tc), JSON.stringify(validate.errors)).toBe(true);
    expect(tc.n_layer).toBe(6);
    expect((tc.layers as { kind: string }[]).map((l) => l.kind)).toEqual(['attn', 'moe', 'ffn', 'attn', 'moe', 'ffn']);
    expect(BRAINFORMER.parseConfig(JSON.parse(JSON.stringify(tc)), 'config')).toEqual(cfg);
  });

  it('the schema refuses a MoE layer without its routing', () => {
    const tc = BRAINFORMER.trainingConfig(cfg, SHAPES, lts);
    delete (tc.layers as Record<string, unknown>[])[1]!.routing;
    expect(validate(tc)).toBe(false);
  });

  it('parseConfig fills defaults and names the broken rule', () => {
    expect(BRAINFORMER.parseConfig({ d_model: 128, layout: [{ kind: 'attn', n_head: 2 }, { kind: 'moe', experts: 4, d_inner: 256 }, { kind: 'ffn', d_inner: 256 }] }, 'config'))
      .toEqual({ family: 'brainformer', d_model: 128, stack: 1, vocab_size: 50257, n_positions: 1024, layout: [
        { kind: 'attn', n_head: 2 }, { kind: 'moe', experts: 4, top_k: 2, d_inner: 256, act: 'gelu' }, { kind: 'ffn', d_inner: 256, act: 'gelu' }] });
    expect(() => BRAINFORMER.parseConfig({ layout: [] }, 'config')).toThrow(/config.d_model: required/);
    expect(() => BRAINFORMER.parseConfig({ d_model: 128, layout: [{ kind: 'attn', n_head: 3 }, { kind: 'ffn', d_inner: 256 }, { kind: 'ffn', d_inner: 256 }] }, 'config'))
      .toThrow('config.layout[0].n_head: 3 does not divide d_model 128');
    expect(() => BRAINFORMER.parseConfig({ d_model: 128, layout: [{ kind: 'ffn', d_inner: 256 }, { kind: 'ffn', d_inner: 256 }, { kind: 'ffn', d_inner: 256 }] }, 'config'))
      .toThrow(/needs at least one attn/);
    expect(() => BRAINFORMER.parseConfig({ d_model: 128, layout: [{ kind: 'conv' }] }, 'config')).toThrow(/kind: must be attn, ffn or moe/);
  });

  it('counts: decoder = attention + ffn + layernorm, extras activated and dense-equivalent', () => {
    const p = BRAINFORMER.paramBreakdown(cfg);
    expect(p.decoder).toBe(p.attention + p.ffn + p.layernorm);
    expect(p.total).toBe(p.decoder + p.embedding + p.output);
    expect(p.extra!.activated).toBeLessThan(p.decoder);
    expect(BRAINFORMER.proxyParams(cfg)).toBe(p.extra!.dense_equivalent);
    expect(BRAINFORMER.proxyParams(cfg, { proxy: 'total' })).toBe(p.decoder);
    expect(BRAINFORMER.proxyParams(cfg, { proxy: 'activated' })).toBe(p.extra!.activated);
  });

  it('findViolation checks the bounds on the chosen proxy', () => {
    const p = BRAINFORMER.paramBreakdown(cfg);
    const bounds = { min: p.extra!.activated + 1, max: 1e9 };
    expect(BRAINFORMER.findViolation(cfg, bounds, { proxy: 'activated' })).toMatchObject({ rule: 'bounds', field: 'activated_params' });
    expect(BRAINFORMER.findViolation(cfg, { min: 0, max: 1e12 }, { max_total_params: 1e6 })).toMatchObject({ rule: 'max-total-params' });
    expect(BRAINFORMER.findViolation(cfg, undefined, { max_total_params: 1e6 })).toMatchObject({ rule: 'max-total-params' });
    expect(BRAINFORMER.findViolation(cfg, bounds, { proxy: 'total' })).toBeNull();
  });

  it('the candidate id is pinned: run directories are keyed by it', () => {
    expect(candidateId(cfg)).toBe('brainformer-bf72d8365f');
    // Key order in the input does not matter; the canonical form fixes it.
    const shuffled = JSON.parse(JSON.stringify({ stack: 2, layout: cfg.layout.map((s) => Object.fromEntries(Object.entries(s).reverse())), n_positions: 1024, vocab_size: 50257, d_model: 256, family: 'brainformer' }));
    expect(candidateId(BRAINFORMER.parseConfig(shuffled, 'config'))).toBe('brainformer-bf72d8365f');
  });

  it('summary lists every sub-layer of the stack', () => {
    const s = BRAINFORMER.summary(cfg);
    expect(s.n_layer).toBe(6);
    expect(s.n_head).toEqual([4, 4]);
    expect(s.d_inner).toEqual([512, 1024, 512, 1024]);
    expect(s.text).toBe('d_model 256, block [attn4 moe8x2/512 ffn1024^2] x2');
  });
});
