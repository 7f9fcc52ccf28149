// Candidate ids and keys survive the move of the families into src/families/ (issue 9): known ids
// (README's example among them) and the ids the seeded space draws, computed before the move; and a
// run directory written before the move (fixtures/run-before-9: `lts search --family all --population 6
// --iterations 1 --seed 7` on tiny shapes) resumes without measuring anything again.
import { spawnSync } from 'node:child_process';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { paramBreakdown } from '../../src/proxy/index.js';
import { candidateId, getSpace, parseConfig, Rng, type Family } from '../../src/space/index.js';
import { tmp } from '../search/helpers.js';

const ROOT = join(import.meta.dirname, '..', '..');
const FIXTURE = join(import.meta.dirname, 'fixtures', 'run-before-9');

describe('candidate ids are unchanged', () => {
  const known: [string, Record<string, unknown>, string, number, number][] = [
    ['README example', { family: 'gpt2', n_layer: 6, d_model: 192, d_inner: [2048, 4032, 1728, 3584, 1536, 1472], n_head: [8, 8, 2, 8, 4, 4], div_val: 4, d_embed: 192, vocab_size: 50257, cutoffs: [19997, 39997], n_positions: 1024 }, 'gpt2-693e5683b1', 6439488, 11694531],
    ['transfo-xl, family defaults', { family: 'transfo-xl', n_layer: 4, d_model: 256, d_inner: [1024, 768, 1024, 512], n_head: [4, 8, 4, 2] }, 'transfo-xl-e378c082cf', 3025152, 12676418],
    ['transfo-xl, wt103-like', { family: 'transfo-xl', n_layer: 16, d_model: 410, d_inner: 2100, n_head: 10, div_val: 4 }, 'transfo-xl-f3df3ddcc8', 41079520, 56384416],
    ['primer conv only', { family: 'primer', n_layer: 3, d_model: 128, d_inner: 512, n_head: [2, 4, 8], primer_conv: true }, 'primer-e90462b5df', 598528, 7162496],
  ];
  for (const [what, json, id, decoder, total] of known) {
    it(what, () => {
      const cfg = parseConfig(json);
      expect(candidateId(cfg)).toBe(id);
      const b = paramBreakdown(cfg);
      expect([b.decoder, b.total]).toEqual([decoder, total]);
    });
  }

  it('the seeded space draws, mutates and crosses over to the same candidates', () => {
    const drawn: Record<Family, string[]> = {
      gpt2: ['gpt2-360498cc9f', 'gpt2-89bd534ce5', 'gpt2-303e6da483', 'gpt2-67d6002948'],
      'transfo-xl': ['transfo-xl-8bbd14cde6', 'transfo-xl-60a12fe56f', 'transfo-xl-8ec1e7fe01', 'transfo-xl-4aeed98977'],
      primer: ['primer-38bf1bbc07', 'primer-376c1b9144', 'primer-9418d0b94b', 'primer-3a4f49d5b7'],
    };
    for (const [family, ids] of Object.entries(drawn) as [Family, string[]][]) {
      const sp = getSpace(family);
      const rng = new Rng(42);
      const a = sp.sample(rng);
      const b = sp.sample(rng);
      const m = sp.mutate(a, rng);
      const c = sp.crossover(a, b, rng);
      expect([a, b, m, c].map(candidateId), family).toEqual(ids);
    }
  });
});

describe('a run directory written before the families moved', () => {
  const lines = readFileSync(join(FIXTURE, 'candidates.jsonl'), 'utf8').trim().split('\n');
  const ids = lines.map((l) => (JSON.parse(l) as { id: string }).id);
  const resume = (dir: string) =>
    spawnSync(process.execPath, [join(ROOT, 'dist', 'src', 'cli', 'main.js'), 'search', '--resume', dir, '--no-report'], { encoding: 'utf8', timeout: 120_000 });

  it('resumes with every record recognised: nothing measured again, the same frontier', () => {
    const dir = join(tmp(), 'run');
    cpSync(FIXTURE, dir, { recursive: true });
    const r = resume(dir);
    expect(r.status, r.stderr).toBe(0);
    expect(readFileSync(join(dir, 'candidates.jsonl'), 'utf8').trim().split('\n')).toEqual(lines);
    const before = JSON.parse(readFileSync(join(FIXTURE, 'pareto.json'), 'utf8'));
    const after = JSON.parse(readFileSync(join(dir, 'pareto.json'), 'utf8'));
    expect(after.frontier.map((p: { id: string; key: string }) => [p.id, p.key])).toEqual(before.frontier.map((p: { id: string; key: string }) => [p.id, p.key]));
  });

  it('measures the children an interruption lost and finds them under the same ids', () => {
    const dir = join(tmp(), 'run');
    cpSync(FIXTURE, dir, { recursive: true });
    // The last generation's two children were never written (as after kill -9 in their measurement).
    writeFileSync(join(dir, 'candidates.jsonl'), lines.slice(0, 6).join('\n') + '\n');
    const r = resume(dir);
    expect(r.status, r.stderr).toBe(0);
    const after = readFileSync(join(dir, 'candidates.jsonl'), 'utf8').trim().split('\n');
    expect(after.slice(0, 6)).toEqual(lines.slice(0, 6));
    expect(after.map((l) => (JSON.parse(l) as { id: string }).id).sort()).toEqual([...ids].sort());
  });
});
