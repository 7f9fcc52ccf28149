// `lts agent`: serves measurement requests for the device it runs on. The request carries a config,
// never weights; the agent rebuilds the graph and measures it with the same code a local run uses.
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply } from 'fastify';
import { doctor, fingerprint, killedByStopSignal, WarmMeasurer } from '../profile/index.js';
import type { DeviceProfile, Fingerprint, Measurement, Metric } from '../profile/types.js';
import { definitionOf } from '../families/index.js';
import type { ArchConfig } from '../space/types.js';
import { parseConfig, validateConfig } from '../space/index.js';
import { toolVersion } from '../util/package.js';
import { LtsError } from '../util/errors.js';
import {
  checkMeasureRequest,
  MAX_BODY_BYTES,
  PROTOCOL_VERSION,
  targetMismatch,
  versionMismatch,
  type HealthResponse,
  type MeasureRequest,
  type MeasureResponse,
} from './protocol.js';
import { JobCancelled, SerialQueue } from './queue.js';
import { bearerToken, tokenChecker } from './token.js';

export interface AgentOptions {
  /** The profile of the device this agent measures on (its own runtime, providers, limits). */
  device: DeviceProfile;
  token: string;
  /** Default 127.0.0.1: the agent is reachable from elsewhere only when asked. */
  host?: string;
  /** Default 7070; 0 picks a free port. */
  port?: number;
  /** Requests allowed to wait behind the running measurement (default 16); more get 503. */
  queue?: number;
  tls?: { cert: string | Buffer; key: string | Buffer };
  bodyLimit?: number;
  /** Receives one line per answered request (the CLI prints them on stderr). */
  log?: (line: string) => void;
}

export interface RunningAgent {
  url: string;
  app: FastifyInstance;
  close(): Promise<void>;
}

export const DEFAULT_PORT = 7070;
export const DEFAULT_QUEUE = 16;

/** Parses and checks a config the way the search does; throws LtsError naming the rule broken. */
export function validateCandidate(json: unknown): ArchConfig {
  const cfg = parseConfig(json);
  // No parameter bounds here: those belong to the search, the agent only refuses unbuildable models.
  const why = validateConfig(cfg);
  if (why !== null) throw new LtsError(`invalid config: ${why}`);
  return cfg;
}

/** The agent's profile with the request's settings applied; limits can only get tighter. */
export function requestDevice(device: DeviceProfile, req: MeasureRequest): DeviceProfile {
  return {
    ...device,
    shapes: { ...device.shapes, ...req.shapes },
    protocol: { ...device.protocol, ...req.protocol },
    graph: req.graph ?? device.graph,
    limits: {
      memoryMb: Math.min(device.limits.memoryMb, req.limits?.memoryMb ?? Infinity),
      timeoutS: Math.min(device.limits.timeoutS, req.limits?.timeoutS ?? Infinity),
    },
  };
}

/** Memoizes an async fact; a failure is not remembered, so the next call tries again. */
function once<T>(compute: () => Promise<T>): () => Promise<T> {
  let p: Promise<T> | undefined;
  return () => {
    let cur = p;
    if (cur === undefined) {
      const started = compute();
      cur = p = started;
      started.catch(() => {
        if (p === started) p = undefined;
      });
    }
    return cur;
  };
}

/** One line per answer for the agent's log, keyed by the raw response (the reply object is per-request anyway). */
const outcomes = new WeakMap<object, string>();

