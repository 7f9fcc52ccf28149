// The search side of `lts agent`: one Evaluator per agent URL. Plain node:http(s) rather than the
// global fetch, because fetch can only trust a private CA through undici's Agent (not a dependency
// here), and a self-signed agent certificate must be verifiable without turning verification off.
import http from 'node:http';
import https from 'node:https';
import { readFileSync } from 'node:fs';
import type { DeviceProfile, Fingerprint, Measurement, Metric } from '../profile/types.js';
import type { Evaluator } from '../search/types.js';
import type { ArchConfig } from '../space/types.js';
import { requestedProtocol } from '../profile/measure.js';
import { LtsError } from '../util/errors.js';
import { PROTOCOL_VERSION, type HealthResponse, type MeasureRequest, type MeasureResponse } from './protocol.js';
import { loadClientToken, TOKEN_ENV } from './token.js';

/** The agent said no (4xx), answered nonsense, or stayed unreachable through every retry. */
export class AgentError extends LtsError {
  override name = 'AgentError';
  constructor(
    message: string,
    /** HTTP status when the agent answered; undefined for transport failures. */
    readonly status?: number,
  ) {
    super(message);
  }
}

export interface AgentClientOptions {
  token: string;
  /** PEM CA bundle that signed the agent's certificate (self-signed agents); system CAs otherwise. */
  ca?: string | Buffer;
  /** Per-attempt timeout for a measurement (ms). */
  measureTimeoutMs?: number;
  /** Per-attempt timeout for the GET endpoints (ms). */
  requestTimeoutMs?: number;
  /** Extra attempts after the first for transport failures and 5xx answers. */
  retries?: number;
  /** First retry delay; doubles each time. */
  backoffMs?: number;
}

/** Time the agent may spend past its own candidate timeout: queueing, fingerprint, transfer. */
export const TIMEOUT_MARGIN_MS = 30_000;
const DEFAULT_RETRIES = 3;
const DEFAULT_BACKOFF_MS = 500;
const MAX_RESPONSE_BYTES = 16 * 1024 * 1024;

interface RawAnswer {
  status: number;
  body: unknown;
}

/** A failure worth another attempt: the agent may come back (restart, transient overload). */
class Retryable extends Error {}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

function errorText(body: unknown, status: number): string {
  if (typeof body === 'object' && body !== null && typeof (body as { error?: unknown }).error === 'string') {
    return (body as { error: string }).error;
  }
  return `HTTP ${status}`;
}

const nonNegative = (v: unknown): boolean => typeof v === 'number' && Number.isFinite(v) && v >= 0;
const finite = (v: unknown): boolean => typeof v === 'number' && Number.isFinite(v);

/**
 * Why a measurement from an agent cannot be recorded, or null. A successful one must carry every
 * requested timing as numbers >= 0 (memory may be absent where the device cannot read it); such
 * nonsense would otherwise sit on the frontier, or be counted as measured while showing nothing.
 */
export function malformedMeasurement(m: Measurement, metrics: readonly Metric[]): string | null {
  if (m.error !== undefined && typeof m.error !== 'string') return 'error is not a string';
  if (!m.ok) return null;
  for (const metric of ['latency', 'decode'] as const) {
    const l = m[metric];
    if (l === undefined && !metrics.includes(metric)) continue;
    if (typeof l !== 'object' || l === null) return `ok but no ${metric} statistics`;
    for (const k of ['median_ms', 'p90_ms', 'min_ms'] as const) {
      if (!nonNegative(l[k])) return `${metric}.${k} is not a number >= 0`;
    }
    if (!Array.isArray(l.samples_ms)) return `${metric}.samples_ms is not a list`;
  }
  if (m.memory !== undefined) {
    if (typeof m.memory !== 'object' || m.memory === null) return 'memory is not an object';
    for (const k of ['baseline_mb', 'load_peak_mb', 'inference_peak_mb'] as const) {
      if (!finite(m.memory[k])) return `memory.${k} is not a number`;
    }
  }
  return null;
}

