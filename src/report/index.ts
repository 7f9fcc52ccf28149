// `lts report`: pareto.svg, report.html, frontier.csv and configs/<id>.json from a run directory.
import { definitionOf } from '../families/index.js';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { builtinCalibration, builtinNames, DATASETS, loadCalibration, predictPpl, type Calibration } from '../calibrate/index.js';
import type { Metric } from '../profile/types.js';
import { readCandidates, readPareto } from '../search/results.js';
import type { FrontierPoint, ParetoFile } from '../search/types.js';
import type { Family } from '../space/types.js';
import { writeFileAtomic } from '../util/atomic.js';
import { renderHtml, type TableCell, type TableColumn } from './html.js';
import { paretoSpec, renderSvg, type PlotPoint } from './plot.js';
import { trainingConfig, type TrainingConfigKind } from './training-config.js';

export { trainingConfig, TRAINING_CONFIG_SCHEMA, type TrainingConfig, type TrainingConfigKind } from './training-config.js';

export interface ReportOptions {
  /** Calibration (object, built-in name or file) for candidates' predicted perplexity; default: the one named in pareto.json. */
  calibration?: Calibration | string;
}

type CostHolder = Pick<FrontierPoint, 'latency' | 'decode' | 'memory'>;

export function costOf(metric: Metric, m: CostHolder): number | undefined {
  if (metric === 'latency') return m.latency?.median_ms;
  if (metric === 'decode') return m.decode?.median_ms;
  return m.memory?.inference_peak_mb;
}

function costTitle(metric: Metric, p: ParetoFile): string {
  const sh = p.settings.shapes;
  if (metric === 'latency') return `prefill latency, median ms (batch ${sh.batch} x ${sh.seq} tokens)`;
  if (metric === 'decode') return `decode latency per token, median ms (context ${sh.context})`;
  return 'peak inference memory (MB)';
}

/**
 * The calibration that predicts candidates' perplexity: the caller's, else the one pareto.json names
 * (a '+'-joined list of built-ins when a multi-family search used one per family), else each family's
 * built-in wt103 curve. A curve meant for one family is not applied to another: that family gets its
 * own built-in curve for the same dataset. The frontier keeps the predictions the search recorded.
 */
function resolveCalibration(p: ParetoFile, opt: ReportOptions['calibration']): { forFamily: (f: Family) => Calibration; note: string } {
  const perFamily = (cal: Calibration) => (f: Family): Calibration =>
    cal.applies_to.includes(f) ? cal : (DATASETS as readonly string[]).includes(cal.dataset) ? builtinCalibration(f, cal.dataset) : cal;
  if (opt) {
    const cal = typeof opt === 'string' ? loadCalibration(opt) : opt;
    return { forFamily: perFamily(cal), note: `Predicted perplexity from calibration ${cal.name} (given to lts report).` };
  }
  if (p.calibration) {
    const named = p.calibration;
    const parts = named.name.split('+');
    const builtins = new Set(builtinNames());
    if (parts.length > 1 && parts.every((n) => builtins.has(n))) {
      const dataset = (DATASETS as readonly string[]).includes(named.dataset) ? named.dataset : 'wt103';
      return { forFamily: (f) => builtinCalibration(f, dataset), note: `Predicted perplexity from each family's built-in ${dataset} calibration (pareto.json: ${named.name}).` };
    }
    try {
      const cal = loadCalibration(named.name);
      return { forFamily: perFamily(cal), note: `Predicted perplexity from calibration ${cal.name} (named in pareto.json).` };
    } catch {
      return {
        forFamily: (f) => builtinCalibration(f),
        note: `pareto.json names calibration '${named.name}', which is not built in: frontier values are the search's, grey candidates use the built-in wt103 curves (pass --calibration to use that file).`,
      };
    }
  }
  return { forFamily: (f) => builtinCalibration(f), note: 'No calibration in pareto.json: predicted perplexity from the built-in wt103 curve of each family.' };
}

function fmt(x: number | undefined, digits: number): string {
  return x === undefined || !Number.isFinite(x) ? '' : x.toFixed(digits);
}

function listCompact(xs: readonly number[]): string {
  return xs.every((x) => x === xs[0]) ? `${xs[0]} x${xs.length}` : xs.join(' ');
}

