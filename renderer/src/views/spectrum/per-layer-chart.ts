/**
 * Per-layer curvature as a bar chart (the table's rows, in its order): each block's top eigenvalue
 * and trace side by side on their own scales, so the picture exports as SVG or PNG.
 */
import { axisTop } from 'd3-axis';
import { scaleLinear } from 'd3-scale';
import { create } from 'd3-selection';
import type { PerLayerRow } from '../../../../src/api/contract';
import type { Theme } from '../../theme';
import { showNumber, tickText } from './spectrum-data';

const ROW = 18;
const LABEL = 150;
const GAP = 24;

export function drawPerLayerChart(rows: PerLayerRow[], theme: Theme, width: number): SVGSVGElement {
  const c = theme;
  const top = 34;
  const height = top + rows.length * ROW + 8;
  const half = (width - LABEL - GAP - 16) / 2;
  const svg = create('svg')
    .attr('viewBox', `0 0 ${width} ${height}`)
    .attr('width', width)
    .attr('height', height)
    .attr('role', 'img')
    .attr('aria-label', 'per-layer top eigenvalue and trace')
    .attr('data-testid', 'per-layer-chart');
  const panels = [
    { key: 'topEigenvalue' as const, title: 'top λ', x0: LABEL },
    { key: 'trace' as const, title: 'trace', x0: LABEL + half + GAP },
  ];
  for (const p of panels) {
    const values = rows.map((r) => r[p.key]);
    const lo = Math.min(0, ...values);
    const hi = Math.max(0, ...values, 1e-300);
    const x = scaleLinear()
      .domain([lo, hi])
      .range([p.x0, p.x0 + half])
      .nice();
    svg
      .append('g')
      .attr('transform', `translate(0, ${top - 4})`)
      .call(axisTop(x).ticks(4).tickFormat(tickText))
      .call((g) => g.selectAll('line,path').attr('stroke', c.muted))
      .call((g) => g.selectAll('text').attr('fill', c.fg).attr('font-size', 10));
    svg.append('text').attr('x', p.x0).attr('y', 10).attr('fill', c.muted).attr('font-size', 11).text(p.title);
    rows.forEach((r, k) => {
      const v = r[p.key];
      svg
        .append('rect')
        .attr('x', Math.min(x(0), x(v)))
        .attr('y', top + k * ROW + 3)
        .attr('width', Math.abs(x(v) - x(0)))
        .attr('height', ROW - 6)
        .attr('fill', v < 0 ? c.series[5] : c.accent)
        .append('title')
        .text(`${r.name}: ${p.title} ${showNumber(v, 6)}`);
    });
  }
  rows.forEach((r, k) => {
    svg
      .append('text')
      .attr('x', LABEL - 6)
      .attr('y', top + k * ROW + ROW / 2 + 4)
      .attr('text-anchor', 'end')
      .attr('fill', c.fg)
      .attr('font-size', 11)
      .attr('font-family', 'DejaVu Sans Mono, monospace')
      .text(r.name.length > 22 ? `…${r.name.slice(-21)}` : r.name);
  });
  return svg.node() as SVGSVGElement;
}
