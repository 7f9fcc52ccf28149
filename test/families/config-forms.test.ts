// Every file `lts report` writes to configs/<id>.json (the Hugging Face form and lts's per-layer form)
// is accepted by every --config and gives back the candidate it was written from (issue 14 item 1);
// a config missing required fields names all of them at once (item 2).
import { spawnSync } from 'node:child_process';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decoderParams, totalParams } from '../../src/proxy/index.js';
import { trainingConfig } from '../../src/report/index.js';
import type { FrontierPoint, SearchSettings } from '../../src/search/types.js';
import { candidateId, candidateKey, canonical, loadConfigFile, parseConfig, type ArchConfig } from '../../src/space/index.js';
import { LtsError } from '../../src/util/errors.js';
import { tmp } from '../search/helpers.js';

const ROOT = join(import.meta.dirname, '..', '..');
const base = { n_layer: 3, d_model: 128, d_inner: [512, 512, 512], n_head: [4, 4, 4], d_embed: 128, n_positions: 1024 };
const CASES: [string, ArchConfig, string][] = [
  ['gpt2, uniform, tied', { family: 'gpt2', ...base, div_val: 0, vocab_size: 50257, cutoffs: [] }, 'hf-gpt2'],
  ['gpt2, per-layer heads', { family: 'gpt2', ...base, n_head: [2, 4, 8], div_val: 0, vocab_size: 50257, cutoffs: [] }, 'per-layer'],
  ['gpt2, adaptive', { family: 'gpt2', ...base, div_val: 2, vocab_size: 50257, cutoffs: [19997, 39997] }, 'per-layer'],
  ['transfo-xl, uniform, adaptive', { family: 'transfo-xl', ...base, div_val: 4, vocab_size: 267735, cutoffs: [19997, 39997, 199997] }, 'hf-transfo-xl'],
  ['transfo-xl, uniform, tied (div_val 0)', { family: 'transfo-xl', ...base, div_val: 0, vocab_size: 267735, cutoffs: [] }, 'hf-transfo-xl'],
  ['transfo-xl, per-layer widths', { family: 'transfo-xl', ...base, d_inner: [512, 256, 384], div_val: 1, vocab_size: 267735, cutoffs: [19997] }, 'per-layer'],
  ['primer-ez', { family: 'primer', ...base, div_val: 0, vocab_size: 50257, cutoffs: [], primer_square: true, primer_conv: true }, 'per-layer'],
  ['primer conv only, adaptive', { family: 'primer', ...base, div_val: 1, d_embed: 64, vocab_size: 50257, cutoffs: [19997], primer_square: false, primer_conv: true }, 'per-layer'],
];
const settings = { shapes: { batch: 1, seq: 192, mem_len: 192, context: 192 } } as SearchSettings;

function point(cfg: ArchConfig): FrontierPoint {
  const c = canonical(cfg);
  return {
    id: candidateId(c), key: candidateKey(c), family: c.family, config: c, iteration: 0,
    decoder_params: decoderParams(c), total_params: totalParams(c), predicted_ppl: 40, timing: { export_ms: 1, session_ms: 1, measure_ms: 1, total_ms: 3 },
  };
}

describe('configs/<id>.json read back', () => {
  const dir = tmp('lts-forms-');
  for (const [what, cfg, kind] of CASES) {
    it(`${what}: ${kind} form gives the same id and decoder params`, () => {
      const p = point(cfg);
      const tc = trainingConfig(p, settings);
      expect(tc.lts.kind).toBe(kind);
      const file = join(dir, `${p.id}.json`);
      writeFileSync(file, JSON.stringify(tc, null, 2));
      const back = loadConfigFile(file);
      expect(candidateId(back)).toBe(p.id);
      expect(decoderParams(back)).toBe(p.decoder_params);
      expect(totalParams(back)).toBe(p.total_params);
    });
  }

  it('the files a search wrote before this change read back under their names', () => {
    const configs = join(import.meta.dirname, 'fixtures', 'run-before-9', 'configs');
    const files = readdirSync(configs);
    expect(files.length).toBeGreaterThan(0);
    for (const f of files) expect(candidateId(loadConfigFile(join(configs, f)))).toBe(f.replace(/\.json$/, ''));
  });

  it('lts params, export and profile take them (--config)', () => {
    const cli = (...args: string[]) => spawnSync(process.execPath, [join(ROOT, 'dist', 'src', 'cli', 'main.js'), ...args], { encoding: 'utf8', timeout: 120_000 });
    // One file of each form (the loader is the same for every case above).
    for (const [, cfg] of [CASES[0]!, CASES[4]!, CASES[6]!]) {
      const p = point(cfg);
      const file = join(dir, `${p.id}.json`);
      writeFileSync(file, JSON.stringify(trainingConfig(p, settings)));
      const r = cli('params', '--config', file, '--json');
      expect(r.status, r.stderr).toBe(0);
      const out = JSON.parse(r.stdout) as { id: string; decoder_params: number };
      expect([out.id, out.decoder_params]).toEqual([p.id, p.decoder_params]);
    }
    // export and profile read --config through the same loader; one real run of each on a small file.
    const small = point({ family: 'transfo-xl', n_layer: 2, d_model: 32, d_inner: [64, 64], n_head: [2, 2], d_embed: 32, n_positions: 1024, div_val: 0, vocab_size: 100, cutoffs: [] });
    const file = join(dir, 'small.json');
    writeFileSync(file, JSON.stringify(trainingConfig(small, settings)));
    const e = cli('export', '--config', file, '-o', join(dir, 'small.onnx'), '--seq', '4', '--mem-len', '4', '--json');
    expect(e.status, e.stderr).toBe(0);
    expect(JSON.parse(e.stdout).id).toBe(small.id);
    const pr = cli('profile', '--config', file, '--device', 'cpu', '--metric', 'memory');
    expect(pr.status, pr.stderr).toBe(0);
    expect(JSON.parse(pr.stdout).ok).toBe(true);
    expect(pr.stderr).toContain(`lts profile ${small.id}: `);
  });
});

describe('missing fields', () => {
  it('a config without the required fields names every one of them', () => {
    for (const family of ['gpt2', 'transfo-xl', 'primer']) {
      let err: unknown;
      try {
        parseConfig({ family });
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(LtsError);
      expect((err as Error).message).toBe('config.n_layer: missing; config.d_model: missing; config.n_head: missing');
    }
    expect(() => parseConfig({ family: 'primer', n_layer: 2, d_model: 128 })).toThrow(/^config\.n_head: missing$/);
  });
});