function csvField(v: unknown): string {
  const s = v === undefined || v === null ? '' : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export const FRONTIER_CSV_COLUMNS = [
  'id', 'family', 'n_layer', 'd_model', 'n_head', 'd_inner', 'div_val', 'd_embed', 'vocab_size',
  'decoder_params', 'total_params', 'predicted_ppl',
  'latency_median_ms', 'latency_ci95_low_ms', 'latency_ci95_high_ms', 'decode_median_ms', 'memory_inference_peak_mb', 'memory_load_peak_mb',
  'provider', 'iteration', 'key',
] as const;

export function frontierCsv(points: readonly (FrontierPoint & { predicted_ppl: number })[]): string {
  const lines = [FRONTIER_CSV_COLUMNS.join(',')];
  for (const p of points) {
    const c = definitionOf(p.config).summary(p.config);
    const row: Record<(typeof FRONTIER_CSV_COLUMNS)[number], unknown> = {
      id: p.id, family: p.family, n_layer: c.n_layer, d_model: c.d_model,
      n_head: c.n_head.join(';'), d_inner: c.d_inner.join(';'),
      div_val: c.div_val, d_embed: c.d_embed, vocab_size: c.vocab_size,
      decoder_params: p.decoder_params, total_params: p.total_params, predicted_ppl: p.predicted_ppl,
      latency_median_ms: p.latency?.median_ms, latency_ci95_low_ms: p.latency?.ci95_low_ms, latency_ci95_high_ms: p.latency?.ci95_high_ms,
      decode_median_ms: p.decode?.median_ms, memory_inference_peak_mb: p.memory?.inference_peak_mb, memory_load_peak_mb: p.memory?.load_peak_mb,
      provider: p.provider, iteration: p.iteration, key: p.key,
    };
    lines.push(FRONTIER_CSV_COLUMNS.map((k) => csvField(row[k])).join(','));
  }
  return lines.join('\n') + '\n';
}

/** Writes the report files into the run directory (each atomically) and returns their paths. */
export async function writeReport(runDir: string, opts: ReportOptions = {}): Promise<{ files: string[] }> {
  const pareto = readPareto(runDir);
  const { records, skippedLines } = readCandidates(runDir);
  const metric: Metric = pareto.settings.metrics[0] ?? 'latency';
  const cal = resolveCalibration(pareto, opts.calibration);

  const frontier = pareto.frontier.map((p) => ({ ...p, predicted_ppl: p.predicted_ppl ?? predictPpl(cal.forFamily(p.family), p.decoder_params) }));
  const frontierKeys = new Set(frontier.map((p) => p.key));

  const plotPoints: PlotPoint[] = [];
  let plotted = 0;
  for (const r of records) {
    if (!r.measurement.ok || frontierKeys.has(r.key)) continue;
    const cost = costOf(metric, r.measurement);
    if (cost === undefined) continue;
    plotted++;
    plotPoints.push({ id: r.id, family: r.family, role: 'candidate', cost, ppl: predictPpl(cal.forFamily(r.family), r.decoder_params), params_m: r.decoder_params / 1e6 });
  }
  const byCost = [...frontier].sort((a, b) => (costOf(metric, a) ?? Infinity) - (costOf(metric, b) ?? Infinity));
  byCost.forEach((p) => {
    const cost = costOf(metric, p);
    if (cost === undefined) return;
    plotted++;
    plotPoints.push({ id: p.id, family: p.family, role: 'frontier', cost, ppl: p.predicted_ppl, params_m: p.decoder_params / 1e6 });
  });

  // Every calibration that produced a plotted perplexity, once each, for the page.
  const usedFamilies = new Set<Family>(plotPoints.map((p) => p.family as Family));
  const used = new Map<string, { cal: Calibration; families: Family[] }>();
  for (const f of usedFamilies) {
    const c = cal.forFamily(f);
    const u = used.get(c.name) ?? { cal: c, families: [] };
    u.families.push(f);
    used.set(c.name, u);
  }
  const usedList = [...used.values()];
  const calNames = usedList.map((u) => u.cal.name).join(', ');
  const datasets = [...new Set(usedList.map((u) => u.cal.dataset))].join(', ');

  const ctitle = costTitle(metric, pareto);
  const svg = await renderSvg(
    paretoSpec(plotPoints, {
      title: `Pareto frontier on ${pareto.device.name}: ${metric} vs predicted perplexity and decoder params`,
      subtitle: `${plotted - frontier.length} other candidates (grey), ${frontier.length} frontier points labelled by id; perplexity from ${calNames}`,
      costTitle: ctitle,
      pplTitle: `predicted validation perplexity (${datasets})`,
    }),
  );

  const configKinds: Record<TrainingConfigKind, number> = {};
  const configs = frontier.map((p) => {
    const tc = trainingConfig(p, pareto.settings);
    configKinds[tc.lts.kind] = (configKinds[tc.lts.kind] ?? 0) + 1;
    return { id: p.id, tc };
  });

  const metrics = pareto.settings.metrics;
  const columns: TableColumn[] = [
    { title: 'id', numeric: false },
    { title: 'family', numeric: false },
    { title: 'layers', numeric: true },
    { title: 'd_model', numeric: true },
    { title: 'heads', numeric: false },
    { title: 'd_inner', numeric: false },
    { title: 'div_val', numeric: true },
    { title: 'decoder params (M)', numeric: true },
    { title: 'total params (M)', numeric: true },
    { title: 'predicted ppl', numeric: true },
    ...(metrics.includes('latency') ? [{ title: 'latency median (ms)', numeric: true }, { title: 'latency 95% CI (ms)', numeric: false }] : []),
    ...(metrics.includes('decode') ? [{ title: 'decode median (ms/token)', numeric: true }] : []),
    ...(metrics.includes('memory') ? [{ title: 'peak memory (MB)', numeric: true }] : []),
    { title: 'iteration', numeric: true },
    { title: 'training config', numeric: false },
  ];
  const sorted = byCost;
  const rows: TableCell[][] = sorted.map((p) => {
    const c = definitionOf(p.config).summary(p.config);
    const n = (v: number | undefined, d: number): TableCell => ({ text: fmt(v, d), ...(v !== undefined ? { value: v } : {}) });
    return [
      { text: p.id },
      { text: p.family },
      n(c.n_layer, 0),
      n(c.d_model, 0),
      { text: listCompact(c.n_head) },
      { text: listCompact(c.d_inner) },
      n(c.div_val, 0),
      n(p.decoder_params / 1e6, 3),
      n(p.total_params / 1e6, 3),
      n(p.predicted_ppl, 2),
      ...(metrics.includes('latency') ? [n(p.latency?.median_ms, 3), { text: p.latency ? `${fmt(p.latency.ci95_low_ms, 3)} .. ${fmt(p.latency.ci95_high_ms, 3)}` : '' }] : []),
      ...(metrics.includes('decode') ? [n(p.decode?.median_ms, 3)] : []),
      ...(metrics.includes('memory') ? [n(p.memory?.inference_peak_mb, 1)] : []),
      n(p.iteration, 0),
      { text: configs.find((x) => x.id === p.id)!.tc.lts.kind, href: `configs/${safeName(p.id)}.json` },
    ];
  });

  const html = renderHtml({
    pareto, svg, columns, rows, calibrations: usedList, calibrationNote: cal.note,
    candidates: { total: records.length, ok: records.filter((r) => r.measurement.ok).length, failed: records.filter((r) => !r.measurement.ok).length, plotted, skippedLines: skippedLines.length },
    configKinds,
  });

  const files: string[] = [];
  const put = (name: string, data: string): void => {
    const path = join(runDir, name);
    writeFileAtomic(path, data);
    files.push(path);
  };
  mkdirSync(join(runDir, 'configs'), { recursive: true });
  for (const { id, tc } of configs) put(join('configs', `${safeName(id)}.json`), JSON.stringify(tc, null, 2) + '\n');
  put('frontier.csv', frontierCsv(sorted));
  put('pareto.svg', svg);
  put('report.html', html);
  return { files };
}

/** Ids are short stable hashes, but a file name must never escape configs/. */
function safeName(id: string): string {
  return id.replace(/[^A-Za-z0-9._-]/g, '_');
}
