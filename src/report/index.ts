// `lts report`: pareto.svg, report.html, frontier.csv and configs/<id>.json from a run directory.
import { definitionOf } from '../families/index.js';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { formatPrediction, intervalRecord, predictInterval, type Calibration, type PplPrediction } from '../calibrate/index.js';
import type { Metric } from '../profile/types.js';
import { readCandidates, readPareto } from '../search/results.js';
import type { FrontierPoint, ParetoFile } from '../search/types.js';
import type { Family } from '../space/types.js';
import { writeFileAtomic } from '../util/atomic.js';
import { reportCalibrations } from './calibration.js';
import { renderHtml, type TableCell, type TableColumn } from './html.js';
import { paretoSpec, renderSvg, type PlotPoint } from './plot.js';
import { driftRows, driftSpec } from './drift-plot.js';
import { correctRecords } from '../search/drift.js';
import { trainingConfig, type TrainingConfigKind } from './training-config.js';

export { trainingConfig, TRAINING_CONFIG_SCHEMA, type TrainingConfig, type TrainingConfigKind } from './training-config.js';

export interface ReportOptions {
  /** Calibration (object, built-in name or file) for candidates' predicted perplexity; default: the one named in pareto.json. */
  calibration?: Calibration | string;
}

type CostHolder = Pick<FrontierPoint, 'latency' | 'decode' | 'memory'>;

/** The cost the frontier ranks by: drift-corrected where the run corrected it, raw otherwise. */
export function costOf(metric: Metric, m: CostHolder): number | undefined {
  if (metric === 'latency') return m.latency?.corrected_median_ms ?? m.latency?.median_ms;
  if (metric === 'decode') return m.decode?.corrected_median_ms ?? m.decode?.median_ms;
  return m.memory?.inference_peak_mb;
}

export function costTitle(metric: Metric, p: ParetoFile): string {
  const sh = p.settings.shapes;
  if (metric === 'latency') return `prefill latency, median ms (batch ${sh.batch} x ${sh.seq} tokens)`;
  if (metric === 'decode') return `decode latency per token, median ms (context ${sh.context})`;
  return 'peak inference memory (MB)';
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
  'decoder_params', 'total_params', 'predicted_ppl', 'predicted_ppl_low', 'predicted_ppl_high', 'ppl_calibration', 'ppl_anchored', 'ppl_in_range',
  'latency_median_ms', 'latency_ci95_low_ms', 'latency_ci95_high_ms', 'decode_median_ms', 'memory_inference_peak_mb', 'memory_load_peak_mb',
  'provider', 'iteration', 'key',
] as const;

type ReportPoint = FrontierPoint & { pred: PplPrediction };

