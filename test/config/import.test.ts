import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { importConfig, importNote } from '../../src/config/import.js';
import { paramBreakdown } from '../../src/proxy/index.js';
import { parseConfig } from '../../src/space/parse.js';
import { LtsError } from '../../src/util/errors.js';

const fixture = (name: string): Record<string, unknown> => JSON.parse(readFileSync(join(import.meta.dirname, 'fixtures', `${name}.json`), 'utf8')) as Record<string, unknown>;
const load = (json: unknown) => parseConfig(importConfig(json).raw);

describe('importConfig', () => {
  it.each([
    ['archai-transfo-xl-wt103', 'lts-transfo-xl-wt103', 'archai', 25_208_832],
    ['archai-gpt2', 'lts-gpt2', 'archai', 8_134_848],
    ['hf-gpt2', 'lts-hf-gpt2', 'hf-gpt2', 18_915_328],
    // HF's transfo-xl-wt103: the reference's decoder count (18 x 13,642,752) and HF total.
    ['hf-transfo-xl', 'lts-hf-transfo-xl', 'hf-transfo-xl', 245_569_536],
  ] as const)('%s gives the same params as the lts config %s', (foreign, lts, dialect, decoder) => {
    const imp = importConfig(fixture(foreign));
    expect(imp.dialect).toBe(dialect);
    const a = paramBreakdown(parseConfig(imp.raw));
    const b = paramBreakdown(load(fixture(lts)));
    expect(a).toEqual(b);
    expect(a.decoder).toBe(decoder);
    if (foreign === 'hf-transfo-xl') expect(a.total).toBe(285_205_322);
  });

  it('converts archai cutoffs that end with the vocabulary (the case that used to fail)', () => {
    const cfg = load(fixture('archai-transfo-xl-wt103'));
    expect(cfg).toMatchObject({ family: 'transfo-xl', vocab_size: 267736, cutoffs: [19997, 39997, 199997], d_embed: 512 });
  });

  it('says in one line what it mapped', () => {
    const note = importNote(importConfig(fixture('archai-transfo-xl-wt103')), 'c.json')!;
    expect(note.split('\n')).toHaveLength(1);
    expect(note).toMatch(/^c\.json: read as archai config: .*n_token -> vocab_size.*d_embed -1 -> d_model.*cutoffs .* -> \[19997,39997,199997\].*mem_len/);
    expect(importNote(importConfig(fixture('lts-gpt2')), 'c.json')).toBeNull();
  });

  it('leaves lts configs alone, d_embed -1 included', () => {
    expect(importConfig({ n_layer: 2, d_model: 128, n_head: 2, d_embed: -1 }).dialect).toBe('lts');
    const raw = fixture('lts-gpt2');
    expect(importConfig(raw)).toEqual({ raw, dialect: 'lts', mapped: [], ignored: [] });
  });

  it.each([
    [{ ...fixture('hf-gpt2'), rotary_dim: 64 }, /^config\.rotary_dim: has no meaning/],
    [{ ...fixture('archai-gpt2'), moe_experts: 4 }, /^config\.moe_experts: has no meaning/],
    [{ ...fixture('hf-transfo-xl'), d_head: 32 }, /^config\.d_head: 32 is not d_model \/ n_head \(64\)/],
    [{ ...fixture('archai-transfo-xl-wt103'), pre_lnorm: true }, /^config\.pre_lnorm: true is not supported/],
    [{ ...fixture('hf-transfo-xl'), untie_r: false }, /^config\.untie_r: false is not supported/],
    [{ ...fixture('hf-gpt2'), activation_function: 'relu' }, /^config\.activation_function: "relu" is not supported/],
    [{ ...fixture('archai-gpt2'), model_type: undefined }, /^config\.family: missing/],
  ])('rejects a field lts cannot honour, naming it (%#)', (json, msg) => {
    const j = JSON.parse(JSON.stringify(json)) as unknown;
    expect(() => load(j)).toThrow(LtsError);
    expect(() => load(j)).toThrow(msg);
  });

  it('maps archai Primer switches on a GPT-2 to family primer', () => {
    const cfg = load({ ...fixture('archai-gpt2'), primer_square: true, primer_conv: true });
    expect(cfg).toMatchObject({ family: 'primer', primer_square: true, primer_conv: true });
  });
});
