// The client's transport policy against scripted HTTP endpoints (the measuring agent itself is
// exercised for real in server.test.ts): retry transport failures and 5xx, then reject; never retry 4xx.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { AgentClient, AgentError, agentEvaluators, agentUrls } from '../../src/agent/client.js';
import { PROTOCOL_VERSION } from '../../src/agent/protocol.js';
import type { DeviceProfile } from '../../src/profile/types.js';
import { LtsError } from '../../src/util/errors.js';

const TOKEN = 't'.repeat(32);
const servers: http.Server[] = [];

async function scripted(handler: (hit: number, req: http.IncomingMessage, res: http.ServerResponse) => void): Promise<{ url: string; hits: () => number }> {
  let hits = 0;
  const server = http.createServer((req, res) => {
    hits++;
    req.resume();
    req.on('end', () => handler(hits, req, res));
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, hits: () => hits };
}

function json(res: http.ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => { s.closeAllConnections(); s.close(r); })));
});

const cfg = { family: 'gpt2', n_layer: 1, d_model: 16, d_inner: [32], n_head: [2], div_val: 0, d_embed: 16, vocab_size: 64, cutoffs: [], n_positions: 16 } as const;

function device(agents: DeviceProfile['agents']): DeviceProfile {
  return {
    name: 'remote-test',
    description: '',
    runtime: 'onnxruntime-node',
    executionProviders: ['cpu'],
    threads: { intraOp: 1, interOp: 1 },
    graph: 'ort',
    shapes: { batch: 1, seq: 8, mem_len: 8, context: 8 },
    protocol: { warmupMin: 1, warmupMax: 2, minRuns: 2, maxRuns: 3, maxSeconds: 1, targetRelCi: 0.5 },
    limits: { memoryMb: 1024, timeoutS: 30 },
    agents,
  };
}

describe('agent client', () => {
  it('retries 5xx with backoff, then rejects naming the agent', async () => {
    const s = await scripted((_n, _req, res) => json(res, 503, { error: 'queue full', protocol_version: PROTOCOL_VERSION }));
    const c = new AgentClient(s.url, { token: TOKEN, retries: 2, backoffMs: 5 });
    const err = await c.measure({ config: cfg, metrics: ['latency'], seed: 1 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AgentError);
    expect((err as Error).message).toMatch(/unreachable after 3 attempts: HTTP 503: queue full/);
    expect(s.hits()).toBe(3);
    c.close();
  });

  it('retries a dropped connection, and succeeds when the agent answers again', async () => {
    const s = await scripted((n, _req, res) => {
      if (n === 1) res.socket?.destroy();
      else json(res, 200, { ok: true, version: 'x', protocol_version: PROTOCOL_VERSION, device: 'd', queue_depth: 0, queue_max: 1, busy: false, measured: 0, uptime_s: 0 });
    });
    const c = new AgentClient(s.url, { token: TOKEN, retries: 2, backoffMs: 5 });
    expect((await c.health()).device).toBe('d');
    expect(s.hits()).toBe(2);
    c.close();
  });

  it('rejects when nothing listens, after its retries', async () => {
    const s = await scripted(() => undefined);
    const url = s.url;
    await new Promise((r) => { servers[0]!.close(r); servers.length = 0; });
    const [ev] = agentEvaluators(device({ urls: [url], tokenEnv: 'X_TOKEN' }), { env: { X_TOKEN: TOKEN }, retries: 1, backoffMs: 5 });
    await expect(ev!.evaluate(cfg, { metrics: ['latency'], seed: 1 })).rejects.toThrow(/unreachable after 2 attempts: ECONNREFUSED/);
  });

  it('does not retry a 4xx and rejects with the agent message', async () => {
    const s = await scripted((_n, _req, res) => json(res, 400, { error: 'config.n_head[0]: 3 does not divide d_model 16', protocol_version: PROTOCOL_VERSION }));
    const c = new AgentClient(s.url, { token: TOKEN, retries: 3, backoffMs: 5 });
    await expect(c.measure({ config: cfg, metrics: ['latency'], seed: 1 })).rejects.toThrow(/HTTP 400\): config.n_head\[0\]: 3 does not divide/);
    expect(s.hits()).toBe(1);
    c.close();
  });

  it('rejects an agent speaking another protocol version, naming both', async () => {
    const s = await scripted((_n, _req, res) => json(res, 200, { protocol_version: PROTOCOL_VERSION + 1, measurement: { ok: true, timing: {} }, fingerprint: {} }));
    const c = new AgentClient(s.url, { token: TOKEN, retries: 3, backoffMs: 5 });
    await expect(c.measure({ config: cfg, metrics: ['latency'], seed: 1 })).rejects.toThrow(
      new RegExp(`this lts speaks ${PROTOCOL_VERSION}, agent speaks ${PROTOCOL_VERSION + 1}`),
    );
    expect(s.hits()).toBe(1);
    c.close();
  });

  it('sends the bearer token and the profile settings with the candidate', async () => {
    let seen: { auth?: string; body?: Record<string, unknown> } = {};
    const server = http.createServer((req, res) => {
      let text = '';
      req.on('data', (c) => (text += c));
      req.on('end', () => {
        seen = { auth: req.headers.authorization, body: JSON.parse(text) };
        json(res, 409, { error: 'stop here', protocol_version: PROTOCOL_VERSION });
      });
    });
    servers.push(server);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const dev = device({ urlsEnv: 'X_URLS', tokenEnv: 'X_TOKEN' });
    const [ev] = agentEvaluators(dev, { env: { X_URLS: url, X_TOKEN: TOKEN }, retries: 0 });
    await expect(ev!.evaluate(cfg, { metrics: ['latency', 'memory'], seed: 7 })).rejects.toThrow(/stop here/);
    expect(seen.auth).toBe(`Bearer ${TOKEN}`);
    expect(seen.body).toMatchObject({
      protocol_version: PROTOCOL_VERSION, config: cfg, metrics: ['latency', 'memory'], seed: 7, shapes: dev.shapes, protocol: dev.protocol, graph: 'ort', limits: dev.limits,
      target: { runtime: 'onnxruntime-node', executionProviders: ['cpu'], threads: { intraOp: 1, interOp: 1 } },
    });
    // The search's CI target and the sentinel's run minimum travel in the protocol (capped at its maxRuns).
    await expect(ev!.evaluate(cfg, { metrics: ['latency'], seed: 7, ciTarget: 0.1, minRuns: 9 })).rejects.toThrow(/stop here/);
    expect(seen.body!.protocol).toEqual({ ...dev.protocol, targetRelCi: 0.1, minRuns: dev.protocol.maxRuns });
  });

  it('reads agent URLs from the named env var, and says which to set when missing', () => {
    const dev = device({ urlsEnv: 'LTS_JETSON_AGENTS', tokenEnv: 'LTS_JETSON_TOKEN' });
    expect(agentUrls(dev, { LTS_JETSON_AGENTS: 'http://a:7070/, http://b:7070' })).toEqual(['http://a:7070', 'http://b:7070']);
    expect(() => agentUrls(dev, {})).toThrow(/set LTS_JETSON_AGENTS/);
    expect(() => agentEvaluators(dev, { env: { LTS_JETSON_AGENTS: 'http://a:7070' } })).toThrow(/set LTS_JETSON_TOKEN/);
    expect(() => agentEvaluators(dev, { env: { LTS_JETSON_AGENTS: 'ftp://a' , LTS_JETSON_TOKEN: TOKEN } })).toThrow(LtsError);
    expect(() => agentUrls(device(undefined), {})).toThrow(/names no agents/);
    const warnings: string[] = [];
    const evs = agentEvaluators(dev, { env: { LTS_JETSON_AGENTS: 'http://a:7070,https://b:7070', LTS_JETSON_TOKEN: TOKEN }, warn: (l) => warnings.push(l) });
    expect(evs.map((e) => e.name)).toEqual(['agent http://a:7070', 'agent https://b:7070']);
    // Plain http to another machine is allowed, but said out loud.
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/http:\/\/a:7070 is plain http/);
  });
});

