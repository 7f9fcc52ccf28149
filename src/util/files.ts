// Reading the files a user names (profiles, configs, space overrides, calibrations, runs), each failure one line.
import { readFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { existsSync } from 'node:fs';
import { LtsError, oneLine } from './errors.js';

/** The file's text; a failure reads `cannot read <what> <path>: ENOENT`. */
export function readTextFile(path: string, what?: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    throw new LtsError(`cannot read ${what ? `${what} ` : ''}${path}: ${(e as NodeJS.ErrnoException).code ?? oneLine(e)}`);
  }
}

/** The file's JSON; bad JSON reads `<what> <path>: not valid JSON (<parser's reason>)`. */
export function readJsonFile(path: string, what?: string): unknown {
  const text = readTextFile(path, what);
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new LtsError(`${what ? `${what} ` : ''}${path}: not valid JSON (${oneLine(e)})`);
  }
}

/** A name (of a file shipped in a folder) or a path: anything with a slash or ending in .json is a path. */
export function isPathLike(nameOrPath: string): boolean {
  return nameOrPath.includes('/') || nameOrPath.includes('\\') || nameOrPath.endsWith('.json') || isAbsolute(nameOrPath);
}

/**
 * The file a name-or-path stands for: an absolute path for a path (so it stays valid from another
 * directory), `<dir>/<name>.json` for a known name; an unknown name throws `unknown(name)`.
 */
export function resolveNamed(nameOrPath: string, dir: string, unknown: (name: string) => string): string {
  if (isPathLike(nameOrPath)) return resolve(nameOrPath);
  const file = join(dir, `${nameOrPath}.json`);
  if (!existsSync(file)) throw new LtsError(unknown(nameOrPath));
  return file;
}
