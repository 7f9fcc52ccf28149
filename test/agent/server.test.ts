// A real agent on loopback (ephemeral port) measuring tiny models through the real child-process profiler.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentEvaluators } from '../../src/agent/client.js';
import { PROTOCOL_VERSION } from '../../src/agent/protocol.js';
import type { ArchConfig } from '../../src/space/types.js';
import { startAgent, type RunningAgent } from '../../src/agent/server.js';
import type { Fingerprint, Measurement } from '../../src/profile/types.js';
import { tinyConfig, tinyDevice, TOKEN } from './helpers.js';

let agent: RunningAgent;
const agentLog: string[] = [];
const auth = { authorization: `Bearer ${TOKEN}` };

function post(body: unknown, headers: Record<string, string> = auth, raw?: string, signal?: AbortSignal): Promise<Response> {
  return fetch(`${agent.url}/v1/measure`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: raw ?? JSON.stringify(body),
    signal,
  });
}

function measureBody(over: Record<string, unknown> = {}): Record<string, unknown> {
  return { protocol_version: PROTOCOL_VERSION, config: tinyConfig(), metrics: ['latency'], seed: 1, ...over };
}

async function health(): Promise<{ ok: boolean; queue_depth: number; busy: boolean; measured: number; protocol_version: number }> {
  return (await (await fetch(`${agent.url}/v1/health`, { headers: auth })).json()) as never;
}

async function until(cond: () => Promise<boolean>): Promise<void> {
  while (!(await cond())) await new Promise((r) => setTimeout(r, 20));
}

beforeAll(async () => {
  agent = await startAgent({ device: tinyDevice(), token: TOKEN, port: 0, queue: 1, log: (l) => agentLog.push(l) });
});
afterAll(async () => {
  await agent?.close();
});

