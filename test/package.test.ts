// The package installs cleanly on the Node it says it needs: no dependency in the lock file asks for a
// newer Node than package.json's engines floor (npm would warn EBADENGINE on every install).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

const require = createRequire(import.meta.url);
// semver is npm's own range logic (installed with fastify); the same test npm's EBADENGINE warning makes.
const semver = require('semver') as { satisfies(v: string, range: string): boolean; minVersion(range: string): { version: string } };
const root = new URL('..', import.meta.url);
const pkg = JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as { engines: { node: string } };
const lock = JSON.parse(readFileSync(new URL('package-lock.json', root), 'utf8')) as { packages: Record<string, { version?: string; engines?: { node?: string } }> };

describe('engines', () => {
  it('every locked dependency runs on the oldest Node the package accepts', () => {
    const floor = semver.minVersion(pkg.engines.node).version;
    const refusing = Object.entries(lock.packages)
      .filter(([name, p]) => name !== '' && typeof p.engines?.node === 'string' && !semver.satisfies(floor, p.engines.node))
      .map(([name, p]) => `${name.replace(/^.*node_modules\//, '')}@${p.version} wants node ${p.engines!.node}`);
    expect(refusing).toEqual([]);
  });
});
