import AjvModule from 'ajv';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadCalibration, parseCsv, predictInterval, predictPpl } from '../../src/calibrate/index.js';
import { FRONTIER_CSV_COLUMNS, trainingConfig, writeReport } from '../../src/report/index.js';
import { LtsError } from '../../src/util/errors.js';
import { makeRunDir, type Fixture } from './fixture.js';

const Ajv = ((AjvModule as unknown as { default?: unknown }).default ?? AjvModule) as typeof AjvModule.default;
const schema = JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'schemas', 'training-config.schema.json'), 'utf8'));
const validate = new Ajv({ strict: false, allErrors: true }).compile(schema);

let fx: Fixture;
let files: string[];
const read = (name: string): string => readFileSync(join(fx.dir, name), 'utf8');

beforeAll(async () => {
  fx = makeRunDir();
  ({ files } = await writeReport(fx.dir));
});

describe('writeReport', () => {
  it('writes the svg, html, csv and one training config per frontier point, and no temp files', () => {
    const names = files.map((f) => f.slice(fx.dir.length + 1)).sort();
    const expected = ['frontier.csv', 'pareto.svg', 'report.html', ...fx.pareto.frontier.map((p) => `configs/${p.id}.json`)].sort();
    expect(names).toEqual(expected);
    expect(readdirSync(fx.dir).filter((f) => f.includes('.tmp'))).toEqual([]);
    expect(readdirSync(join(fx.dir, 'configs')).sort()).toEqual(fx.pareto.frontier.map((p) => `${p.id}.json`).sort());
  });

  it('plots with vega: every frontier id labelled, other candidates unlabelled', () => {
    const svg = read('pareto.svg');
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('class="marks"'); // vega's SVG renderer
    for (const p of fx.pareto.frontier) expect(svg).toContain(`>${p.id}<`);
    const frontierIds = new Set(fx.pareto.frontier.map((p) => p.id));
    const other = fx.records.find((r) => !frontierIds.has(r.id) && r.measurement.ok)!;
    expect(svg).not.toContain(`>${other.id}<`);
    expect(svg).toContain('decoder params (M)');
    // Every cost the run measured gets its row of panels.
    expect(svg).toContain('prefill latency');
    expect(svg).toContain('peak inference memory (MB)');
    // One perplexity panel per calibration: BPE GPT-2/Primer and word-level Transformer-XL never share an axis.
    expect(svg).toContain('predicted validation ppl: gpt2-wt103 (gpt2, primer)');
    expect(svg).toContain('predicted validation ppl: transfo-xl-wt103 (transfo-xl)');
    expect(svg).not.toContain('wt103+');
    expect(svg).toContain('90 % interval of predicted perplexity (unanchored');
  });

  it('marks extrapolated frontier points and widens their intervals', () => {
    const [header, ...rows] = parseCsv(read('frontier.csv'));
    const col = (name: string): number => header!.indexOf(name);
    const width = (r: string[]): number => Math.log(Number(r[col('predicted_ppl_high')]) / Number(r[col('predicted_ppl_low')]));
    const inside = rows.filter((r) => r[col('ppl_in_range')] === 'true');
    const outside = rows.filter((r) => r[col('ppl_in_range')] === 'false');
    expect(inside.length).toBeGreaterThan(0);
    expect(outside.length).toBeGreaterThan(0);
    expect(Math.min(...outside.map(width))).toBeGreaterThan(Math.max(...inside.filter((r) => r[col('ppl_calibration')] === outside[0]![col('ppl_calibration')]).map(width)));
    expect(read('pareto.svg')).toMatch(/boxed: \d+ frontier point\(s\) outside their calibration's params range/);
    expect(read('report.html')).toContain('<td>extrapolated</td>');
  });

  it('frontier.csv has one row per frontier point with its numbers', () => {
    const [header, ...rows] = parseCsv(read('frontier.csv'));
    expect(header).toEqual([...FRONTIER_CSV_COLUMNS]);
    expect(rows).toHaveLength(fx.pareto.frontier.length);
    const col = (name: string): number => header!.indexOf(name);
    const cal = loadCalibration('gpt2-wt103');
    for (const p of fx.pareto.frontier) {
      const row = rows.find((r) => r[col('id')] === p.id)!;
      expect(Number(row[col('decoder_params')])).toBe(p.decoder_params);
      expect(Number(row[col('latency_median_ms')])).toBeCloseTo(p.latency!.median_ms, 9);
      expect(row[col('d_inner')]).toBe(p.config.d_inner.join(';'));
      // The calibration pareto.json names where it applies (gpt2, primer) and the family's own
      // built-in curve where it does not (transfo-xl), for every point: stored values are not reused.
      const famCal = p.family === 'transfo-xl' ? loadCalibration('transfo-xl-wt103') : cal;
      const pred = predictInterval(famCal, p.decoder_params);
      expect(Number(row[col('predicted_ppl')])).toBeCloseTo(pred.ppl, 9);
      expect(Number(row[col('predicted_ppl_low')])).toBeCloseTo(pred.low, 9);
      expect(Number(row[col('predicted_ppl_high')])).toBeCloseTo(pred.high, 9);
      expect(row[col('ppl_calibration')]).toBe(famCal.name);
      expect(row[col('ppl_anchored')]).toBe('false');
    }
    const recorded = fx.pareto.frontier[0]!;
    expect(recorded.predicted_ppl).not.toBeCloseTo(predictPpl(cal, recorded.decoder_params), 3);
    expect(Number(rows.find((r) => r[col('id')] === recorded.id)![col('predicted_ppl')])).toBeCloseTo(predictPpl(cal, recorded.decoder_params), 9);
    // Sorted by the first metric (latency).
    const lat = rows.map((r) => Number(r[col('latency_median_ms')]));
    expect(lat).toEqual([...lat].sort((a, b) => a - b));
  });

  it('report.html is self-contained with the plot, a sortable table row per frontier point, settings and fingerprint', () => {
    const html = read('report.html');
    expect(html).toContain('<svg');
    expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+href=|https?:\/\/(?!www\.w3\.org)/);
    const body = html.split('<table class="sortable" id="frontier">')[1]!.split('</table>')[0]!;
    expect(body.match(/<tr>/g)!.length).toBe(fx.pareto.frontier.length + 1); // + header row
    for (const p of fx.pareto.frontier) expect(body).toContain(`<td>${p.id}</td>`);
    expect(body).toContain('href="configs/');
    expect(html).toContain('test-host');
    expect(html).toContain('Test CPU @ 2.0GHz');
    expect(html).toContain('cpu-test');
    expect(html).toContain('targetRelCi');
    expect(html).toContain('gpt2-wt103');
    expect(html).toContain("addEventListener('click'");
    expect(html).toContain('(1 failed and not plotted)');
    expect(html).toContain('1 unreadable line(s) skipped');
  });

  it('training configs validate against the schema and say what they are', () => {
    const kinds: Record<string, string> = {};
    for (const p of fx.pareto.frontier) {
      const cfg = JSON.parse(read(`configs/${p.id}.json`));
      expect(validate(cfg), JSON.stringify(validate.errors)).toBe(true);
      expect(cfg.lts.id).toBe(p.id);
      expect(cfg.lts.decoder_params).toBe(p.decoder_params);
      // The report's calibration, not a value the search stored.
      const famCal = loadCalibration(p.family === 'transfo-xl' ? 'transfo-xl-wt103' : 'gpt2-wt103');
      expect(cfg.lts.predicted_ppl).toBeCloseTo(predictPpl(famCal, p.decoder_params), 9);
      kinds[p.id] = cfg.lts.kind;
    }
    expect(kinds['c2-gpt2']).toBe('hf-gpt2');
    expect(kinds['c4-transfo-xl']).toBe('hf-transfo-xl');
    expect(kinds['c5-primer']).toBe('per-layer');
    expect(kinds['c11-gpt2']).toBe('per-layer');
    const g = JSON.parse(read('configs/c2-gpt2.json'));
    expect(g).toMatchObject({ model_type: 'gpt2', n_embd: 192, n_layer: 3, n_head: 4, n_inner: 512, vocab_size: 50257, activation_function: 'gelu_new' });
    const t = JSON.parse(read('configs/c4-transfo-xl.json'));
    expect(t).toMatchObject({ model_type: 'transfo-xl', d_model: 320, n_head: 4, d_head: 80, d_inner: 1280, div_val: 4, cutoffs: [19997, 39997, 199997], mem_len: 192, tgt_len: 192 });
    const pr = JSON.parse(read('configs/c5-primer.json'));
    expect(pr.block).toMatchObject({ ffn_activation: 'relu_squared', qkv_depthwise_conv: 3, norm: 'pre' });
    expect(pr.layers.map((l: { n_head: number }) => l.n_head)).toEqual([4, 4, 2, 2]);
    expect(pr.lts.reason).toMatch(/Primer/);
  });

  it('the schema rejects a per-layer config with a bad layer and an HF config without its fields', () => {
    const p = fx.pareto.frontier.find((x) => x.id === 'c11-gpt2')!;
    const good = trainingConfig(p, fx.pareto.settings);
    expect(validate(good)).toBe(true);
    expect(validate({ ...good, layers: [{ n_head: 0, d_head: 1, d_inner: 1 }] })).toBe(false);
    const hf = trainingConfig(fx.pareto.frontier.find((x) => x.id === 'c2-gpt2')!, fx.pareto.settings);
    const { n_embd: _dropped, ...noEmbd } = hf;
    expect(validate(noEmbd)).toBe(false);
  });

  it('applies a caller-given calibration to every point, frontier included, and names it', async () => {
    const fx2 = makeRunDir();
    await writeReport(fx2.dir, { calibration: 'gpt2-lm1b' });
    const html = readFileSync(join(fx2.dir, 'report.html'), 'utf8');
    expect(html).toContain('gpt2-lm1b');
    const [header, ...rows] = parseCsv(readFileSync(join(fx2.dir, 'frontier.csv'), 'utf8'));
    const col = (name: string): number => header!.indexOf(name);
    for (const p of fx2.pareto.frontier) {
      // Transformer-XL gets its own family's curve for the same dataset.
      const c = loadCalibration(p.family === 'transfo-xl' ? 'transfo-xl-lm1b' : 'gpt2-lm1b');
      const row = rows.find((r) => r[col('id')] === p.id)!;
      expect(Number(row[col('predicted_ppl')])).toBeCloseTo(predictPpl(c, p.decoder_params), 9);
    }
    const svg = readFileSync(join(fx2.dir, 'pareto.svg'), 'utf8');
    expect(svg).toContain('predicted validation ppl: gpt2-lm1b (gpt2, primer)');
    expect(svg).toContain('predicted validation ppl: transfo-xl-lm1b (transfo-xl)');
    rmSync(fx2.dir, { recursive: true });
  });

  it("reads a multi-family search's '+'-joined built-in calibration name as one curve per family", async () => {
    const fx3 = makeRunDir();
    const pareto = { ...fx3.pareto, calibration: { name: 'gpt2-wt103+transfo-xl-wt103+gpt2-wt103', family: 'any', dataset: 'wt103' } };
    writeFileSync(join(fx3.dir, 'pareto.json'), JSON.stringify(pareto));
    await writeReport(fx3.dir);
    const html = readFileSync(join(fx3.dir, 'report.html'), 'utf8');
    expect(html).toContain('Perplexity calibrations');
    expect(html).toMatch(/<th>name<\/th><td>gpt2-wt103<\/td>/);
    expect(html).toMatch(/<th>name<\/th><td>transfo-xl-wt103<\/td>/);
    expect(html).not.toContain('not built in');
    rmSync(fx3.dir, { recursive: true });
  });

  it('plots the first metric as the cost axis (memory)', async () => {
    const fx4 = makeRunDir();
    writeFileSync(join(fx4.dir, 'pareto.json'), JSON.stringify({ ...fx4.pareto, settings: { ...fx4.pareto.settings, metrics: ['memory', 'latency'] } }));
    await writeReport(fx4.dir);
    expect(readFileSync(join(fx4.dir, 'pareto.svg'), 'utf8')).toContain('peak inference memory (MB)');
    const [header, ...rows] = parseCsv(readFileSync(join(fx4.dir, 'frontier.csv'), 'utf8'));
    const mem = rows.map((r) => Number(r[header!.indexOf('memory_inference_peak_mb')]));
    expect(mem).toEqual([...mem].sort((a, b) => a - b));
    rmSync(fx4.dir, { recursive: true });
  });

  it('still writes a report when nothing was measured successfully', async () => {
    const fx5 = makeRunDir();
    writeFileSync(join(fx5.dir, 'pareto.json'), JSON.stringify({ ...fx5.pareto, frontier: [], counts: { ...fx5.pareto.counts, frontier: 0 } }));
    writeFileSync(join(fx5.dir, 'candidates.jsonl'), JSON.stringify(fx5.records.find((r) => !r.measurement.ok)) + '\n');
    const { files } = await writeReport(fx5.dir);
    expect(files.map((f) => f.slice(fx5.dir.length + 1)).sort()).toEqual(['frontier.csv', 'pareto.svg', 'report.html']);
    expect(readFileSync(join(fx5.dir, 'frontier.csv'), 'utf8').trim().split('\n')).toHaveLength(1);
    expect(readFileSync(join(fx5.dir, 'report.html'), 'utf8')).toContain('Frontier (0 points');
    rmSync(fx5.dir, { recursive: true });
  });

  it('refuses a directory that is not a run with one LtsError line', async () => {
    const empty = makeRunDir();
    rmSync(join(empty.dir, 'pareto.json'));
    await expect(writeReport(empty.dir)).rejects.toThrow(LtsError);
    await expect(writeReport(empty.dir)).rejects.toThrow(/no pareto\.json/);
    expect(existsSync(join(empty.dir, 'report.html'))).toBe(false);
  });
});
