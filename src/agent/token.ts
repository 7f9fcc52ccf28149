import { createHash, timingSafeEqual } from 'node:crypto';
import { LtsError } from '../util/errors.js';
import { readTextFile } from '../util/files.js';

/** Environment variable the agent (and, by default, the client) reads the token from. */
export const TOKEN_ENV = 'LTS_AGENT_TOKEN';

/** Short tokens can be guessed over the network; `openssl rand -hex 32` gives 64 characters. */
export const MIN_TOKEN_LENGTH = 16;

function readTokenFile(path: string): string {
  return readTextFile(path, 'token file').trim();
}

/**
 * The agent's token: from the file if given, else from the environment. Refuses to go on without
 * one, or with one too short to resist guessing, because the agent runs code-shaped requests.
 */
export function loadAgentToken(opts: { tokenFile?: string; env?: NodeJS.ProcessEnv }): string {
  const env = opts.env ?? process.env;
  const token = opts.tokenFile !== undefined ? readTokenFile(opts.tokenFile) : (env[TOKEN_ENV] ?? '').trim();
  if (token === '') {
    throw new LtsError(
      opts.tokenFile !== undefined
        ? `token file ${opts.tokenFile} is empty; put a secret in it (e.g. openssl rand -hex 32 > ${opts.tokenFile})`
        : `lts agent needs a token: set ${TOKEN_ENV} or pass --token-file <path> (e.g. openssl rand -hex 32)`,
    );
  }
  if (token.length < MIN_TOKEN_LENGTH) {
    throw new LtsError(`agent token is ${token.length} characters; use at least ${MIN_TOKEN_LENGTH} (e.g. openssl rand -hex 32)`);
  }
  return token;
}

/** The client's token for one device profile: the named env var first, then the named file. */
export function loadClientToken(agents: { tokenEnv?: string; tokenFile?: string }, deviceName: string, env: NodeJS.ProcessEnv = process.env): string {
  // A profile naming neither source uses the same variable the agent reads.
  const tokenEnv = agents.tokenEnv ?? (agents.tokenFile === undefined ? TOKEN_ENV : undefined);
  const fromEnv = tokenEnv !== undefined ? (env[tokenEnv] ?? '').trim() : '';
  if (fromEnv !== '') return fromEnv;
  if (agents.tokenFile !== undefined) {
    const t = readTokenFile(agents.tokenFile);
    if (t !== '') return t;
    throw new LtsError(`token file ${agents.tokenFile} (device '${deviceName}') is empty`);
  }
  const name = tokenEnv ?? TOKEN_ENV;
  throw new LtsError(`device '${deviceName}' measures through lts agent: set ${name} to the agent's token`);
}

function digest(s: string): Buffer {
  return createHash('sha256').update(s, 'utf8').digest();
}

/**
 * Constant-time token check. Hashing both sides first gives equal-length buffers, so neither the
 * comparison nor an early length check leaks how much of the token a guess got right.
 */
export function tokenChecker(token: string): (presented: string | undefined) => boolean {
  const expected = digest(token);
  return (presented) => presented !== undefined && timingSafeEqual(expected, digest(presented));
}

/** The token in an `Authorization: Bearer <token>` header, or undefined. */
export function bearerToken(header: string | string[] | undefined): string | undefined {
  if (typeof header !== 'string') return undefined;
  const m = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header);
  return m ? m[1] : undefined;
}
