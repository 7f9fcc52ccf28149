// report.html: one self-contained page (inline SVG plot, inline CSS and a few lines of JS for sorting).
import type { ParetoFile } from '../search/types.js';
import { Z90 } from '../calibrate/interval.js';
import type { Calibration } from '../calibrate/index.js';
import type { TrainingConfigKind } from './training-config.js';

export function esc(s: unknown): string {
  return String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

export interface TableColumn {
  title: string;
  /** Numeric columns sort by value and align right. */
  numeric: boolean;
}

export interface TableCell {
  text: string;
  /** Sort value (numeric columns). */
  value?: number;
  href?: string;
}

function kvTable(obj: Record<string, unknown>): string {
  const rows = Object.entries(obj)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `<tr><th>${esc(k)}</th><td>${esc(typeof v === 'object' && v !== null ? JSON.stringify(v) : v)}</td></tr>`);
  return `<table class="kv">${rows.join('')}</table>`;
}

export interface HtmlInput {
  pareto: ParetoFile;
  svg: string;
  columns: TableColumn[];
  rows: TableCell[][];
  calibrations: { cal: Calibration; families: string[] }[];
  calibrationNote: string;
  candidates: { total: number; ok: number; failed: number; plotted: number; skippedLines: number };
  configKinds: Record<TrainingConfigKind, number>;
}

const SORT_JS = `
document.querySelectorAll('table.sortable').forEach(function (table) {
  var heads = table.tHead.rows[0].cells;
  Array.prototype.forEach.call(heads, function (th, i) {
    th.addEventListener('click', function () {
      var asc = th.getAttribute('data-dir') !== 'asc';
      Array.prototype.forEach.call(heads, function (h) { h.removeAttribute('data-dir'); });
      th.setAttribute('data-dir', asc ? 'asc' : 'desc');
      var body = table.tBodies[0];
      var rows = Array.prototype.slice.call(body.rows);
      rows.sort(function (a, b) {
        var x = a.cells[i].getAttribute('data-v'), y = b.cells[i].getAttribute('data-v');
        var c = (x !== null && y !== null) ? parseFloat(x) - parseFloat(y) : a.cells[i].textContent.localeCompare(b.cells[i].textContent);
        return asc ? c : -c;
      });
      rows.forEach(function (r) { body.appendChild(r); });
    });
  });
});`;

const CSS = `
body { font: 14px/1.45 Helvetica, Arial, sans-serif; color: #222; margin: 24px 32px; max-width: 1220px; }
h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 17px; margin: 28px 0 8px; border-bottom: 1px solid #ddd; padding-bottom: 3px; }
.sub { color: #666; margin: 0 0 16px; }
.plot svg { max-width: 100%; height: auto; }
table { border-collapse: collapse; font-size: 12.5px; }
table.sortable th { cursor: pointer; user-select: none; background: #f3f3f3; position: sticky; top: 0; }
table.sortable th[data-dir=asc]::after { content: ' \\25B2'; } table.sortable th[data-dir=desc]::after { content: ' \\25BC'; }
th, td { border: 1px solid #ddd; padding: 3px 7px; text-align: left; vertical-align: top; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
table.kv { margin-bottom: 10px; } table.kv th { background: #f7f7f7; font-weight: 600; white-space: nowrap; } table.kv td { word-break: break-word; max-width: 900px; }
.cols { display: flex; gap: 32px; flex-wrap: wrap; } .cols > div { flex: 1 1 480px; }
.note { color: #555; font-size: 12.5px; }
code { background: #f3f3f3; padding: 0 3px; }`;

function intervalText(cal: Calibration): string {
  const i = cal.interval;
  const pct = (s: number): string => `±${(100 * (Math.exp(Z90 * s) - 1)).toFixed(1)} %`;
  if (!i) return 'from the cross-validated error (file written before intervals were recorded)';
  if (cal.anchor) {
    const a = cal.anchor;
    return `anchored to ${a.n} trained model(s) (${a.fitted}, level ${a.shift_pct >= 0 ? '+' : ''}${a.shift_pct.toFixed(1)} % on ${a.base}): curve ${pct(i.curve_log_sigma)}, at the anchors' centre ${pct(Math.hypot(i.curve_log_sigma, a.residual_log_sigma / Math.sqrt(a.n)))}`;
  }
  return `unanchored: curve ${pct(i.curve_log_sigma)} combined with a training-recipe term into ${pct(Math.hypot(i.curve_log_sigma, i.recipe_log_sigma))}; wider when extrapolated (anchor to your own trained models with lts calibrate --anchor)`;
}

