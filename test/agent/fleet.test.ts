// A fleet tried on one machine: `lts search --agents URL,URL` with the token from a file or the
// environment, against two `lts agent` processes on loopback, as the README's two-minute trial does.
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CandidateRecord, ParetoFile } from '../../src/search/types.js';
import { ROOT, startChildAgent, tinyDevice, TINY_SPACE, tmp, TOKEN, type ChildAgent } from './helpers.js';

const agents: ChildAgent[] = [];
let dir: string;
let devFile: string;
let spaceFile: string;

beforeAll(async () => {
  agents.push(...(await Promise.all([startChildAgent(tinyDevice()), startChildAgent(tinyDevice())])));
  dir = tmp('lts-fleet-');
  devFile = join(dir, 'cpu-tiny.json');
  writeFileSync(devFile, JSON.stringify(tinyDevice()));
  spaceFile = join(dir, 'space.json');
  // An empty cutoffs list is given on the command line (--cutoffs '').
  writeFileSync(spaceFile, JSON.stringify({ ...TINY_SPACE, cutoffs: undefined }));
}, 60_000);
afterAll(async () => {
  await Promise.all(agents.map((a) => a.stop()));
});

function lts(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [join(ROOT, 'dist', 'src', 'cli', 'main.js'), ...args], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    p.stderr.on('data', (c) => (stderr += c));
    p.on('exit', (code) => resolve({ code, stderr }));
  });
}

const searchArgs = (out: string) => [
  'search', '--device', devFile, '--agents', agents.map((a) => a.url).join(','), '--space', spaceFile, '--cutoffs', '', '--param-min', '0', '--param-max', '1M',
  '--iterations', '1', '--population', '4', '--parents', '2', '--mutations', '2', '--crossovers', '2', '--out', out, '--no-report',
];

describe('lts search --agents on one machine', () => {
  it('measures through both loopback agents with the token from --token-file', async () => {
    const tokenFile = join(dir, 'token');
    writeFileSync(tokenFile, TOKEN + '\n');
    chmodSync(tokenFile, 0o600);
    const env = { ...process.env };
    delete env.LTS_AGENT_TOKEN;
    const out = join(dir, 'run-file');
    const r = await lts([...searchArgs(out), '--token-file', tokenFile], env);
    expect(r.stderr).not.toMatch(/lts: error/);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/on cpu-tiny \(cpu via 2 agent\(s\), ort graph\)/);
    const p = JSON.parse(readFileSync(join(out, 'pareto.json'), 'utf8')) as ParetoFile;
    expect(p.counts).toMatchObject({ stopped_by: 'iterations', failed: 0 });
    expect(p.device.agents?.urls).toEqual(agents.map((a) => a.url));
    const recs = readFileSync(join(out, 'candidates.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as CandidateRecord);
    expect(new Set(recs.map((r) => r.evaluator))).toEqual(new Set(agents.map((a) => `agent ${a.url}`)));
  }, 120_000);

  it('with a wrong token from LTS_AGENT_TOKEN: one error line naming the token, and no run directory left', async () => {
    const out = join(dir, 'runs', 'wrong-token');
    const r = await lts(searchArgs(out), { ...process.env, LTS_AGENT_TOKEN: 'wrong-token-0123456789abcdef' });
    expect(r.code).toBe(1);
    const errors = r.stderr.split('\n').filter((l) => l.startsWith('lts: error:'));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/no evaluator answered: .*401.*check LTS_AGENT_TOKEN/);
    expect(existsSync(out)).toBe(false);
  }, 60_000);
});
