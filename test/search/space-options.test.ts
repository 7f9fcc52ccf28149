import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildSettings, searchCommand, spaceOverrides, type SearchCommandOptions } from '../../src/cli/search.js';
import { searchSpaces } from '../../src/search/spaces.js';
import { Rng } from '../../src/space/index.js';
import { LtsError } from '../../src/util/errors.js';
import { device, parseArgs } from './helpers.js';

const opts = (...args: string[]) => parseArgs<SearchCommandOptions>(searchCommand(), args);
const base = opts();

function spaceFile(json: unknown): string {
  const path = join(mkdtempSync(join(tmpdir(), 'lts-space-')), 'space.json');
  writeFileSync(path, typeof json === 'string' ? json : JSON.stringify(json));
  return path;
}

describe('search-space options', () => {
  it('records no overrides when none are given', () => {
    expect(buildSettings(base, device).space).toBeUndefined();
  });

  it('takes gene choices and vocabulary from flags into the settings', () => {
    const s = buildSettings(opts('--div-val', '0', '--vocab-size', '32000', '--cutoffs', '8000,16000'), device);
    expect(s.space).toEqual({ div_val: [0], vocab_size: 32000, cutoffs: [8000, 16000] });
  });

  it('samples only what the overrides allow, per family', () => {
    const file = spaceFile({ n_layer: [2, 3], d_model: [128], primer: { primer_square: [true], primer_conv: [true] }, gpt2: { div_val: [0] } });
    const overrides = spaceOverrides({ ...base, family: 'all', space: file });
    const spaces = searchSpaces(['gpt2', 'primer'], { min: 0, max: 1e9 }, overrides);
    const rng = new Rng(3);
    for (let i = 0; i < 20; i++) {
      const g = spaces.space('gpt2').sample(rng);
      expect(g.d_model).toBe(128);
      expect([2, 3]).toContain(g.n_layer);
      expect(g.div_val).toBe(0);
      const p = spaces.space('primer').sample(rng);
      expect(p.primer_square && p.primer_conv).toBe(true);
      expect(p.div_val).not.toBe(0);
    }
  });

  it('--primer ez fixes both Primer switches; flags win over the file', () => {
    const file = spaceFile({ div_val: [1, 2] });
    expect(spaceOverrides(opts('--primer', 'ez', '--space', file, '--div-val', '4'))).toEqual({
      div_val: [4],
      primer: { primer_square: [true], primer_conv: [true] },
    });
  });

  it('rejects bad space files with one line naming the key', () => {
    expect(() => spaceOverrides({ ...base, space: '/nonexistent/space.json' })).toThrow(/cannot read --space/);
    expect(() => spaceOverrides({ ...base, space: spaceFile('{oops') })).toThrow(/not valid JSON/);
    // V8 quotes short inputs in its message, newline and all; the error stays one line.
    expect(() => spaceOverrides({ ...base, space: spaceFile('nope\n') })).toThrow(/^[^\n]*not valid JSON[^\n]*$/);
    expect(() => spaceOverrides({ ...base, space: spaceFile({ n_heads: [2] }) })).toThrow(/\.n_heads: unknown search-space option/);
    expect(() => spaceOverrides({ ...base, space: spaceFile({ gpt2: { d_model: [] } }) })).toThrow(/\.gpt2\.d_model: expected a non-empty list/);
    expect(() => spaceOverrides({ ...base, space: spaceFile({ bounds: { min: 1 } }) })).toThrow(/--param-min/);
    // Cutoffs are a setting, not a list of choices: empty (no adaptive clusters) is one, as with --cutoffs ''.
    expect(spaceOverrides({ ...base, space: spaceFile({ cutoffs: [] }) }).cutoffs).toEqual([]);
    expect(() => spaceOverrides({ ...base, space: spaceFile({ cutoffs: [-1] }) })).toThrow(/\.cutoffs: expected a list of non-negative integers, got \[-1\]/);
    expect(() => opts('--div-val', '1,x')).toThrow(LtsError);
    expect(() => spaceOverrides({ ...base, primer: 'both' })).toThrow(/--primer must be one of/);
    expect(() => opts('--primer', 'both')).toThrow(/argument 'both' is invalid/);
  });
});
