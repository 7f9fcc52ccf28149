// The Pareto plot: a vega-lite spec compiled with vega-lite and rendered to SVG by vega, headless.
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

const FAMILY_COLORS = { domain: ['gpt2', 'transfo-xl', 'primer'], range: ['#d62728', '#1f77b4', '#2ca02c'] };

function panel(y: 'ppl' | 'params_m', yTitle: string, o: PlotOptions, labelled: boolean): object {
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
        transform: [isFrontier],
        mark: { type: 'line', strokeWidth: 1.2, opacity: 0.6, interpolate: 'linear' },
        encoding: { x, y: yEnc, order: { field: 'cost', type: 'quantitative' }, color: { field: 'family', type: 'nominal', scale: FAMILY_COLORS, legend: null } },
      },
      {
        transform: [isFrontier],
        mark: { type: 'point', filled: true, size: 64, opacity: 1, stroke: 'white', strokeWidth: 0.8 },
        encoding: { x, y: yEnc, tooltip, color: { field: 'family', type: 'nominal', scale: FAMILY_COLORS, title: 'frontier family' } },
      },
      ...(labelled
        ? [{
            transform: [isFrontier],
            mark: { type: 'text', align: 'left', baseline: 'bottom', dx: 5, dy: -3, fontSize: 9, color: '#222' },
            encoding: { x, y: yEnc, text: { field: 'id', type: 'nominal' } },
          }]
        : []),
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
    hconcat: [panel('ppl', o.pplTitle, o, true), panel('params_m', 'decoder params (M)', o, true)],
    config: { font: 'Helvetica, Arial, sans-serif', axis: { labelFontSize: 11, titleFontSize: 12, gridOpacity: 0.5 }, view: { stroke: '#ccc' } },
  } as TopLevelSpec;
}

/** Compiles the spec and renders it without a browser or canvas (vega's SVG string renderer). */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const vg = compile(spec).spec;
  const view = new View(parse(vg), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
