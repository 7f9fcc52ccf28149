// Load run against one `lts agent` on loopback: many concurrent requests of mixed kinds (valid tiny
// candidates, bad tokens, oversized bodies, invalid configs), bounded in count and time. Reports how
// each was answered, whether the agent is alive afterwards, and the agent process's RSS before, at
// peak and after. Run: npx tsc -p tsconfig.json && node dist/bench/agent-load.js [--requests 300]
// [--concurrency 30] [--seconds 60] [--queue 8] [--rounds 3]
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';
import { PROTOCOL_VERSION } from '../src/agent/protocol.js';
import { loadDevice } from '../src/profile/index.js';
import { packageRoot } from '../src/util/package.js';

function arg(name: string, def: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : def;
}

const REQUESTS = arg('requests', 300);
const CONCURRENCY = arg('concurrency', 30);
const SECONDS = arg('seconds', 60);
const QUEUE = arg('queue', 8);
const ROUNDS = arg('rounds', 3);

type Kind = 'valid' | 'bad_token' | 'oversized' | 'invalid_config';

/** Deterministic mix: half valid candidates, the rest split among the ways to be refused. */
function kindOf(i: number): Kind {
  const r = i % 20;
  if (r < 10) return 'valid';
  if (r < 14) return 'bad_token';
  if (r < 17) return 'oversized';
  return 'invalid_config';
}

