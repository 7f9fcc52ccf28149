import { closeSync, existsSync, fsyncSync, openSync, readFileSync, writeSync } from 'node:fs';
import { LtsError } from './errors.js';

/**
 * Append-only JSON-lines writer. Each record is one write(2) of a whole line followed by fsync, so
 * after a crash the file holds every finished record and at most one truncated last line.
 */
export class JsonlAppender {
  private fd: number;

  constructor(readonly path: string) {
    // A crash can leave a last line without its newline; start ours on a fresh line so that
    // partial line stays a lone unparseable line instead of corrupting the next record.
    const needsNewline = existsSync(path) && endsWithoutNewline(path);
    this.fd = openSync(path, 'a');
    if (needsNewline) writeSync(this.fd, '\n');
  }

  append(record: unknown): void {
    const line = Buffer.from(JSON.stringify(record) + '\n', 'utf8');
    let off = 0;
    while (off < line.length) off += writeSync(this.fd, line, off, line.length - off);
    fsyncSync(this.fd);
  }

  close(): void {
    if (this.fd >= 0) {
      closeSync(this.fd);
      this.fd = -1;
    }
  }
}

function endsWithoutNewline(path: string): boolean {
  const buf = readFileSync(path);
  return buf.length > 0 && buf[buf.length - 1] !== 0x0a;
}

export interface JsonlRead<T> {
  records: T[];
  /** Lines that did not parse (1-based line numbers): a truncated last line after a crash. */
  skipped: number[];
}

/**
 * Read a JSON-lines file, skipping (and reporting) lines that do not parse. A crash mid-append leaves
 * a truncated last line; after a restart the appender starts a fresh line, so such a partial line can
 * also sit mid-file. A bad line that is not even the start of a JSON object means the file is
 * something else, which throws unless `tolerateAnyBadLine`.
 */
export function readJsonl<T = unknown>(path: string, opts: { tolerateAnyBadLine?: boolean } = {}): JsonlRead<T> {
  if (!existsSync(path)) return { records: [], skipped: [] };
  const lines = readFileSync(path, 'utf8').split('\n');
  const records: T[] = [];
  const skipped: number[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '') continue;
    try {
      records.push(JSON.parse(line) as T);
    } catch {
      skipped.push(i + 1);
    }
  }
  if (!opts.tolerateAnyBadLine) {
    for (const n of skipped) {
      if (!lines[n - 1]!.trim().startsWith('{')) throw new LtsError(`${path}:${n}: not a JSON line`);
    }
  }
  return { records, skipped };
}
