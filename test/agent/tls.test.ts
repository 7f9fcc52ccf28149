// HTTPS agent with a self-signed certificate: trusted through the profile's agents.caFile, refused
// (with the fix named) without it. Verification is never switched off.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgentError, agentEvaluators } from '../../src/agent/client.js';
import { startAgent, type RunningAgent } from '../../src/agent/server.js';
import { tinyConfig, tinyDevice, tmp, TOKEN } from './helpers.js';
import type { ArchConfig } from '../../src/space/types.js';

let hasOpenssl = true;
try {
  execFileSync('openssl', ['version'], { stdio: 'ignore' });
} catch {
  hasOpenssl = false;
}

let agent: RunningAgent;
let certFile: string;

beforeAll(async () => {
  if (!hasOpenssl) return;
  const dir = tmp('lts-agent-tls-');
  certFile = join(dir, 'cert.pem');
  const keyFile = join(dir, 'key.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', keyFile, '-out', certFile], { stdio: 'ignore' });
  agent = await startAgent({ device: tinyDevice(), token: TOKEN, port: 0, tls: { cert: readFileSync(certFile), key: readFileSync(keyFile) } });
});
afterAll(async () => {
  await agent?.close();
});

describe.skipIf(!hasOpenssl)('agent over TLS', () => {
  it('measures over https when the profile names the CA', async () => {
    expect(agent.url).toMatch(/^https:\/\/127\.0\.0\.1:/);
    const dev = tinyDevice({ agents: { urls: [agent.url], tokenEnv: 'T', caFile: certFile } });
    const [ev] = agentEvaluators(dev, { env: { T: TOKEN }, retries: 0 });
    const m = await ev!.evaluate(tinyConfig() as unknown as ArchConfig, { metrics: ['latency'], seed: 1 });
    expect(m.ok).toBe(true);
    expect((await ev!.fingerprint()).cores).toBeGreaterThan(0);
    await ev!.close?.();
  });

  it('refuses an unverifiable certificate at once, saying how to trust it', async () => {
    const dev = tinyDevice({ agents: { urls: [agent.url], tokenEnv: 'T' } });
    const [ev] = agentEvaluators(dev, { env: { T: TOKEN }, retries: 3, backoffMs: 5 });
    const err = await ev!.evaluate(tinyConfig() as unknown as ArchConfig, { metrics: ['latency'], seed: 1 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AgentError);
    expect((err as Error).message).toMatch(/TLS verification failed.*agents\.caFile/);
    await ev!.close?.();
  });
});
