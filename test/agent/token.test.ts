import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bearerToken, loadAgentToken, loadClientToken, tokenChecker, TOKEN_ENV } from '../../src/agent/token.js';
import { LtsError } from '../../src/util/errors.js';

const GOOD = 'a'.repeat(32);

describe('agent token', () => {
  it('comes from the file when given, else from the environment', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lts-token-'));
    const file = join(dir, 'token');
    writeFileSync(file, `${GOOD}\n`);
    expect(loadAgentToken({ tokenFile: file, env: { [TOKEN_ENV]: 'b'.repeat(32) } })).toBe(GOOD);
    expect(loadAgentToken({ env: { [TOKEN_ENV]: ` ${GOOD} ` } })).toBe(GOOD);
  });

  it('refuses to start without a token, or with a short one', () => {
    expect(() => loadAgentToken({ env: {} })).toThrow(LtsError);
    expect(() => loadAgentToken({ env: {} })).toThrow(TOKEN_ENV);
    expect(() => loadAgentToken({ env: { [TOKEN_ENV]: 'short' } })).toThrow(/at least 16/);
    expect(() => loadAgentToken({ tokenFile: '/nonexistent/token', env: {} })).toThrow(/cannot read token file/);
  });

  it('client token: names the env var to set when missing', () => {
    expect(loadClientToken({ tokenEnv: 'LTS_JETSON_TOKEN' }, 'jetson', { LTS_JETSON_TOKEN: GOOD })).toBe(GOOD);
    expect(() => loadClientToken({ tokenEnv: 'LTS_JETSON_TOKEN' }, 'jetson', {})).toThrow(/set LTS_JETSON_TOKEN/);
    // Naming no source means the agent's own variable.
    expect(loadClientToken({}, 'custom', { [TOKEN_ENV]: GOOD })).toBe(GOOD);
    expect(() => loadClientToken({}, 'custom', {})).toThrow(new RegExp(`set ${TOKEN_ENV}`));
  });

  it('checks the bearer token exactly', () => {
    const check = tokenChecker(GOOD);
    expect(check(GOOD)).toBe(true);
    expect(check(`${GOOD}x`)).toBe(false);
    expect(check(GOOD.slice(1))).toBe(false);
    expect(check('')).toBe(false);
    expect(check(undefined)).toBe(false);
    expect(bearerToken(`Bearer ${GOOD}`)).toBe(GOOD);
    expect(bearerToken(`bearer ${GOOD}`)).toBe(GOOD);
    expect(bearerToken(`Basic ${GOOD}`)).toBeUndefined();
    expect(bearerToken(undefined)).toBeUndefined();
  });
});