export function normalizeAgentUrl(raw: string): string {
  let u: URL;
  try {
    u = new URL(raw.trim());
  } catch {
    throw new LtsError(`agent URL ${JSON.stringify(raw)} is not a URL (expected e.g. http://127.0.0.1:7070)`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new LtsError(`agent URL ${raw} must start with http:// or https://`);
  return `${u.protocol}//${u.host}${u.pathname.replace(/\/+$/, '')}`;
}

export class AgentClient {
  private readonly lib: typeof http | typeof https;
  private readonly agent: http.Agent;
  private readonly retries: number;
  private readonly backoffMs: number;

  constructor(
    readonly url: string,
    private readonly opts: AgentClientOptions,
  ) {
    this.url = normalizeAgentUrl(url);
    const secure = this.url.startsWith('https:');
    this.lib = secure ? https : http;
    this.agent = secure ? new https.Agent({ keepAlive: true, ca: opts.ca }) : new http.Agent({ keepAlive: true });
    this.retries = opts.retries ?? DEFAULT_RETRIES;
    this.backoffMs = opts.backoffMs ?? DEFAULT_BACKOFF_MS;
  }

  /** One attempt. Transport failures, timeouts and 5xx throw Retryable; every other answer resolves. */
  private once(method: 'GET' | 'POST', path: string, body: unknown, timeoutMs: number): Promise<RawAnswer> {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body), 'utf8');
    return new Promise<RawAnswer>((resolve, reject) => {
      const req = this.lib.request(
        `${this.url}${path}`,
        {
          method,
          agent: this.agent,
          headers: {
            authorization: `Bearer ${this.opts.token}`,
            accept: 'application/json',
            ...(payload ? { 'content-type': 'application/json', 'content-length': payload.length } : {}),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (c: Buffer) => {
            size += c.length;
            if (size > MAX_RESPONSE_BYTES) {
              req.destroy(new Error(`answer over ${MAX_RESPONSE_BYTES} bytes`));
              return;
            }
            chunks.push(c);
          });
          res.on('error', (e) => reject(new Retryable(e.message)));
          res.on('end', () => {
            const status = res.statusCode ?? 0;
            const text = Buffer.concat(chunks).toString('utf8');
            let parsed: unknown;
            try {
              parsed = text === '' ? undefined : JSON.parse(text);
            } catch {
              parsed = undefined;
            }
            if (status >= 500) reject(new Retryable(`HTTP ${status}: ${errorText(parsed, status)}`));
            else if (parsed === undefined) reject(new AgentError(`agent ${this.url} answered HTTP ${status} without a JSON body`, status));
            else resolve({ status, body: parsed });
          });
        },
      );
      req.setTimeout(timeoutMs, () => req.destroy(new Error(`no answer within ${Math.round(timeoutMs / 1000)} s`)));
      req.on('error', (e: NodeJS.ErrnoException) => {
        // A certificate the CA does not vouch for will not fix itself on retry.
        if (e.code !== undefined && /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS/.test(e.code)) {
          reject(new AgentError(`agent ${this.url}: TLS verification failed (${e.code}); set the device profile's agents.caFile to the CA that signed the agent's certificate`));
        } else {
          reject(new Retryable(e.code ? `${e.code}: ${e.message}` : e.message));
        }
      });
      req.end(payload);
    });
  }

  /** Retries transport failures and 5xx with doubling delays, then rejects with AgentError. */
  private async call(method: 'GET' | 'POST', path: string, body: unknown, timeoutMs: number): Promise<unknown> {
    let last = '';
    for (let attempt = 0; attempt <= this.retries; attempt++) {
      if (attempt > 0) await sleep(this.backoffMs * 2 ** (attempt - 1));
      let ans: RawAnswer;
      try {
        ans = await this.once(method, path, body, timeoutMs);
      } catch (e) {
        if (e instanceof Retryable) {
          last = e.message;
          continue;
        }
        throw e;
      }
      const b = ans.body as { protocol_version?: unknown };
      if (ans.status === 409 || (typeof b?.protocol_version === 'number' && b.protocol_version !== PROTOCOL_VERSION)) {
        const why = ans.status === 409
          ? errorText(ans.body, 409)
          : `protocol version mismatch: this lts speaks ${PROTOCOL_VERSION}, agent speaks ${String(b.protocol_version)}; run the same lts version on both sides`;
        throw new AgentError(`agent ${this.url}: ${why}`, ans.status);
      }
      if (ans.status !== 200) throw new AgentError(`agent ${this.url} refused ${method} ${path} (HTTP ${ans.status}): ${errorText(ans.body, ans.status)}`, ans.status);
      return ans.body;
    }
    throw new AgentError(`agent ${this.url} unreachable after ${this.retries + 1} attempts: ${last}`);
  }

  async health(): Promise<HealthResponse> {
    return (await this.call('GET', '/v1/health', undefined, this.opts.requestTimeoutMs ?? 30_000)) as HealthResponse;
  }

  async capabilities(): Promise<Record<string, unknown>> {
    return (await this.call('GET', '/v1/capabilities', undefined, this.opts.requestTimeoutMs ?? 120_000)) as Record<string, unknown>;
  }

  async fingerprint(): Promise<Fingerprint> {
    const body = (await this.call('GET', '/v1/fingerprint', undefined, this.opts.requestTimeoutMs ?? 60_000)) as { fingerprint?: Fingerprint };
    if (typeof body.fingerprint !== 'object' || body.fingerprint === null) throw new AgentError(`agent ${this.url} sent no fingerprint`);
    return body.fingerprint;
  }

  async measure(req: Omit<MeasureRequest, 'protocol_version'>): Promise<MeasureResponse> {
    const body = (await this.call('POST', '/v1/measure', { protocol_version: PROTOCOL_VERSION, ...req }, this.opts.measureTimeoutMs ?? 600_000)) as MeasureResponse;
    const m = body.measurement as Partial<Measurement> | undefined;
    if (typeof m !== 'object' || m === null || typeof m.ok !== 'boolean' || typeof m.timing !== 'object') {
      throw new AgentError(`agent ${this.url} answered without a measurement record`);
    }
    const bad = malformedMeasurement(m as Measurement, req.metrics as Metric[]);
    if (bad !== null) throw new AgentError(`agent ${this.url} answered a malformed measurement: ${bad}`);
    return body;
  }

  close(): void {
    this.agent.destroy();
  }
}

