// One search per run directory at a time. Two processes appending to the same candidates.jsonl would
// measure the same candidates twice and disturb each other's timings (e.g. `--resume` started while the
// first run is still going). The lock names its holder so a stale one (kill -9, second Ctrl-C) is
// recognised and taken over.
import { existsSync, linkSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { LtsError } from '../util/errors.js';

export const LOCK_FILE = '.lts-search.lock';

interface Holder {
  pid: number;
  host: string;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    // EPERM: the process exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  // A killed search stays a zombie until its parent reaps it, and signal 0 still reaches a zombie.
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    // Gone in between, or no /proc (not Linux): then trust the signal.
    return !existsSync('/proc/self/stat');
  }
}

function readHolder(path: string): Holder | undefined {
  try {
    const h = JSON.parse(readFileSync(path, 'utf8')) as Partial<Holder>;
    if (typeof h.pid === 'number' && typeof h.host === 'string') return { pid: h.pid, host: h.host };
  } catch {
    /* unreadable or half-written: treated as stale */
  }
  return undefined;
}

/** Takes the run directory's lock or throws LtsError naming the search holding it; returns the release function. */
export function lockRunDir(dir: string): () => void {
  const path = join(dir, LOCK_FILE);
  const me: Holder = { pid: process.pid, host: hostname() };
  // Written aside and hard-linked into place, so the lock never exists without its holder in it.
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(me) + '\n');
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        linkSync(tmp, path);
        break;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      if (attempt >= 2) throw new LtsError(`cannot take the lock ${path}: it keeps reappearing; is another search starting in ${dir}?`);
      const h = readHolder(path);
      if (h && h.host !== me.host) {
        throw new LtsError(`${dir} is in use by an lts search on ${h.host} (pid ${h.pid}); if that search is gone, delete ${path}`);
      }
      if (h && alive(h.pid)) {
        throw new LtsError(`${dir} is in use by another lts search (pid ${h.pid}); wait for it to end or stop it, then resume`);
      }
      // Left by a search that died without releasing it (kill -9, a second Ctrl-C).
      try {
        unlinkSync(path);
      } catch {
        /* someone else removed it first */
      }
    }
  } finally {
    try {
      unlinkSync(tmp);
    } catch {
      /* nothing to clean */
    }
  }
  let released = false;
  return () => {
    if (released) return;
    released = true;
    try {
      if (readHolder(path)?.pid === me.pid) unlinkSync(path);
    } catch {
      /* already gone */
    }
  };
}
