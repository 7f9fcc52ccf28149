// The Pareto plot: a vega-lite spec compiled with vega-lite and rendered to SVG by vega, headless.
// One row per measured cost; in each row one perplexity panel per calibration (perplexities of
// different calibrations are not comparable, so they never share an axis) and the decoder-params panel.
import { FAMILIES } from '../families/index.js';
import { compile, type TopLevelSpec } from 'vega-lite';
import { parse, View } from 'vega';

export interface PlotPoint {
  id: string;
  family: string;
  role: 'candidate' | 'frontier';
  /** The cost row this datum belongs to (one datum per point and measured cost). */
  metric: string;
  cost: number;
  ppl: number;
  /** 90 % interval of ppl. */
  low: number;
  high: number;
  /** Outside the calibration's fitted params range. */
  extrapolated: boolean;
  /** Name of the calibration that predicted ppl: the perplexity panel it is drawn in. */
  cal: string;
  /** ppl and interval as text with the precision the interval allows. */
  ppl_text: string;
  params_m: number;
}

export interface PlotOptions {
  title: string;
  subtitle: string | string[];
  /** One row per cost: the metric's name in PlotPoint.metric and its axis title. */
  costs: { metric: string; title: string }[];
  /** One perplexity panel per calibration, in this order. */
  pplPanels: { cal: string; title: string }[];
  /** Draw a line through the frontier in cost order (meaningful only with a single cost). */
  frontierLine: boolean;
}

// One colour per registered family, in registry order (gpt2 red, transfo-xl blue, primer green, ...).
const PALETTE = ['#d62728', '#1f77b4', '#2ca02c', '#ff7f0e', '#8c564b', '#e377c2', '#17becf'];
const FAMILY_COLOR: Record<string, string> = Object.fromEntries(FAMILIES.map((f, i) => [f, PALETTE[i % PALETTE.length]!]));
const HEIGHT = 340;

/** Colours fixed per family (the same family keeps its colour across reports); legend lists only families on the frontier. */
function familyScale(points: readonly PlotPoint[]): { domain: string[]; range: string[] } {
  const present = [...new Set(points.filter((p) => p.role === 'frontier').map((p) => p.family))];
  const domain = present.length ? present : Object.keys(FAMILY_COLOR);
  return { domain, range: domain.map((f) => FAMILY_COLOR[f] ?? '#9467bd') };
}

interface PanelSpec {
  metric: string;
  costTitle: string;
  y: 'ppl' | 'params_m';
  yTitle: string;
  /** Perplexity panels show one calibration's points only. */
  cal?: string;
}

function panel(s: PanelSpec, width: number, o: PlotOptions, colors: { domain: string[]; range: string[] }): object {
  const x = { field: 'cost', type: 'quantitative', title: s.costTitle, scale: { zero: false, nice: true } };
  const yEnc = { field: s.y, type: 'quantitative', title: s.yTitle, scale: { zero: false, nice: true } };
  const tooltip = [
    { field: 'id', type: 'nominal' },
    { field: 'family', type: 'nominal' },
    { field: 'cost', type: 'quantitative', title: s.costTitle, format: '.3~f' },
    { field: 'ppl_text', type: 'nominal', title: 'predicted ppl [90 %]' },
    { field: 'params_m', type: 'quantitative', title: 'decoder params (M)', format: '.2f' },
  ];
  const mine = [`datum.metric === ${JSON.stringify(s.metric)}`, ...(s.cal !== undefined ? [`datum.cal === ${JSON.stringify(s.cal)}`] : [])].join(' && ');
  const frontier = { filter: `${mine} && datum.role === 'frontier'` };
  const ppl = s.y === 'ppl';
  const layers: object[] = [
    {
      transform: [{ filter: `${mine} && datum.role === 'candidate'` }],
      mark: { type: 'circle', size: 22, color: '#7f7f7f', opacity: 0.25 },
      encoding: { x, y: yEnc, tooltip },
    },
  ];
  if (ppl) {
    // The 90 % interval of every frontier point, as a vertical bar.
    layers.push({
      transform: [frontier],
      mark: { type: 'rule', strokeWidth: 1.4, opacity: 0.55 },
      encoding: { x, y: { field: 'low', type: 'quantitative' }, y2: { field: 'high' }, color: { field: 'family', type: 'nominal', scale: colors, legend: { title: 'frontier family', orient: 'right' } } },
    });
  }
  if (o.frontierLine) {
    if (ppl) {
      layers.push({
        transform: [frontier],
        mark: { type: 'area', opacity: 0.1, color: '#555', interpolate: 'linear' },
        encoding: { x, y: { field: 'low', type: 'quantitative' }, y2: { field: 'high' } },
      });
    }
    layers.push({
      transform: [frontier],
      mark: { type: 'line', strokeWidth: 1.2, color: '#555', opacity: 0.55, interpolate: 'linear' },
      encoding: { x, y: yEnc, order: { field: 'cost', type: 'quantitative' } },
    });
  }
  layers.push({
    transform: [frontier],
    mark: { type: 'point', filled: true, size: 60, opacity: 1, stroke: 'white', strokeWidth: 0.8 },
    encoding: { x, y: yEnc, tooltip, color: { field: 'family', type: 'nominal', scale: colors, legend: { title: 'frontier family', orient: 'right' } } },
  });
  if (ppl) {
    // Extrapolated predictions (outside the calibrated params range): a black ring around the point.
    layers.push({
      transform: [{ filter: `${mine} && datum.role === 'frontier' && datum.extrapolated` }],
      mark: { type: 'square', filled: false, size: 150, color: '#000', strokeWidth: 1.3, opacity: 0.9 },
      encoding: { x, y: yEnc, tooltip },
    });
  }
  return { width, height: HEIGHT, layer: layers };
}

