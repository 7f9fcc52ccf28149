import { describe, expect, it } from 'vitest';
import { correlateTable, parseCsv, parseTrainedText } from '../../src/calibrate/index.js';
import { decoderParams } from '../../src/proxy/index.js';
import { LtsError } from '../../src/util/errors.js';

const tabular = (ppl: number | null, extra: Record<string, unknown> = {}): string =>
  JSON.stringify({
    set: 's', family: 'gpt2', dataset: 'lm1b', valid_ppl: ppl,
    config: { n_layer: 2, d_model: 64, d_inner: [128, 256, 999], n_head: [2, 4, 8], div_val: 2, d_embed: -1, n_token: 50264, cutoffs: [59997, 99997, 639997, 50264], ...extra },
  });

function oneLineError(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(LtsError);
    const msg = (e as Error).message;
    expect(msg).not.toContain('\n');
    return msg;
  }
  throw new Error('expected an LtsError');
}

describe('trained-model tables', () => {
  it('maps reference-code configs onto ArchConfig', () => {
    const t = parseTrainedText(tabular(50) + '\n', 'x.jsonl');
    const cfg = t.rows[0]!.config;
    expect(cfg).toMatchObject({ family: 'gpt2', n_layer: 2, d_model: 64, d_inner: [128, 256], n_head: [2, 4], d_embed: 64, vocab_size: 50264, cutoffs: [], div_val: 2 });
    const wt = parseTrainedText(tabular(50, { n_token: 267736, cutoffs: [19997, 39997, 199997, 267736] }), 'x.jsonl');
    expect(wt.rows[0]!.config.cutoffs).toEqual([19997, 39997, 199997]);
    expect(t.rows[0]!.group).toBe('s');
  });

  it('skips and counts rows without a perplexity, per group', () => {
    const t = parseTrainedText([tabular(50), tabular(null), tabular(40)].join('\n'), 'x.jsonl');
    expect(t.rows.map((r) => r.ppl)).toEqual([50, 40]);
    expect(t.skipped).toBe(1);
    expect(t.skippedByGroup).toEqual({ s: 1 });
    expect(t.skippedRows).toEqual([{ group: 's', family: 'gpt2', set: 's', dataset: 'lm1b' }]);
  });

  it('reads CSV with flat columns, quoted JSON configs and lts ArchConfig rows', () => {
    const csv = [
      'family,dataset,n_layer,d_model,d_inner,n_head,ppl',
      'gpt2,wt103,2,64,128;256,"[2, 4]",31.5',
      'gpt2,wt103,3,64,512,4,',
      'transfo-xl,wt103,2,128,"[256,256]",4,44',
    ].join('\r\n');
    const t = parseTrainedText(csv, 'x.csv');
    expect(t.rows).toHaveLength(2);
    expect(t.skipped).toBe(1);
    expect(t.rows[0]!.config).toMatchObject({ d_inner: [128, 256], n_head: [2, 4], vocab_size: 50257, div_val: 0 });
    expect(t.rows[0]!.group).toBe('gpt2-wt103');
    expect(t.rows[1]!.config).toMatchObject({ family: 'transfo-xl', d_inner: [256, 256], n_head: [4, 4] });
    const arch = { family: 'gpt2', n_layer: 1, d_model: 64, d_inner: [256], n_head: [4], div_val: 0, d_embed: 64, vocab_size: 100, cutoffs: [], n_positions: 32 };
    const quoted = `config,ppl\n"${JSON.stringify(arch).replace(/"/g, '""')}",12\n`;
    const q = parseTrainedText(quoted, 'q.csv');
    expect(q.rows[0]!.config).toEqual(arch);
    expect(q.rows[0]!.group).toBe('all');
    expect(decoderParams(q.rows[0]!.config)).toBe(4 * 64 * 64 + 4 * 64 + 2 * 64 * 256 + 256 + 64 + 4 * 64 + 2 * 64);
  });

  it('parses RFC 4180 quoting', () => {
    expect(parseCsv('a,b\n"x,1","say ""hi"""\n')).toEqual([['a', 'b'], ['x,1', 'say "hi"']]);
  });

  it('reports bad input as one LtsError line naming the place', () => {
    expect(oneLineError(() => parseTrainedText(tabular(50) + '\n{"set": ', 'bad.jsonl'))).toMatch(/^bad\.jsonl:2: invalid JSON/);
    expect(oneLineError(() => parseTrainedText('a,b\n1,2,3\n', 'bad.csv'))).toMatch(/^bad\.csv:2: 3 fields, header has 2/);
    expect(oneLineError(() => parseTrainedText('a,b\n"1,2\n', 'bad.csv'))).toMatch(/unterminated quoted field/);
    expect(oneLineError(() => parseTrainedText('family,n_layer,d_model,d_inner,n_head\ngpt2,1,64,128,2\n', 'n.csv'))).toMatch(/no perplexity field/);
    expect(oneLineError(() => parseTrainedText('family,n_layer,d_model,d_inner,n_head,ppl\nbert,1,64,128,2,5\n', 'f.csv'))).toMatch(/^f\.csv:2: family must be one of/);
    expect(oneLineError(() => parseTrainedText('family,n_layer,d_model,d_inner,n_head,ppl\ngpt2,2,64,128;x,2,5\n', 'l.csv'))).toMatch(/l\.csv:2: d_inner\[1\] must be a number/);
    expect(oneLineError(() => parseTrainedText(tabular(-3), 'p.jsonl'))).toMatch(/perplexity must be > 0/);
    expect(oneLineError(() => parseTrainedText(tabular(null), 'e.jsonl'))).toMatch(/no rows with a perplexity/);
  });

  it('correlates per group', () => {
    const lines = [1, 2, 3, 4, 5].map((i) => JSON.stringify({ set: 'a', family: 'gpt2', ppl: 100 - i, config: { n_layer: i, d_model: 64, d_inner: 128, n_head: 2 } }));
    const [g] = correlateTable(parseTrainedText(lines.join('\n'), 'c.jsonl'));
    expect(g).toMatchObject({ group: 'a', n: 5, spearman: 1, kendall: 1, top10_overlap: 1, top50_overlap: 1 });
  });
});
