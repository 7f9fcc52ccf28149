// The lts package itself: where it is installed, its version, and the versions of what it depends on.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let root: string | undefined;
let version: string | undefined;

/** The lts package root (holds devices/, schemas/, dist/), found from this module's location so it works from src/ and dist/src/ alike. */
export function packageRoot(): string {
  if (root) return root;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pj = join(dir, 'package.json');
    if (existsSync(pj) && JSON.parse(readFileSync(pj, 'utf8')).name === 'lts') return (root = dir);
    const up = dirname(dir);
    if (up === dir) throw new Error('lts package root not found above ' + fileURLToPath(import.meta.url));
    dir = up;
  }
}

/** The tool's version, from its package.json. */
export function toolVersion(): string {
  return (version ??= (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version);
}

/** Version of an installed package, read from its package.json without importing it. */
export function packageVersion(name: string): string {
  try {
    return JSON.parse(readFileSync(join(packageDir(name), 'package.json'), 'utf8')).version as string;
  } catch {
    return 'not installed';
  }
}

export function packageDir(name: string): string {
  return join(packageRoot(), 'node_modules', name);
}
