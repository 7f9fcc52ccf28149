import { Command } from 'commander';
import { readFileSync, statSync } from 'node:fs';
import { createSecureContext } from 'node:tls';
import { checkDevice, closeBrowser, loadDevice } from '../profile/index.js';
import { LtsError } from '../util/errors.js';
import { PROTOCOL_VERSION } from '../agent/protocol.js';
import { DEFAULT_PORT, DEFAULT_QUEUE, isLoopback, startAgent } from '../agent/server.js';
import { toolVersion } from '../util/package.js';
import { loadAgentToken, TOKEN_ENV } from '../agent/token.js';
import { int } from './options.js';

function readPem(path: string, what: string): Buffer {
  try {
    return readFileSync(path);
  } catch (e) {
    throw new LtsError(`cannot read TLS ${what} ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

/** The certificate and key, checked as a pair now rather than when the server starts (after the device probe). */
function readTlsPair(certPath: string, keyPath: string): { cert: Buffer; key: Buffer } {
  const cert = readPem(certPath, 'certificate');
  const key = readPem(keyPath, 'key');
  try {
    createSecureContext({ cert, key });
  } catch (e) {
    const why = (e as { reason?: string }).reason ?? (e as Error).message;
    throw new LtsError(`--tls-cert ${certPath} and --tls-key ${keyPath} are not a PEM certificate and its private key (${why})`);
  }
  return { cert, key };
}

interface AgentCliOptions {
  device: string;
  host: string;
  port: number;
  tokenFile?: string;
  tlsCert?: string;
  tlsKey?: string;
  queue: number;
  quiet?: boolean;
}

export function agentCommand(): Command {
  return new Command('agent')
    .description('serve measurement requests for this device over HTTP(S), so `lts search` on another machine can measure here')
    .option('--device <name|path>', 'device profile this agent measures with', 'cpu')
    .option('--host <address>', 'address to listen on (use 0.0.0.0 to accept other machines)', '127.0.0.1')
    .option('--port <n>', 'port to listen on (0 picks a free one)', int('--port', 0, 65535), DEFAULT_PORT)
    .option('--token-file <path>', `file holding the bearer token (default: env ${TOKEN_ENV})`)
    .option('--tls-cert <path>', 'PEM certificate: serve HTTPS (needs --tls-key)')
    .option('--tls-key <path>', 'PEM private key for --tls-cert')
    .option('--queue <n>', 'requests that may wait behind the running measurement; more get 503', int('--queue', 0, 10000), DEFAULT_QUEUE)
    .option('--quiet', 'do not log each answered request on stderr')
    .action(async (opts: AgentCliOptions) => {
      if ((opts.tlsCert === undefined) !== (opts.tlsKey === undefined)) {
        throw new LtsError('--tls-cert and --tls-key go together');
      }
      const token = loadAgentToken({ tokenFile: opts.tokenFile });
      if (opts.tokenFile !== undefined && process.platform !== 'win32' && (statSync(opts.tokenFile).mode & 0o077) !== 0) {
        process.stderr.write(`lts agent: warning: ${opts.tokenFile} is readable by other users; chmod 600 ${opts.tokenFile}\n`);
      }
      const device = loadDevice(opts.device);
      const tls = opts.tlsCert !== undefined && opts.tlsKey !== undefined ? readTlsPair(opts.tlsCert, opts.tlsKey) : undefined;
      if (!isLoopback(opts.host) && tls === undefined) {
        process.stderr.write(`lts agent: warning: listening on ${opts.host} without TLS; the token and configs cross the network in clear text (see --tls-cert)\n`);
      }
      // Fail here, with the fix, rather than answer every request with a failed measurement.
      await checkDevice(device);
      const log = opts.quiet ? undefined : (line: string) => process.stderr.write(`lts agent: ${line}\n`);
      const agent = await startAgent({ device, token, host: opts.host, port: opts.port, queue: opts.queue, tls, log }).catch((e: NodeJS.ErrnoException) => {
        if (e.code === 'EADDRINUSE') throw new LtsError(`port ${opts.port} on ${opts.host} is in use; pick another with --port`);
        if (e.code === 'EACCES') throw new LtsError(`not allowed to listen on ${opts.host}:${opts.port}; use a port above 1023`);
        if (e.code === 'EADDRNOTAVAIL') throw new LtsError(`${opts.host} is not an address of this machine (--host)`);
        if (e.code === 'ENOTFOUND' || e.code === 'EAI_AGAIN') throw new LtsError(`--host ${opts.host}: no such host name here`);
        throw e;
      });
      // Handlers first: whoever reads the listening line may signal at once, and a signal that arrives
      // before a handler exists kills the process without closing the agent.
      const stopped = new Promise<void>((resolve) => {
        const stop = (): void => {
          process.stderr.write('lts agent: stopping\n');
          agent.close().then(resolve, resolve);
        };
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      // One JSON line on stdout so scripts and tests can read the bound URL (port 0 included).
      process.stdout.write(
        `${JSON.stringify({ event: 'listening', url: agent.url, device: device.name, version: toolVersion(), protocol_version: PROTOCOL_VERSION, pid: process.pid })}\n`,
      );
      process.stderr.write(`lts agent: measuring on '${device.name}', listening on ${agent.url} (Ctrl-C stops)\n`);
      await stopped;
      // A browser profile's Chromium stays up between requests; it goes with the agent.
      await closeBrowser();
    });
}
