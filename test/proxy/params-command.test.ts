// `lts params` is the proxy's command-line face; tested here through its public command module.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { paramsCommand } from '../../src/cli/params.js';
import { LtsError } from '../../src/util/errors.js';

const dir = mkdtempSync(path.join(tmpdir(), 'lts-params-'));
function file(name: string, text: string): string {
  const p = path.join(dir, name);
  writeFileSync(p, text);
  return p;
}

async function run(args: string[]): Promise<string> {
  let out = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out += String(chunk);
    return true;
  });
  try {
    await paramsCommand().exitOverride().parseAsync(args, { from: 'user' });
  } finally {
    spy.mockRestore();
  }
  return out;
}

afterEach(() => vi.restoreAllMocks());

describe('lts params', () => {
  it('prints decoder and total params of HF GPT-2 small', async () => {
    const out = await run(['--config', file('g.json', '{"n_layer": 12, "d_model": 768, "n_head": 12}')]);
    expect(out).toMatch(/decoder\s+85,056,000/);
    expect(out).toMatch(/total\s+124,439,808/);
  });
  it('--json gives the breakdown', async () => {
    const cfg = { family: 'transfo-xl', n_layer: 18, d_model: 1024, n_head: 16, d_inner: 4096, cutoffs: [20000, 40000, 200000] };
    const out = JSON.parse(await run(['--config', file('t.json', JSON.stringify(cfg)), '--json'])) as Record<string, unknown>;
    expect(out.decoder_params).toBe(245_569_536);
    expect(out.total_params).toBe(285_205_322);
    expect(out.id).toMatch(/^transfo-xl-[0-9a-f]{10}$/);
    expect(Object.keys(out.breakdown as object).sort()).toEqual(['attention', 'decoder', 'embedding', 'ffn', 'layernorm', 'output', 'total']);
  });
  const bad: [string, string, RegExp][] = [
    ['invalid.json', '{"n_layer": 2, "d_model": 256, "n_head": [4, 3]}', /config\.n_head\[1\]: 3 does not divide d_model 256/],
    ['broken.json', '{"n_layer": ', /not valid JSON/],
  ];
  for (const [name, text, re] of bad) {
    it(`one-line LtsError for ${name}`, async () => {
      const p = file(name, text);
      await expect(run(['--config', p])).rejects.toThrow(LtsError);
      await expect(run(['--config', p])).rejects.toThrow(re);
    });
  }
  it('one-line LtsError for a missing file', async () => {
    await expect(run(['--config', path.join(dir, 'absent.json')])).rejects.toThrow(/cannot read config .*absent\.json: ENOENT/);
  });
});
