// `lts agent` as a process: refuses to start without a token; prints its bound URL as a JSON line.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ROOT, startChildAgent, tinyDevice, TOKEN, type ChildAgent } from './helpers.js';

const running: ChildAgent[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((a) => a.stop()));
});

describe('lts agent command', () => {
  it('refuses to start without a token, naming where to put one', () => {
    const env = { ...process.env };
    delete env.LTS_AGENT_TOKEN;
    const r = spawnSync(process.execPath, [join(ROOT, 'test', 'agent', 'run-agent.mjs'), '--port', '0'], { env, encoding: 'utf8', timeout: 60_000 });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/needs a token: set LTS_AGENT_TOKEN or pass --token-file/);
    expect(r.stdout).not.toMatch(/listening/);
  });

  it('starts on loopback with an ephemeral port and answers health with the token', async () => {
    const a = await startChildAgent(tinyDevice());
    running.push(a);
    expect(a.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const h = (await (await fetch(`${a.url}/v1/health`, { headers: { authorization: `Bearer ${TOKEN}` } })).json()) as { ok: boolean; device: string };
    expect(h).toMatchObject({ ok: true, device: 'cpu-tiny' });
  });
});