export function paretoSpec(points: readonly PlotPoint[], o: PlotOptions): TopLevelSpec {
  const colors = familyScale(points);
  const perRow = o.pplPanels.length + 1;
  const width = perRow <= 2 ? 440 : perRow === 3 ? 330 : 260;
  const rows = o.costs.map((c) => ({
    hconcat: [
      ...o.pplPanels.map((pp) => panel({ metric: c.metric, costTitle: c.title, y: 'ppl', yTitle: pp.title, cal: pp.cal }, width, o, colors)),
      panel({ metric: c.metric, costTitle: c.title, y: 'params_m', yTitle: 'decoder params (M)' }, width, o, colors),
    ],
  }));
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: o.title, subtitle: o.subtitle, anchor: 'start', fontSize: 15 },
    background: 'white',
    padding: 12,
    data: { values: points as unknown as Record<string, unknown>[] },
    vconcat: rows,
    resolve: { scale: { color: 'shared' } },
    config: { font: 'Helvetica, Arial, sans-serif', axis: { labelFontSize: 11, titleFontSize: 12, gridOpacity: 0.5 }, view: { stroke: '#ccc' } },
  } as TopLevelSpec;
}

type VgMark = { name?: string; type: string; marks?: VgMark[]; [k: string]: unknown };

/**
 * vega-lite has no label placement, so after compiling, each panel gets a vega text mark derived from
 * its frontier points with vega's `label` transform, which picks for every id the first of several
 * positions around its point that no other label occupies. (avoidBaseMark stays off: avoiding marks
 * needs a canvas, which headless Node lacks.) Panels sit in nested concat groups: walk them all.
 */
function addFrontierLabels(group: { marks?: VgMark[] }, width: number): void {
  for (const child of group.marks ?? []) {
    if (child.type !== 'group') continue;
    const marks = child.marks ?? [];
    const points = marks.find((m) => m.name?.endsWith('_marks') && m.type === 'symbol' && (m.style as string[] | undefined)?.includes('point'));
    if (!points) {
      addFrontierLabels(child, width);
      continue;
    }
    marks.push({
      name: `${points.name}_labels`,
      type: 'text',
      from: { data: points.name },
      encode: { enter: { text: { field: 'datum.id' }, fontSize: { value: 9 }, fill: { value: '#222' } } },
      transform: [{
        type: 'label',
        size: [width, HEIGHT],
        anchor: ['top-right', 'bottom-right', 'right', 'top', 'bottom', 'top-left', 'bottom-left', 'left'],
        offset: [2, 2, 3, 2, 2, 2, 2, 3],
        avoidBaseMark: false,
      }],
    });
  }
}

/** Compiles the spec and renders it without a browser or canvas (vega's SVG string renderer). */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const vg = compile(spec).spec;
  const first = (spec as { vconcat?: { hconcat?: { width?: number }[] }[] }).vconcat?.[0]?.hconcat?.[0]?.width ?? 440;
  addFrontierLabels(vg as { marks?: VgMark[] }, first);
  const view = new View(parse(vg), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
