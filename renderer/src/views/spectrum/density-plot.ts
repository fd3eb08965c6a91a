/**
 * The SLQ spectral density on a log axis (PyHessian's semilogy): the stored density, the average of
 * the runs, drawn bold; each run smoothed alone drawn thin in its own colour, so their spread shows.
 */
import { axisBottom, axisLeft } from 'd3-axis';
import { scaleLinear, scaleLog } from 'd3-scale';
import { create } from 'd3-selection';
import { line } from 'd3-shape';
import type { Theme } from '../../theme';
import { tickText } from './spectrum-data';

export interface DensityPlotInput {
  grid: number[];
  values: number[];
  runs: number[][];
  /** Values below this are drawn at it (the log axis' floor). */
  floor: number;
  theme: Theme;
  width: number;
}

const M = { top: 14, right: 16, bottom: 36, left: 60 };

/** At most ~2 points per pixel: the path stays light, every peak kept (max in each bucket). */
function thin(x: number[], y: number[], buckets: number): Array<[number, number]> {
  if (x.length <= buckets * 2) return x.map((v, i) => [v, y[i]]);
  const out: Array<[number, number]> = [];
  const per = x.length / buckets;
  for (let b = 0; b < buckets; b++) {
    const from = Math.floor(b * per);
    const to = Math.min(x.length, Math.floor((b + 1) * per));
    let k = from;
    for (let i = from; i < to; i++) if (y[i] > y[k]) k = i;
    out.push([x[from], y[from]], [x[k], y[k]]);
  }
  return out;
}

export function drawDensityPlot(input: DensityPlotInput): SVGSVGElement {
  const c = input.theme;
  const height = 240;
  const svg = create('svg')
    .attr('viewBox', `0 0 ${input.width} ${height}`)
    .attr('width', input.width)
    .attr('height', height)
    .attr('role', 'img')
    .attr('aria-label', 'spectral density, log scale')
    .attr('data-testid', 'density-plot');
  const max = Math.max(...input.values, ...input.runs.flat());
  const x = scaleLinear()
    .domain([input.grid[0], input.grid[input.grid.length - 1]])
    .range([M.left, input.width - M.right]);
  const y = scaleLog()
    .domain([input.floor, max * 2])
    .range([height - M.bottom, M.top])
    .clamp(true);
  svg
    .append('g')
    .attr('transform', `translate(0, ${height - M.bottom})`)
    .call(axisBottom(x).ticks(7).tickFormat(tickText))
    .call((g) => g.selectAll('line,path').attr('stroke', c.muted))
    .call((g) => g.selectAll('text').attr('fill', c.fg).attr('font-size', 11));
  svg
    .append('g')
    .attr('transform', `translate(${M.left}, 0)`)
    .call(axisLeft(y).ticks(5, '.0e'))
    .call((g) => g.selectAll('line,path').attr('stroke', c.muted))
    .call((g) => g.selectAll('text').attr('fill', c.fg).attr('font-size', 11));
  svg
    .append('text')
    .attr('x', (M.left + input.width) / 2)
    .attr('y', height - 4)
    .attr('text-anchor', 'middle')
    .attr('fill', c.muted)
    .attr('font-size', 11)
    .text('eigenvalue λ');
  svg
    .append('text')
    .attr('transform', `translate(12, ${(height - M.bottom) / 2}) rotate(-90)`)
    .attr('text-anchor', 'middle')
    .attr('fill', c.muted)
    .attr('font-size', 11)
    .text('density');
  const path = line<[number, number]>()
    .x((p) => x(p[0]))
    .y((p) => y(Math.max(p[1], input.floor)));
  const buckets = Math.round(input.width - M.left - M.right);
  input.runs.forEach((run, k) => {
    svg
      .append('path')
      .attr('class', 'density-run')
      .attr('data-run', k + 1)
      .attr('d', path(thin(input.grid, run, buckets)))
      .attr('fill', 'none')
      .attr('stroke', c.series[k % c.series.length])
      .attr('stroke-width', 1)
      .attr('stroke-opacity', 0.8);
  });
  svg
    .append('path')
    .attr('class', 'density-mean')
    .attr('d', path(thin(input.grid, input.values, buckets)))
    .attr('fill', 'none')
    .attr('stroke', c.fg)
    .attr('stroke-width', 2);
  return svg.node() as SVGSVGElement;
}
