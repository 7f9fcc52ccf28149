// Every error the command line can meet is one `lts: error: ...` line and a non-zero exit: commander's
// own (mistyped flag, bad choice) as much as ours.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const MAIN = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'dist', 'src', 'cli', 'main.js');
const dir = mkdtempSync(join(tmpdir(), 'lts-main-'));
const config = join(dir, 'tiny.json');
writeFileSync(config, JSON.stringify({ family: 'gpt2', n_layer: 1, d_model: 16, d_inner: [32], n_head: [2], div_val: 0, d_embed: 16, vocab_size: 64, cutoffs: [], n_positions: 16 }));

function lts(...args: string[]): { status: number | null; stderr: string } {
  const r = spawnSync(process.execPath, [MAIN, ...args], { encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, stderr: r.stderr };
}

describe('lts errors', () => {
  it.each([
    ['a mistyped flag', ['search', '--iteration', '3'], /^lts: error: unknown option '--iteration' \(Did you mean --iterations\?\) \(run with --help for usage\)$/],
    ['an unknown command', ['serach'], /^lts: error: unknown command 'serach'/],
    ['a value outside the choices', ['search', '--family', 'bert'], /^lts: error: option '--family <family>' argument 'bert' is invalid/],
    ['a repeated metric', ['profile', '--config', config, '--metric', 'latency,latency'], /^lts: error: --metric lists 'latency' twice: latency,latency$/],
    ['a bad count', ['search', '--population', 'ten'], /^lts: error: --population must be an integer >= 1, got 'ten'$/],
    ['an export into a missing directory', ['export', '--config', config, '-o', join(dir, 'missing', 'm.onnx')], /^lts: error: cannot write .*m\.onnx: directory .*missing does not exist$/],
  ])('%s: one lts: error line, exit 1', (_what, args, why) => {
    const r = lts(...args);
    expect(r.status).toBe(1);
    // One line in all: the error, with its pointer to --help on the same line.
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    const errors = r.stderr.split('\n').filter((l) => l.startsWith('lts: error:'));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(why);
    expect(r.stderr).not.toMatch(/^error:/m);
    expect(r.stderr).not.toMatch(/unexpected|\n\s+at /);
  });

  it('an export into an existing directory still works', () => {
    const r = lts('export', '--config', config, '--seq', '8', '-o', join(dir, 'm.onnx'));
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/^wrote m\.onnx/);
  });
});