export function frontierCsv(points: readonly ReportPoint[]): string {
  const lines = [FRONTIER_CSV_COLUMNS.join(',')];
  for (const p of points) {
    const c = definitionOf(p.config).summary(p.config);
    const row: Record<(typeof FRONTIER_CSV_COLUMNS)[number], unknown> = {
      id: p.id, family: p.family, n_layer: c.n_layer, d_model: c.d_model,
      n_head: c.n_head.join(';'), d_inner: c.d_inner.join(';'),
      div_val: c.div_val, d_embed: c.d_embed, vocab_size: c.vocab_size,
      decoder_params: p.decoder_params, total_params: p.total_params, predicted_ppl: p.pred.ppl,
      predicted_ppl_low: p.pred.low, predicted_ppl_high: p.pred.high, ppl_calibration: p.pred.calibration, ppl_anchored: p.pred.anchored, ppl_in_range: p.pred.in_range,
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
  const read = readCandidates(runDir);
  const skippedLines = read.skippedLines;
  // A contender measured again has a later line that replaces its first; costs as the frontier saw them.
  const latest = [...new Map(read.records.map((r) => [r.key, r])).values()];
  const records = pareto.drift ? correctRecords(latest, pareto.drift.series) : latest;
  const metrics: Metric[] = pareto.settings.metrics.length ? pareto.settings.metrics : ['latency'];
  const metric = metrics[0]!;
  const cal = reportCalibrations(pareto, opts.calibration);

  // One calibration per family, applied to every point shown: the frontier's stored values are not reused.
  const frontier: ReportPoint[] = pareto.frontier.map((p) => {
    const pred = predictInterval(cal.forFamily(p.family), p.decoder_params);
    return { ...p, predicted_ppl: pred.ppl, predicted_ppl_interval: intervalRecord(pred), pred };
  });
  const frontierKeys = new Set(frontier.map((p) => p.key));

  const plotPoints: PlotPoint[] = [];
  const plottedIds = new Set<string>();
  const add = (id: string, family: Family, role: PlotPoint['role'], m: CostHolder, decoderParams: number, pred: PplPrediction): void => {
    for (const mt of metrics) {
      const cost = costOf(mt, m);
      if (cost === undefined) continue;
      plottedIds.add(`${role}:${id}`);
      plotPoints.push({
        id, family, role, metric: mt, cost, ppl: pred.ppl, low: pred.low, high: pred.high, extrapolated: !pred.in_range, cal: pred.calibration,
        ppl_text: formatPrediction(pred), params_m: decoderParams / 1e6,
      });
    }
  };
  for (const r of records) {
    if (!r.measurement.ok || frontierKeys.has(r.key)) continue;
    add(r.id, r.family, 'candidate', r.measurement, r.decoder_params, predictInterval(cal.forFamily(r.family), r.decoder_params));
  }
  const byCost = [...frontier].sort((a, b) => (costOf(metric, a) ?? Infinity) - (costOf(metric, b) ?? Infinity));
  for (const p of byCost) add(p.id, p.family, 'frontier', p, p.decoder_params, p.pred);
  const plotted = plottedIds.size;
  const frontierPlotted = [...plottedIds].filter((k) => k.startsWith('frontier:')).length;

  // Every calibration that produced a plotted perplexity, once each: one perplexity panel each.
  const usedFamilies = [...new Set<Family>(plotPoints.map((p) => p.family as Family))];
  const used = new Map<string, { cal: Calibration; families: Family[] }>();
  for (const f of usedFamilies) {
    const c = cal.forFamily(f);
    const u = used.get(c.name) ?? { cal: c, families: [] };
    u.families.push(f);
    used.set(c.name, u);
  }
  const usedList = [...used.values()];
  const extrapolated = frontier.filter((p) => !p.pred.in_range).length;
  const anyUnanchored = usedList.some((u) => !u.cal.anchor);

  const svg = await renderSvg(
    paretoSpec(plotPoints, {
      title: `Pareto frontier on ${pareto.device.name}: ${metrics.join(', ')} vs predicted perplexity and decoder params`,
      subtitle: [
        `${plotted - frontierPlotted} other candidates (grey), ${frontierPlotted} frontier points labelled by id; bars: 90 % interval of predicted perplexity${anyUnanchored ? ' (unanchored: training recipe unknown)' : ''}`,
        ...(extrapolated ? [`boxed: ${extrapolated} frontier point(s) outside their calibration's params range (extrapolated, interval widened)`] : []),
        ...(usedList.length > 1 ? ['perplexities of different calibrations (tokenizations, datasets) are not comparable: one panel each; decoder params compare across families'] : []),
        ...(metrics.length > 1 ? ['frontier joint over every cost: no line through it in one cost\'s projection'] : []),
      ],
      costs: metrics.map((m) => ({ metric: m, title: costTitle(m, pareto) })),
      pplPanels: usedList.map((u) => ({ cal: u.cal.name, title: `predicted validation ppl: ${u.cal.name} (${u.families.join(', ')})` })),
      frontierLine: metrics.length === 1,
    }),
  );

  const driftSvg = pareto.drift && driftRows(pareto.drift.series).length > 0
    ? await renderSvg(driftSpec(driftRows(pareto.drift.series), pareto.settings.protocol.targetRelCi, pareto.drift.sentinel.id))
    : undefined;

  const configKinds: Record<TrainingConfigKind, number> = {};
  const configs = frontier.map((p) => {
    const tc = trainingConfig(p, pareto.settings);
    configKinds[tc.lts.kind] = (configKinds[tc.lts.kind] ?? 0) + 1;
    return { id: p.id, tc };
  });

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
    { title: 'predicted ppl [90 % interval]', numeric: true },
    { title: 'calibrated range', numeric: false },
    ...(metrics.includes('latency') ? [{ title: pareto.drift ? 'latency median, drift-corrected (ms)' : 'latency median (ms)', numeric: true }, { title: 'latency 95% CI (ms)', numeric: false }] : []),
    ...(metrics.includes('decode') ? [{ title: pareto.drift ? 'decode median, drift-corrected (ms/token)' : 'decode median (ms/token)', numeric: true }] : []),
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
      { text: formatPrediction(p.pred, { tags: false }), value: p.pred.ppl },
      { text: p.pred.in_range ? 'inside' : 'extrapolated' },
      ...(metrics.includes('latency') ? [n(costOf('latency', p), 3), { text: p.latency ? `${fmt(p.latency.ci95_low_ms, 3)} .. ${fmt(p.latency.ci95_high_ms, 3)}` : '' }] : []),
      ...(metrics.includes('decode') ? [n(costOf('decode', p), 3)] : []),
      ...(metrics.includes('memory') ? [n(p.memory?.inference_peak_mb, 1)] : []),
      n(p.iteration, 0),
      { text: configs.find((x) => x.id === p.id)!.tc.lts.kind, href: `configs/${safeName(p.id)}.json` },
    ];
  });

  const html = renderHtml({
    pareto, svg, ...(driftSvg ? { driftSvg } : {}), columns, rows, calibrations: usedList, calibrationNote: cal.note,
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
  if (driftSvg) put('drift.svg', driftSvg);
  put('report.html', html);
  return { files };
}

/** Ids are short stable hashes, but a file name must never escape configs/. */
function safeName(id: string): string {
  return id.replace(/[^A-Za-z0-9._-]/g, '_');
}
