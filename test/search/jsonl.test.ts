import { appendFileSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeFileAtomic } from '../../src/util/atomic.js';
import { JsonlAppender, readJsonl } from '../../src/util/jsonl.js';
import { tmp } from './helpers.js';

describe('jsonl', () => {
  it('tolerates a truncated last line and starts the next record on a fresh line', () => {
    const p = join(tmp(), 'c.jsonl');
    const w = new JsonlAppender(p);
    w.append({ a: 1 });
    w.append({ a: 2 });
    w.close();
    appendFileSync(p, '{"a": 3, "b": [1, 2');
    expect(readJsonl(p)).toEqual({ records: [{ a: 1 }, { a: 2 }], skipped: [3] });
    const w2 = new JsonlAppender(p);
    w2.append({ a: 4 });
    w2.close();
    expect(readJsonl(p)).toEqual({ records: [{ a: 1 }, { a: 2 }, { a: 4 }], skipped: [3] });
    expect(readFileSync(p, 'utf8').endsWith('{"a":4}\n')).toBe(true);
  });

  it('refuses a file that is not JSON lines at all', () => {
    const p = join(tmp(), 'x.jsonl');
    writeFileSync(p, 'hello\n{"a":1}\n');
    expect(() => readJsonl(p)).toThrow(/not a JSON line/);
  });

  it('reads a missing file as empty', () => {
    expect(readJsonl(join(tmp(), 'none.jsonl'))).toEqual({ records: [], skipped: [] });
  });

  it('writeFileAtomic replaces the whole file and leaves no temp file', () => {
    const dir = tmp();
    const p = join(dir, 'f.json');
    writeFileAtomic(p, 'first');
    writeFileAtomic(p, 'second');
    expect(readFileSync(p, 'utf8')).toBe('second');
    expect(readdirSync(dir)).toEqual(['f.json']);
  });
});