function refuse(reply: FastifyReply, status: number, error: string): FastifyReply {
  outcomes.set(reply.raw, error);
  return reply.code(status).send({ error, protocol_version: PROTOCOL_VERSION });
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Builds the HTTP app without listening (tests can `inject` into it). */
export function buildAgent(opts: AgentOptions): FastifyInstance {
  const bodyLimit = opts.bodyLimit ?? MAX_BODY_BYTES;
  const queue = new SerialQueue(opts.queue ?? DEFAULT_QUEUE);
  const checkToken = tokenChecker(opts.token);
  const started = Date.now();
  const device = opts.device;
  // Latency and decode in a warm worker (start-up is slowest on the small boards an agent serves);
  // memory still in a fresh process per candidate.
  const warm = new WarmMeasurer();

  // Computed once: the machine does not change while the agent runs, and doctor() starts sessions.
  const fingerprintOnce = once(() => fingerprint(device));
  // doctor() runs tiny models on every provider: it takes its turn in the queue like a measurement.
  const doctorOnce = once((): Promise<unknown> => {
    const job = queue.submit(() => doctor());
    if (job === null) return Promise.reject(Object.assign(new Error('queue full; try again later'), { statusCode: 503 }));
    return job;
  });

  const app = Fastify({
    logger: false,
    bodyLimit,
    ...(opts.tls ? { https: { cert: opts.tls.cert, key: opts.tls.key } } : {}),
  }) as unknown as FastifyInstance;
  app.addHook('onClose', async () => warm.close());

  // Authentication runs before the body is read, so an unauthenticated client cannot make the agent
  // parse anything, and it covers every route (health included: it reveals what the device is).
  app.addHook('onRequest', async (request, reply) => {
    if (!checkToken(bearerToken(request.headers.authorization))) {
      reply.header('www-authenticate', 'Bearer realm="lts-agent"');
      return refuse(reply, 401, 'missing or wrong bearer token');
    }
  });

  if (opts.log) {
    const log = opts.log;
    app.addHook('onResponse', async (request, reply) => {
      const what = outcomes.get(reply.raw);
      log(`${new Date().toISOString()} ${request.ip} ${request.method} ${request.url.split('?')[0]} ${reply.statusCode} ${Math.round(reply.elapsedTime)} ms${what ? `: ${what}` : ''}`);
    });
  }

  app.setErrorHandler((err: FastifyError, _request, reply) => {
    if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return refuse(reply, 413, `request body over the ${bodyLimit}-byte limit`);
    if (err.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || err instanceof SyntaxError) return refuse(reply, 400, `malformed JSON: ${err.message}`);
    const status = typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 600 ? err.statusCode : 500;
    return refuse(reply, status, err.message);
  });

  app.setNotFoundHandler((request, reply) => refuse(reply, 404, `no route ${request.method} ${request.url}`));

  app.get('/v1/health', async (): Promise<HealthResponse> => ({
    ok: true,
    version: toolVersion(),
    protocol_version: PROTOCOL_VERSION,
    device: device.name,
    queue_depth: queue.depth,
    queue_max: queue.maxWaiting,
    busy: queue.busy,
    measured: queue.completed,
    uptime_s: Math.round((Date.now() - started) / 1000),
  }));

  app.get('/v1/fingerprint', async () => ({ protocol_version: PROTOCOL_VERSION, fingerprint: await fingerprintOnce() }));

  app.get('/v1/capabilities', async () => ({
    protocol_version: PROTOCOL_VERSION,
    version: toolVersion(),
    device,
    fingerprint: await fingerprintOnce(),
    doctor: await doctorOnce(),
  }));

  app.post('/v1/measure', async (request, reply) => {
    const body = request.body;
    if (!isObject(body)) return refuse(reply, 400, 'request body must be a JSON object');
    if (body.protocol_version === undefined) return refuse(reply, 400, `missing protocol_version (this agent speaks ${PROTOCOL_VERSION})`);
    if (body.protocol_version !== PROTOCOL_VERSION) return refuse(reply, 409, versionMismatch(body.protocol_version));
    const bad = checkMeasureRequest(body);
    if (bad !== null) return refuse(reply, 400, bad);
    const req = body as unknown as MeasureRequest;
    const mismatch = targetMismatch(device, req.target);
    if (mismatch !== null) return refuse(reply, 409, mismatch);
    let cfg: ArchConfig;
    try {
      cfg = validateCandidate(req.config);
    } catch (e) {
      return refuse(reply, 400, (e as Error).message);
    }
    const dev = requestDevice(device, req);

    // A client that gives up while its request waits should not cost a measurement.
    const gone = new AbortController();
    reply.raw.on('close', () => {
      if (!reply.raw.writableFinished) gone.abort();
    });
    const job = queue.submit(() => warm.measure({ kind: 'config', cfg }, dev, { metrics: req.metrics as Metric[], seed: req.seed }), gone.signal);
    if (job === null) {
      reply.header('retry-after', '5');
      return refuse(reply, 503, `queue full (${queue.maxWaiting} waiting behind the running measurement); try again later`);
    }
    let measurement: Measurement;
    try {
      measurement = await job;
    } catch (e) {
      if (e instanceof JobCancelled) return reply; // nobody is listening any more
      throw e;
    }
    if (killedByStopSignal(measurement)) {
      // Ctrl-C on the agent's terminal (or a service stop signalling its whole group) reaches the
      // measuring child too. That is the agent going away, not the candidate failing: answer 503 so the
      // search measures it elsewhere or later rather than recording a failure it would never retry.
      reply.header('retry-after', '5');
      return refuse(reply, 503, `measurement interrupted on the agent (${measurement.error}); the candidate was not measured`);
    }
    outcomes.set(
      reply.raw,
      `${cfg.family} ${definitionOf(cfg).summary(cfg).text}: ${measurement.ok ? `measured (${measurement.provider ?? '?'})` : `failed: ${measurement.error ?? 'unknown'}`}`,
    );
    const answer: MeasureResponse = { protocol_version: PROTOCOL_VERSION, measurement, fingerprint: await fingerprintOnce() };
    return answer;
  });

  return app;
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.');
}

/** Starts listening; resolves with the bound URL once the socket is open. */
export async function startAgent(opts: AgentOptions): Promise<RunningAgent> {
  const host = opts.host ?? '127.0.0.1';
  const app = buildAgent(opts);
  await app.listen({ host, port: opts.port ?? DEFAULT_PORT });
  const addr = app.server.address();
  const port = typeof addr === 'object' && addr !== null ? addr.port : (opts.port ?? DEFAULT_PORT);
  const shownHost = host.includes(':') ? `[${host}]` : host;
  const url = `${opts.tls ? 'https' : 'http'}://${shownHost}:${port}`;
  return { url, app, close: () => app.close() };
}

export { isLoopback, toolVersion };