function calibrationTable(cal: Calibration, families: string[]): string {
  return kvTable({
    name: cal.name,
    'used here for': families.join(', '),
    family: cal.family,
    dataset: cal.dataset,
    note: cal.note,
    form: `${cal.fit.form}: ${cal.fit.formula}`,
    coefficients: Object.entries(cal.fit.coefficients).map(([k, v]) => `${k} = ${Number(v.toPrecision(5))}`).join(', '),
    'fitted on': `${cal.data.source}${cal.data.set ? ` (${cal.data.set})` : ''}, n = ${cal.data.n}`,
    'cross-validated error': `${cal.cv.folds}-fold MAE ${cal.cv.mae.toFixed(2)} ppl, MAPE ${cal.cv.mape.toFixed(2)} %`,
    'calibrated params range': `${(cal.params_range.min / 1e6).toFixed(2)}M .. ${(cal.params_range.max / 1e6).toFixed(2)}M (outside: extrapolated)`,
    '90 % interval': intervalText(cal),
  });
}

export function renderHtml(x: HtmlInput): string {
  const p = x.pareto;
  const head = x.columns.map((c) => `<th${c.numeric ? ' class="num"' : ''}>${esc(c.title)}</th>`).join('');
  const body = x.rows
    .map((r) => `<tr>${r.map((cell, i) => {
      const content = cell.href ? `<a href="${esc(cell.href)}">${esc(cell.text)}</a>` : esc(cell.text);
      return x.columns[i]!.numeric && cell.value !== undefined && Number.isFinite(cell.value)
        ? `<td class="num" data-v="${cell.value}">${content}</td>`
        : `<td${x.columns[i]!.numeric ? ' class="num"' : ''}>${content}</td>`;
    }).join('')}</tr>`)
    .join('\n');
  const kinds = Object.entries(x.configKinds).filter(([, n]) => n > 0).sort(([a], [b]) => a.localeCompare(b)).map(([k, n]) => `${n} ${k}`).join(', ') || 'none';
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>lts report: ${esc(p.device.name)} (${esc(p.created_at)})</title>
<style>${CSS}</style></head>
<body>
<h1>lts search report: ${esc(p.device.name)}</h1>
<p class="sub">${esc(p.device.description)} &middot; run written ${esc(p.created_at)} by ${esc(p.tool.name)} ${esc(p.tool.version)} &middot;
${p.counts.evaluated} evaluated (${p.counts.failed} failed), ${p.counts.frontier} on the frontier, ${p.counts.iterations_done} iterations, stopped by ${esc(p.counts.stopped_by)}</p>
<div class="plot">${x.svg}</div>
<p class="note">Coloured and labelled: the Pareto frontier; grey: every other measured candidate. ${x.candidates.plotted} of ${x.candidates.total} candidates in candidates.jsonl plotted${x.candidates.failed ? ` (${x.candidates.failed} failed and not plotted)` : ''}${x.candidates.skippedLines ? `; ${x.candidates.skippedLines} unreadable line(s) skipped` : ''}. ${esc(x.calibrationNote)}</p>

<h2>Frontier (${x.rows.length} points; click a column to sort)</h2>
<table class="sortable" id="frontier"><thead><tr>${head}</tr></thead>
<tbody>
${body}
</tbody></table>
${p.settings.moe_proxy ? `<p class="note"><b>Brainformer (mixture-of-experts) points</b>: their decoder params are the <b>${esc(p.settings.moe_proxy)}</b> count (<code>--moe-proxy</code>): ${esc(p.settings.moe_proxy_source ?? '')}. pareto.json's <code>param_counts</code> gives all three (decoder = every expert, activated per token, dense_equivalent). The decoder-parameter proxy was validated on dense models only; the MoE correction is a published scaling law applied far below the scale it was fitted at, and their predicted perplexities are GPT-2's calibration applied to that count.</p>\n` : ''}<p class="note">Training configs in <code>configs/&lt;id&gt;.json</code>: ${esc(kinds)} (hf-* = Hugging Face config.json fields; per-layer = <code>schemas/training-config.schema.json</code>). Also: <code>frontier.csv</code>, <code>pareto.json</code>, <code>candidates.jsonl</code>.</p>

<h2>Perplexity calibration${x.calibrations.length > 1 ? 's' : ''}</h2>
<p class="note">${esc(x.calibrationNote)}</p>
${x.calibrations.map(({ cal, families }) => calibrationTable(cal, families)).join('\n')}

<div class="cols">
<div><h2>Search settings</h2>${kvTable(p.settings as unknown as Record<string, unknown>)}</div>
<div><h2>Device</h2>${kvTable(p.device as unknown as Record<string, unknown>)}
<h2>Fingerprint</h2>${kvTable(p.fingerprint as unknown as Record<string, unknown>)}</div>
</div>
<script>${SORT_JS}</script>
</body></html>
`;
}
