// The Pareto plot: a vega-lite spec compiled with vega-lite and rendered to SVG by vega, headless.
import { FAMILIES } from '../families/index.js';
import { compile, type TopLevelSpec } from 'vega-lite';
import { parse, View } from 'vega';

export interface PlotPoint {
  id: string;
  family: string;
  role: 'candidate' | 'frontier';
  cost: number;
  ppl: number;
  params_m: number;
}

export interface PlotOptions {
  title: string;
  subtitle: string;
  costTitle: string;
  pplTitle: string;
}

// One colour per registered family, in registry order (gpt2 red, transfo-xl blue, primer green, ...).
const PALETTE = ['#d62728', '#1f77b4', '#2ca02c', '#ff7f0e', '#8c564b', '#e377c2', '#17becf'];
const FAMILY_COLOR: Record<string, string> = Object.fromEntries(FAMILIES.map((f, i) => [f, PALETTE[i % PALETTE.length]!]));

/** Colours fixed per family (the same family keeps its colour across reports); legend lists only families on the frontier. */
function familyScale(points: readonly PlotPoint[]): { domain: string[]; range: string[] } {
  const present = [...new Set(points.filter((p) => p.role === 'frontier').map((p) => p.family))];
  const domain = present.length ? present : Object.keys(FAMILY_COLOR);
  return { domain, range: domain.map((f) => FAMILY_COLOR[f] ?? '#9467bd') };
}

function panel(y: 'ppl' | 'params_m', yTitle: string, o: PlotOptions, colors: { domain: string[]; range: string[] }): object {
  const x = { field: 'cost', type: 'quantitative', title: o.costTitle, scale: { zero: false, nice: true } };
  const yEnc = { field: y, type: 'quantitative', title: yTitle, scale: { zero: false, nice: true } };
  const tooltip = [
    { field: 'id', type: 'nominal' },
    { field: 'family', type: 'nominal' },
    { field: 'cost', type: 'quantitative', title: o.costTitle, format: '.3~f' },
    { field: 'ppl', type: 'quantitative', title: 'predicted ppl', format: '.2f' },
    { field: 'params_m', type: 'quantitative', title: 'decoder params (M)', format: '.2f' },
  ];
  const isFrontier = { filter: "datum.role === 'frontier'" };
  return {
    width: 460,
    height: 380,
    layer: [
      {
        transform: [{ filter: "datum.role === 'candidate'" }],
        mark: { type: 'circle', size: 26, color: '#7f7f7f', opacity: 0.28 },
        encoding: { x, y: yEnc, tooltip },
      },
      {
        // One line through the whole frontier (it is joint across families), in cost order.
        transform: [isFrontier],
        mark: { type: 'line', strokeWidth: 1.2, color: '#555', opacity: 0.55, interpolate: 'linear' },
        encoding: { x, y: yEnc, order: { field: 'cost', type: 'quantitative' } },
      },
      {
        transform: [isFrontier],
        mark: { type: 'point', filled: true, size: 64, opacity: 1, stroke: 'white', strokeWidth: 0.8 },
        encoding: { x, y: yEnc, tooltip, color: { field: 'family', type: 'nominal', scale: colors, legend: { title: 'frontier family', orient: 'right' } } },
      },
    ],
  };
}

export function paretoSpec(points: readonly PlotPoint[], o: PlotOptions): TopLevelSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: o.title, subtitle: o.subtitle, anchor: 'start', fontSize: 15 },
    background: 'white',
    padding: 12,
    data: { values: points as unknown as Record<string, unknown>[] },
    hconcat: [panel('ppl', o.pplTitle, o, familyScale(points)), panel('params_m', 'decoder params (M)', o, familyScale(points))],
    config: { font: 'Helvetica, Arial, sans-serif', axis: { labelFontSize: 11, titleFontSize: 12, gridOpacity: 0.5 }, view: { stroke: '#ccc' } },
  } as TopLevelSpec;
}

type VgMark = { name?: string; type: string; marks?: VgMark[]; [k: string]: unknown };

/**
 * vega-lite has no label placement, so after compiling, each panel gets a vega text mark derived from
 * its frontier points with vega's `label` transform, which picks for every id the first of several
 * positions around its point that no other label occupies. (avoidBaseMark stays off: avoiding marks
 * needs a canvas, which headless Node lacks.)
 */
function addFrontierLabels(vg: { marks?: VgMark[] }): void {
  for (const group of vg.marks ?? []) {
    const marks = group.marks ?? [];
    const points = marks.find((m) => m.name?.endsWith('_marks') && m.type === 'symbol' && (m.style as string[] | undefined)?.includes('point'));
    if (!points) continue;
    marks.push({
      name: `${points.name}_labels`,
      type: 'text',
      from: { data: points.name },
      encode: { enter: { text: { field: 'datum.id' }, fontSize: { value: 9.5 }, fill: { value: '#222' } } },
      transform: [{
        type: 'label',
        size: { signal: '[childWidth, height]' },
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
  addFrontierLabels(vg as { marks?: VgMark[] });
  const view = new View(parse(vg), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
