// `lts agent` as a process: refuses to start without a token; prints its bound URL as a JSON line.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ROOT, startChildAgent, tinyDevice, tmp, TOKEN, type ChildAgent } from './helpers.js';

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

  it.each([
    ['a TLS certificate that is not PEM', (f: string) => ['--tls-cert', f, '--tls-key', f], /--tls-cert .* and --tls-key .* are not a PEM certificate and its private key \(no start line\)/],
    ['a host name that does not resolve', () => ['--host', 'no-such-host.invalid'], /--host no-such-host.invalid: no such host name here/],
  ])('%s is one error line and exit 1, no stack', (_what, args, why) => {
    const bad = join(tmp(), 'not.pem');
    writeFileSync(bad, 'not a certificate\n');
    const r = spawnSync(process.execPath, [join(ROOT, 'dist', 'src', 'cli', 'main.js'), 'agent', '--port', '0', ...args(bad)], {
      env: { ...process.env, LTS_AGENT_TOKEN: TOKEN },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(r.status).toBe(1);
    const errors = r.stderr.split('\n').filter((l) => l.startsWith('lts: error:'));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(why);
    expect(r.stderr).not.toMatch(/unexpected|\n\s+at /);
  });

  it('starts on loopback with an ephemeral port and answers health with the token', async () => {
    const a = await startChildAgent(tinyDevice());
    running.push(a);
    expect(a.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const h = (await (await fetch(`${a.url}/v1/health`, { headers: { authorization: `Bearer ${TOKEN}` } })).json()) as { ok: boolean; device: string };
    expect(h).toMatchObject({ ok: true, device: 'cpu-tiny' });
  });
});
