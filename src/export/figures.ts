/**
 * The figures of a run as SVG (surface, contour, 1-D curve, spectral density) and PNG, rendered by
 * resvg: no display, browser or GPU involved, so they work on a headless server and in CI.
 */
import { Resvg } from '@resvg/resvg-js';
import type { HessianReport } from '../analysis/spectrum';
import { binnedDensity } from '../figures';
import { contourChart, surfaceChart } from '../report/surface';
import { lineChart } from '../report/svg';
import type { RunData } from './run-data';

export const FIGURES = ['surface', 'contour', 'curve', 'density'] as const;
export type FigureName = (typeof FIGURES)[number];

export interface Figure {
  name: FigureName;
  svg: string;
}

function directionWords(meta: Record<string, unknown>): string {
  const d = meta.directions as { kind?: string; normalization?: string } | undefined;
  if (!d?.kind) return '';
  const kind = { random: 'random', file: 'file', hessian: 'Hessian', 'hessian-minmax': 'Hessian' }[d.kind] ?? d.kind;
  return d.normalization && d.normalization !== 'none' ? ` (${kind}, ${d.normalization}-normalized)` : ` (${kind})`;
}

export function runFigures(data: RunData): Figure[] {
  const out: Figure[] = [];
  const g = data.grids[0];
  if (g) {
    const words = directionWords(g.meta);
    if (g.y) {
      const path = (g.meta.path as number[][] | undefined) ?? undefined;
      const f = { x: g.x, y: g.y, z: g.loss, zLabel: 'loss', path };
      out.push({ name: 'contour', svg: contourChart({ ...f, title: `Loss contours${words}` }) });
      out.push({ name: 'surface', svg: surfaceChart({ ...f, title: `Loss surface${words}` }) });
    } else {
      const keep = g.x.map((_x, i) => i).filter((i) => Number.isFinite(g.loss[i]));
      out.push({
        name: 'curve',
        svg: lineChart(
          keep.map((i) => g.x[i]),
          keep.map((i) => g.loss[i]),
          { title: `Loss along the direction${words}`, xLabel: 'α', yLabel: 'loss' },
        ),
      });
    }
  }
  const density = (data.results.spectrum as Partial<HessianReport> | undefined)?.density;
  if (density) {
    const d = binnedDensity(density);
    out.push({
      name: 'density',
      svg: lineChart(d.x, d.y, {
        title: 'Hessian spectral density (SLQ)',
        xLabel: 'eigenvalue',
        yLabel: 'density',
        logY: true,
      }),
    });
  }
  return out;
}

/** The figures a run has, in the order runFigures draws them, without drawing them. */
export function figureNames(data: RunData): FigureName[] {
  const g = data.grids[0];
  const names: FigureName[] = g ? (g.y ? ['contour', 'surface'] : ['curve']) : [];
  if ((data.results.spectrum as Partial<HessianReport> | undefined)?.density) names.push('density');
  return names;
}

/** Why the run has no such figure (or none at all), or null. */
export function figureProblem(data: RunData, name?: FigureName): string | null {
  const names = figureNames(data);
  if (name ? names.includes(name) : names.length) return null;
  return `Run ${data.run.id.slice(0, 8)} (${data.run.kind}) has ${names.length ? `only the figures ${names.join(', ')}` : 'no figures'}${name ? `, not '${name}'` : ''}.`;
}

export function runFigure(data: RunData, name?: FigureName): Figure {
  const problem = figureProblem(data, name);
  if (problem) throw new Error(problem);
  const figures = runFigures(data);
  return (name ? figures.find((f) => f.name === name) : figures[0]) as Figure;
}

/** PNG at twice the SVG's size, for slides. Fonts come from the system (DejaVu on Debian). */
export function svgToPng(svg: string, scale = 2): Uint8Array {
  const resvg = new Resvg(svg, {
    fitTo: { mode: 'zoom', value: scale },
    font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' },
  });
  return resvg.render().asPng();
}
