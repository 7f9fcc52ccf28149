import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { removeStaleTemps, writeFileAtomic } from '../../src/util/atomic.js';

describe('atomic writes', () => {
  it('replaces the file and leaves no temp file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lts-atomic-'));
    const p = join(dir, 'pareto.json');
    writeFileAtomic(p, 'one');
    writeFileAtomic(p, 'two');
    expect(readFileSync(p, 'utf8')).toBe('two');
    expect(readdirSync(dir)).toEqual(['pareto.json']);
  });

  it('removes temp files left by a killed writer, not those of a live one or other files', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lts-atomic-'));
    const p = join(dir, 'pareto.json');
    const dead = spawnSync(process.execPath, ['-e', '']).pid;
    const stale = `.pareto.json.${dead}.1700000000000.tmp`;
    const live = `.pareto.json.${process.pid}.1700000000001.tmp`;
    const others = ['.report.html.1.2.tmp', 'pareto.json', `.pareto.json.${dead}.x.tmp`];
    for (const n of [stale, live, ...others]) writeFileSync(join(dir, n), '{"half":');
    expect(removeStaleTemps(p)).toEqual([stale]);
    expect(existsSync(join(dir, stale))).toBe(false);
    expect(readdirSync(dir).sort()).toEqual([live, ...others].sort());
  });
});