/** Agent URLs for a device: the env var named by `urlsEnv` when set, else the profile's `urls`. */
export function agentUrls(device: DeviceProfile, env: NodeJS.ProcessEnv = process.env): string[] {
  const a = device.agents;
  if (a === undefined) throw new LtsError(`device '${device.name}' names no agents (add "agents" to its profile)`);
  const fromEnv = a.urlsEnv !== undefined ? (env[a.urlsEnv] ?? '').trim() : '';
  const list = fromEnv !== '' ? fromEnv.split(',') : (a.urls ?? []);
  const urls = list.map((s) => s.trim()).filter((s) => s !== '');
  if (urls.length === 0) {
    throw new LtsError(
      a.urlsEnv !== undefined
        ? `device '${device.name}' measures through lts agent: set ${a.urlsEnv} to the agent URL(s), comma-separated (e.g. ${a.urlsEnv}=http://jetson.local:7070)`
        : `device '${device.name}' lists no agent URLs (agents.urls is empty)`,
    );
  }
  return [...new Set(urls.map(normalizeAgentUrl))];
}

export interface AgentEvaluatorOptions {
  env?: NodeJS.ProcessEnv;
  retries?: number;
  backoffMs?: number;
  /** One-line warnings (plain http to another machine); default stderr. */
  warn?: (line: string) => void;
}

function isLoopbackUrl(url: string): boolean {
  const h = new URL(url).hostname;
  return h === 'localhost' || h === '[::1]' || h.startsWith('127.');
}

/**
 * One Evaluator per agent named by the device profile. Each sends the profile's shapes, protocol,
 * graph form and limits with every candidate, so the agent measures what this search asked for.
 * A candidate failure comes back as ok:false; the promise rejects only when the agent is unusable
 * (unreachable after retries, protocol mismatch, or it refused the request), and the search then
 * hands the candidate to another evaluator.
 */
export function agentEvaluators(device: DeviceProfile, opts: AgentEvaluatorOptions = {}): Evaluator[] {
  const env = opts.env ?? process.env;
  const urls = agentUrls(device, env);
  const token = loadClientToken(device.agents ?? {}, device.name, env);
  const caFile = device.agents?.caFile;
  let ca: Buffer | undefined;
  if (caFile !== undefined) {
    try {
      ca = readFileSync(caFile);
    } catch (e) {
      throw new LtsError(`cannot read agents.caFile ${caFile} (device '${device.name}'): ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
  }
  const measureTimeoutMs = device.limits.timeoutS * 1000 + TIMEOUT_MARGIN_MS;
  const warn = opts.warn ?? ((l: string) => process.stderr.write(`lts: warning: ${l}\n`));
  for (const url of urls) {
    if (url.startsWith('http:') && !isLoopbackUrl(url)) warn(`agent ${url} is plain http: the token and configs cross the network unencrypted (serve the agent with --tls-cert/--tls-key and use https://)`);
  }
  const tokenSource = device.agents?.tokenEnv ?? (device.agents?.tokenFile !== undefined ? `the file ${device.agents.tokenFile}` : TOKEN_ENV);
  // A wrong token is the likeliest 401: say where this side's token came from.
  const explain401 = (e: unknown): never => {
    if (e instanceof AgentError && e.status === 401) throw new AgentError(`${e.message} (check ${tokenSource} against the agent's token)`, 401);
    throw e;
  };
  return urls.map((url): Evaluator => {
    const client = new AgentClient(url, { token, ca, measureTimeoutMs, retries: opts.retries, backoffMs: opts.backoffMs });
    let lastFingerprint: Fingerprint | undefined;
    return {
      name: `agent ${client.url}`,
      async evaluate(cfg: ArchConfig, req: { metrics: Metric[]; seed: number; ciTarget?: number; minRuns?: number }): Promise<Measurement> {
        const res = await client.measure({
          config: cfg,
          metrics: req.metrics,
          seed: req.seed,
          shapes: device.shapes,
          // The search's stopping rule and the sentinel's longer measurement travel in the protocol the agent measures with.
          protocol: requestedProtocol(device.protocol, req),
          graph: device.graph,
          limits: device.limits,
          target: { runtime: device.runtime, executionProviders: device.executionProviders, threads: device.threads },
        }).catch(explain401);
        lastFingerprint = res.fingerprint;
        return res.measurement;
      },
      async fingerprint(): Promise<Fingerprint> {
        return lastFingerprint ?? (lastFingerprint = await client.fingerprint().catch(explain401));
      },
      async close(): Promise<void> {
        client.close();
      },
    };
  });
}