function rssKb(pid: number): { rss: number; hwm: number } | undefined {
  try {
    const s = readFileSync(`/proc/${pid}/status`, 'utf8');
    const get = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+) kB`, 'm').exec(s)?.[1] ?? NaN);
    return { rss: get('VmRSS'), hwm: get('VmHWM') };
  } catch {
    return undefined;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(cond: () => Promise<boolean>): Promise<void> {
  while (!(await cond())) await sleep(100);
}

async function main(): Promise<void> {
  const root = packageRoot();
  const dir = mkdtempSync(join(tmpdir(), 'lts-agent-load-'));
  const token = randomBytes(24).toString('hex');
  const cpu = loadDevice('cpu');
  const device = {
    ...cpu,
    name: 'cpu-load',
    shapes: { batch: 1, seq: 8, mem_len: 8, context: 8 },
    protocol: { warmupMin: 1, warmupMax: 2, minRuns: 2, maxRuns: 3, maxSeconds: 1, targetRelCi: 0.5 },
    limits: { memoryMb: 2048, timeoutS: 60 },
  };
  const devFile = join(dir, 'cpu-load.json');
  writeFileSync(devFile, JSON.stringify(device));

  const agentJs = pathToFileURL(join(root, 'dist', 'src', 'cli', 'agent.js')).href;
  const script = `import { agentCommand } from ${JSON.stringify(agentJs)}; await agentCommand().parseAsync(process.argv.slice(1), { from: 'user' });`;
  const proc = spawn(process.execPath, ['--input-type=module', '-e', script, '--', '--device', devFile, '--port', '0', '--queue', String(QUEUE)], {
    env: { ...process.env, LTS_AGENT_TOKEN: token },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let agentErr = '';
  // The agent logs a line per request; keep only the tail for an error message.
  proc.stderr!.on('data', (c) => (agentErr = (agentErr + c).slice(-4000)));
  const url = await new Promise<string>((resolve, reject) => {
    createInterface({ input: proc.stdout! }).on('line', (l) => {
      try {
        const ev = JSON.parse(l) as { event?: string; url?: string };
        if (ev.event === 'listening' && ev.url) resolve(ev.url);
      } catch {
        /* not the listening line */
      }
    });
    proc.on('exit', (c) => reject(new Error(`agent exited (${c}) before listening: ${agentErr}`)));
  });
  const pid = proc.pid!;
  const auth = { authorization: `Bearer ${token}` };

  const health = async (): Promise<number> => (await fetch(`${url}/v1/health`, { headers: auth, signal: AbortSignal.timeout(30_000) })).status;
  const validBody = (i: number) =>
    JSON.stringify({
      protocol_version: PROTOCOL_VERSION,
      config: { family: 'gpt2', n_layer: 1 + (i % 2), d_model: 16, d_inner: 32 + 16 * (i % 3), n_head: 2, vocab_size: 64, n_positions: 16 },
      metrics: ['latency'],
      seed: i,
    });

  // Baseline: started, one request served, let it settle.
  await health();
  await sleep(1000);
  const before = rssKb(pid)!;
  let peakRss = before.rss;
  const sampler = setInterval(() => {
    const r = rssKb(pid);
    if (r && r.rss > peakRss) peakRss = r.rss;
  }, 50);

  const counts = { ok_measured: 0, ok_failed_candidate: 0, refused_401: 0, refused_413: 0, refused_503: 0, refused_400: 0, unexpected_status: 0, transport_errors: 0 };
  const perKind: Record<Kind, Record<string, number>> = { valid: {}, bad_token: {}, oversized: {}, invalid_config: {} };
  const errorSamples: string[] = [];
  const t0 = Date.now();
  const deadline = t0 + SECONDS * 1000;
  let next = 0;
  let sent = 0;

  const one = async (i: number): Promise<void> => {
    const kind = kindOf(i);
    let headers: Record<string, string> = { 'content-type': 'application/json', ...auth };
    let body = validBody(i);
    if (kind === 'bad_token') headers = { ...headers, authorization: `Bearer ${randomBytes(24).toString('hex')}` };
    if (kind === 'oversized') body = JSON.stringify({ protocol_version: PROTOCOL_VERSION, config: { family: 'gpt2', pad: 'x'.repeat(200_000) }, metrics: ['latency'], seed: i });
    if (kind === 'invalid_config') body = JSON.stringify({ protocol_version: PROTOCOL_VERSION, config: { family: 'gpt2', n_layer: 1, d_model: 16, d_inner: 32, n_head: 3 }, metrics: ['latency'], seed: i });
    let label: string;
    try {
      const res = await fetch(`${url}/v1/measure`, { method: 'POST', headers, body, signal: AbortSignal.timeout(Math.max(1000, deadline + 30_000 - Date.now())) });
      const json = (await res.json()) as { measurement?: { ok: boolean }; error?: string };
      label = String(res.status);
      if (res.status === 200) {
        if (json.measurement?.ok) counts.ok_measured++;
        else counts.ok_failed_candidate++;
      } else if (res.status === 401) counts.refused_401++;
      else if (res.status === 413) counts.refused_413++;
      else if (res.status === 503) counts.refused_503++;
      else if (res.status === 400) counts.refused_400++;
      else {
        counts.unexpected_status++;
        if (errorSamples.length < 5) errorSamples.push(`${kind}: HTTP ${res.status} ${json.error ?? ''}`);
      }
    } catch (e) {
      counts.transport_errors++;
      label = 'transport_error';
      const cause = (e as { cause?: { code?: string } }).cause?.code;
      if (errorSamples.length < 5) errorSamples.push(`${kind}: ${(e as Error).message}${cause ? ` (${cause})` : ''}`);
    }
    perKind[kind][label] = (perKind[kind][label] ?? 0) + 1;
  };

  // The requests go in ROUNDS equal waves; RSS after each wave (once idle) shows whether memory
  // keeps growing with traffic (a leak) or levels off.
  const rssAfterRound: number[] = [];
  for (let round = 1; round <= ROUNDS; round++) {
    const end = Math.ceil((REQUESTS * round) / ROUNDS);
    const worker = async (): Promise<void> => {
      for (;;) {
        if (Date.now() >= deadline) return;
        if (next >= end) return;
        const i = next++;
        sent++;
        await one(i);
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    await until(async () => ((await (await fetch(`${url}/v1/health`, { headers: auth })).json()) as { queue_depth: number }).queue_depth === 0);
    await sleep(1000);
    rssAfterRound.push(rssKb(pid)?.rss ?? NaN);
    if (Date.now() >= deadline) break;
  }
  const loadMs = Date.now() - t0;
  clearInterval(sampler);

  // Afterwards: still serving? One health check and one real measurement.
  await sleep(2000);
  let aliveHealth = 0;
  let aliveMeasure = false;
  try {
    aliveHealth = await health();
    const r = await fetch(`${url}/v1/measure`, { method: 'POST', headers: { 'content-type': 'application/json', ...auth }, body: validBody(9999), signal: AbortSignal.timeout(60_000) });
    aliveMeasure = r.status === 200 && ((await r.json()) as { measurement: { ok: boolean } }).measurement.ok;
  } catch {
    /* reported as not alive */
  }
  await sleep(1000);
  const after = rssKb(pid);
  const exitedEarly = proc.exitCode !== null || proc.signalCode !== null;
  proc.kill('SIGTERM');
  rmSync(dir, { recursive: true, force: true });

  const mb = (kb: number) => Math.round((kb / 1024) * 10) / 10;
  const answered = counts.ok_measured + counts.ok_failed_candidate;
  const refused = counts.refused_401 + counts.refused_413 + counts.refused_503 + counts.refused_400;
  const summary = {
    bench: 'agent-load',
    settings: { requests: REQUESTS, concurrency: CONCURRENCY, rounds: ROUNDS, cap_seconds: SECONDS, agent_queue: QUEUE, loopback: url },
    sent,
    load_seconds: Math.round(loadMs / 100) / 10,
    answered_200: answered,
    cleanly_refused: refused,
    errors: counts.transport_errors + counts.unexpected_status,
    counts,
    per_kind: perKind,
    error_samples: errorSamples,
    alive_after: { exited: exitedEarly, health_status: aliveHealth, measured_ok: aliveMeasure },
    agent_rss_mb: {
      before: mb(before.rss),
      peak: mb(peakRss),
      after: after ? mb(after.rss) : null,
      after_minus_before: after ? mb(after.rss - before.rss) : null,
      after_each_round: rssAfterRound.map(mb),
      high_water_mark: after ? mb(after.hwm) : null,
    },
    every_request_answered_or_refused: sent === answered + refused,
  };
  process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
  if (!summary.every_request_answered_or_refused || !aliveMeasure) process.exitCode = 1;
}

await main();