describe('lts agent server', () => {
  it('listens on loopback by default', () => {
    expect(agent.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('401 without a token or with a wrong one, on every route, before reading the body', async () => {
    expect((await post(measureBody(), {})).status).toBe(401);
    expect((await post(measureBody(), { authorization: 'Bearer wrong-token-wrong-token' })).status).toBe(401);
    expect((await post(measureBody(), { authorization: TOKEN })).status).toBe(401);
    expect((await fetch(`${agent.url}/v1/health`)).status).toBe(401);
    expect((await fetch(`${agent.url}/v1/capabilities`, { headers: { authorization: `Bearer ${TOKEN}x` } })).status).toBe(401);
    // An oversized body from a stranger is refused as a stranger.
    expect((await post(undefined, {}, 'x'.repeat(100_000))).status).toBe(401);
    const res = await post(measureBody(), {});
    expect(res.headers.get('www-authenticate')).toMatch(/Bearer/);
    expect(((await res.json()) as { error: string }).error).toMatch(/token/);
  });

  it('the client reports a wrong token as a refusal naming its token source, without retrying', async () => {
    const dev = tinyDevice({ agents: { urls: [agent.url], tokenEnv: 'MY_AGENT_TOKEN' } });
    const [ev] = agentEvaluators(dev, { env: { MY_AGENT_TOKEN: 'not-the-token-at-all' }, retries: 3, backoffMs: 2000 });
    await expect(ev!.evaluate(tinyConfig() as unknown as ArchConfig, { metrics: ['latency'], seed: 1 })).rejects.toThrow(
      /\(HTTP 401\): missing or wrong bearer token \(check MY_AGENT_TOKEN/,
    );
    await ev!.close?.();
  });

  it('400 for malformed JSON, an invalid config or bad settings, with the reason', async () => {
    const bad = await post(undefined, auth, '{"protocol_version": 1, "config": ');
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toMatch(/JSON/i);

    const inv = await post(measureBody({ config: tinyConfig({ n_head: [3] }) }));
    expect(inv.status).toBe(400);
    expect(((await inv.json()) as { error: string }).error).toMatch(/n_head\[0\].*3 does not divide d_model 16/);

    const ratio = await post(measureBody({ config: tinyConfig({ d_inner: [20] }) }));
    expect(ratio.status).toBe(400);
    expect(((await ratio.json()) as { error: string }).error).toMatch(/d_inner/);

    const metric = await post(measureBody({ metrics: ['speed'] }));
    expect(metric.status).toBe(400);
    expect(((await metric.json()) as { error: string }).error).toMatch(/unknown metric "speed"/);

    const shapes = await post(measureBody({ shapes: { batch: 1e9 } }));
    expect(shapes.status).toBe(400);
    expect((await post(measureBody({ weights: [1, 2, 3] }))).status).toBe(400);
  });

  it('413 for a body over the limit', async () => {
    const res = await post(measureBody({ config: tinyConfig({ padding: 'x'.repeat(70_000) }) }));
    expect(res.status).toBe(413);
    expect(((await res.json()) as { error: string }).error).toMatch(/limit/);
  });

  it('409 on a protocol version mismatch, naming both versions', async () => {
    const res = await post(measureBody({ protocol_version: PROTOCOL_VERSION + 41 }));
    expect(res.status).toBe(409);
    const { error } = (await res.json()) as { error: string };
    expect(error).toContain(`client speaks ${PROTOCOL_VERSION + 41}, agent speaks ${PROTOCOL_VERSION}`);
    // The agent's side says it too, in its log.
    expect(agentLog.some((l) => l.includes(' 409 ') && l.includes(`client speaks ${PROTOCOL_VERSION + 41}, agent speaks ${PROTOCOL_VERSION}`))).toBe(true);
    expect((await post(measureBody({ protocol_version: undefined }))).status).toBe(400);
  });

  it('409 when the agent measures on another runtime, providers or threads than the search expects', async () => {
    const res = await post(measureBody({ target: { runtime: 'onnxruntime-node', executionProviders: ['cuda'], threads: { intraOp: 1, interOp: 1 } } }));
    expect(res.status).toBe(409);
    expect(((await res.json()) as { error: string }).error).toMatch(/providers \[cpu\] \(search wants \[cuda\]\).*same --device/);
    const same = await post(measureBody({ target: { runtime: 'onnxruntime-node', executionProviders: ['cpu'], threads: { intraOp: 1, interOp: 1 } } }));
    expect(same.status).toBe(200);
  });

  it('measures a candidate for real and answers with the measurement and the fingerprint', async () => {
    const res = await post(measureBody({ metrics: ['latency', 'memory'] }));
    expect(res.status).toBe(200);
    const body = (await res.json()) as { protocol_version: number; measurement: Measurement; fingerprint: Fingerprint };
    expect(body.protocol_version).toBe(PROTOCOL_VERSION);
    expect(body.measurement.ok).toBe(true);
    expect(body.measurement.provider).toBe('cpu');
    expect(body.measurement.latency!.runs).toBeGreaterThanOrEqual(2);
    expect(body.measurement.latency!.median_ms).toBeGreaterThan(0);
    expect(body.measurement.memory!.inference_peak_mb).toBeGreaterThan(0);
    expect(body.fingerprint.cores).toBeGreaterThan(0);
    expect(body.fingerprint.runtime.name).toBe('onnxruntime-node');
  });

  it('a candidate whose measuring process is killed (memory limit, time limit) fails alone; the agent keeps serving', async () => {
    const res = await post(measureBody({ limits: { memoryMb: 1 } }));
    expect(res.status).toBe(200);
    const { measurement } = (await res.json()) as { measurement: Measurement };
    expect(measurement.ok).toBe(false);
    expect(measurement.error).toMatch(/out of memory \(limit 1 MB\)/);

    const slow = (await (await post(measureBody({ limits: { timeoutS: 0.05 } }))).json()) as { measurement: Measurement };
    expect(slow.measurement.ok).toBe(false);
    expect(slow.measurement.error).toMatch(/timeout after 0.05 s/);

    const h = await health();
    expect(h.ok).toBe(true);
    expect(h.busy).toBe(false);
    const next = (await (await post(measureBody({ seed: 2 }))).json()) as { measurement: Measurement };
    expect(next.measurement.ok).toBe(true);
  });

  it('503 when more requests wait than the queue allows; a waiting request whose client leaves is never measured', async () => {
    const measuredBefore = (await health()).measured;
    // A slower candidate keeps the device busy while the queue (1 slot) fills.
    const slow = post(measureBody({ config: tinyConfig({ n_layer: 2, d_model: 64, n_head: [4, 4], d_inner: [256, 256], d_embed: 64 }), shapes: { seq: 16 }, protocol: { minRuns: 200, maxRuns: 200, maxSeconds: 10 } }));
    await until(async () => (await health()).busy);
    const leaving = new AbortController();
    const waiting = post(measureBody({ seed: 3 }), auth, undefined, leaving.signal).catch((e: unknown) => e);
    await until(async () => (await health()).queue_depth === 2);
    const refused = await post(measureBody({ seed: 4 }));
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).not.toBeNull();
    expect(((await refused.json()) as { error: string }).error).toMatch(/queue full/);

    leaving.abort();
    expect(await waiting).toBeInstanceOf(Error);
    await until(async () => (await health()).queue_depth <= 1);
    expect((await slow).status).toBe(200);
    await until(async () => !(await health()).busy);
    const h = await health();
    expect(h.queue_depth).toBe(0);
    expect(h.measured).toBe(measuredBefore + 1);
  });

  it('health and capabilities', async () => {
    const h = await health();
    expect(h).toMatchObject({ ok: true, protocol_version: PROTOCOL_VERSION, busy: false, queue_depth: 0 });
    expect(h.measured).toBeGreaterThanOrEqual(3);
    const caps = (await (await fetch(`${agent.url}/v1/capabilities`, { headers: auth })).json()) as Record<string, unknown>;
    expect(caps.protocol_version).toBe(PROTOCOL_VERSION);
    expect((caps.device as { name: string }).name).toBe('cpu-tiny');
    expect((caps.fingerprint as Fingerprint).cores).toBeGreaterThan(0);
    expect(caps.doctor).toBeTruthy();
  });
});