describe('agent answers that are not measurements', () => {
  const timing = { export_ms: 1, session_ms: 1, measure_ms: 1, total_ms: 3 };
  const lat = { median_ms: 2, mean_ms: 2, trimmed_mean_ms: 2, p90_ms: 2.1, min_ms: 1.9, std_ms: 0.1, ci95_low_ms: 1.9, ci95_high_ms: 2.1, runs: 3, warmup_runs: 1, samples_ms: [2, 2, 2] };
  const answer = (measurement: unknown) => ({ protocol_version: PROTOCOL_VERSION, measurement, fingerprint: { hostname: 'x' } });

  it.each([
    ['ok without the requested latency', { ok: true, timing }, /no latency statistics/],
    ['a latency that is not a number', { ok: true, timing, latency: { ...lat, median_ms: 'fast' } }, /latency.median_ms is not a number/],
    ['a negative latency', { ok: true, timing, latency: { ...lat, median_ms: -1 } }, /latency.median_ms/],
    ['a memory reading that is not a number', { ok: true, timing, latency: lat, memory: { baseline_mb: 1, load_peak_mb: null, inference_peak_mb: 1 } }, /memory.load_peak_mb/],
  ])('rejects %s (the evaluator is dropped, nothing is recorded)', async (_what, measurement, why) => {
    const s = await scripted((_n, _req, res) => json(res, 200, answer(measurement)));
    const [ev] = agentEvaluators(device({ urls: [s.url] }), { env: { LTS_AGENT_TOKEN: TOKEN }, retries: 0 });
    const err = await ev!.evaluate(cfg, { metrics: ['latency'], seed: 1 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AgentError);
    expect((err as Error).message).toMatch(/answered a malformed measurement/);
    expect((err as Error).message).toMatch(why);
  });

  it('accepts a failed measurement and a success without memory figures', async () => {
    const replies = [{ ok: false, error: 'out of memory (limit 1 MB)', timing }, { ok: true, timing, latency: lat }];
    const s = await scripted((n, _req, res) => json(res, 200, answer(replies[n - 1])));
    const [ev] = agentEvaluators(device({ urls: [s.url] }), { env: { LTS_AGENT_TOKEN: TOKEN }, retries: 0 });
    expect((await ev!.evaluate(cfg, { metrics: ['latency'], seed: 1 })).error).toMatch(/out of memory/);
    expect((await ev!.evaluate(cfg, { metrics: ['latency'], seed: 1 })).latency!.median_ms).toBe(2);
  });
});
