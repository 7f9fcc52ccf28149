// `lts` on the PATH (npm link / npm install -g . link package.json's bin) is the process that owns the
// work, so a signal sent to it is handled: SIGINT stops a search after the running measurement with
// its results written, SIGTERM stops an agent.
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { describe, expect, it, onTestFinished } from 'vitest';
import type { ParetoFile } from '../../src/search/types.js';
import { ROOT, tinyDevice, TINY_SPACE, tmp, TOKEN } from '../agent/helpers.js';

const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { bin: { lts: string } };
const BIN = join(ROOT, pkg.bin.lts);

/** Starts the bin; resolves once a stderr or stdout line matches `ready`. */
function start(args: string[], ready: RegExp, env: NodeJS.ProcessEnv = process.env) {
  const proc = spawn(process.execPath, [BIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  const exited = new Promise<number | string | null>((resolve) => proc.on('exit', (code, signal) => resolve(code ?? signal)));
  const seen = new Promise<void>((resolve) => {
    for (const s of [proc.stdout!, proc.stderr!]) {
      createInterface({ input: s }).on('line', (l) => {
        if (s === proc.stderr) stderr += l + '\n';
        if (ready.test(l)) resolve();
      });
    }
  });
  // A failed assertion must not leave the process running.
  onTestFinished(() => void proc.kill('SIGKILL'));
  return { proc, seen, exited, stderr: () => stderr };
}

describe('signals to the lts bin', () => {
  it('is a node script npm can link as `lts`', () => {
    expect(readFileSync(BIN, 'utf8').split('\n')[0]).toBe('#!/usr/bin/env node');
  });

  it('SIGINT stops a search after the running measurement, writes results and exits 130', async () => {
    const dir = tmp('lts-sigint-');
    const devFile = join(dir, 'dev.json');
    // Each measurement times runs for about a second, so the signal lands in the middle of one.
    writeFileSync(devFile, JSON.stringify(tinyDevice({ protocol: { warmupMin: 1, warmupMax: 1, minRuns: 2, maxRuns: 2_000_000, maxSeconds: 1, targetRelCi: 1e-9 } })));
    const space = join(dir, 'space.json');
    writeFileSync(space, JSON.stringify({ ...TINY_SPACE, cutoffs: undefined }));
    const out = join(dir, 'run');
    const s = start(
      ['search', '--device', devFile, '--space', space, '--cutoffs', '', '--param-min', '0', '--param-max', '1M', '--population', '4', '--iterations', '20', '--out', out, '--no-report'],
      /^lts search:/,
    );
    await s.seen;
    await new Promise((r) => setTimeout(r, 1500));
    s.proc.kill('SIGINT');
    expect(await s.exited).toBe(130);
    expect(s.stderr()).toMatch(/stopping after the current measurement/);
    const p = JSON.parse(readFileSync(join(out, 'pareto.json'), 'utf8')) as ParetoFile;
    expect(p.counts.stopped_by).toBe('interrupt');
  }, 60_000);

  it('SIGTERM stops an agent', async () => {
    const dir = tmp('lts-sigterm-');
    const devFile = join(dir, 'dev.json');
    writeFileSync(devFile, JSON.stringify(tinyDevice()));
    const a = start(['agent', '--device', devFile, '--port', '0'], /"event":"listening"/, { ...process.env, LTS_AGENT_TOKEN: TOKEN });
    await a.seen;
    a.proc.kill('SIGTERM');
    expect(await a.exited).toBe(0);
    expect(a.stderr()).toMatch(/lts agent: stopping/);
  }, 60_000);
});
