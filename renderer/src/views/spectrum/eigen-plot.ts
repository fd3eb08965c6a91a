/**
 * The extreme eigenvalues on one axis (symmetric log, so λmax and a small λmin are both readable),
 * each with its residual as an error bar; while Lanczos runs, the Ritz values of every step leave a
 * trail that converges onto them. Clicking an eigenvalue whose eigenvector is stored picks it.
 */
import { axisBottom } from 'd3-axis';
import { scaleSymlog } from 'd3-scale';
import { create } from 'd3-selection';
import type { Theme } from '../../theme';
import { type EigenRow, type RitzTrail, showNumber, tickText } from './spectrum-data';

export interface EigenPlotInput {
  rows: EigenRow[];
  trail: RitzTrail | null;
  picked: string[];
  theme: Theme;
  width: number;
  onPick(label: string): void;
}

const ROW = 30;

/** 0 and ±10^k inside the domain (above the linear zone): readable ticks for a symmetric log axis. */
export function symlogTicks([lo, hi]: number[], linear: number): number[] {
  const ticks = [0];
  for (let k = -15; k <= 15; k++) {
    const t = 10 ** k;
    if (t < linear * 10) continue;
    if (t <= hi) ticks.push(t);
    if (-t >= lo) ticks.push(-t);
  }
  return ticks.sort((a, b) => a - b);
}

const MARGIN = { top: 12, right: 120, bottom: 34, left: 70 };

/** Rows to draw: the final eigenpairs, or while running, one per Ritz slot of the trail. */
function slots(
  input: EigenPlotInput,
): Array<{ label: string; end: 'top' | 'bottom'; index: number; row: EigenRow | null }> {
  if (input.rows.length)
    return input.rows.map((row) => ({
      label: row.label,
      end: row.end,
      index: Number(row.label.replace(/\D+/, '')) - 1,
      row,
    }));
  const last = input.trail?.steps.length ? input.trail.steps.length - 1 : -1;
  if (last < 0) return [];
  const t = input.trail as RitzTrail;
  return [
    ...t.top[last].map((_v, i) => ({ label: `top${i + 1}`, end: 'top' as const, index: i, row: null })),
    ...t.bottom[last].map((_v, i) => ({ label: `bottom${i + 1}`, end: 'bottom' as const, index: i, row: null })),
  ];
}

export function drawEigenPlot(input: EigenPlotInput): SVGSVGElement {
  const { theme: c } = input;
  const rows = slots(input);
  const height = MARGIN.top + Math.max(1, rows.length) * ROW + MARGIN.bottom;
  const svg = create('svg')
    .attr('viewBox', `0 0 ${input.width} ${height}`)
    .attr('width', input.width)
    .attr('height', height)
    .attr('role', 'img')
    .attr('aria-label', 'extreme eigenvalues with residuals')
    .attr('data-testid', 'eigen-plot');
  const trailValues = input.trail ? [...input.trail.top.flat(), ...input.trail.bottom.flat()] : [];
  const values = [...input.rows.map((r) => r.value), ...trailValues].filter(
    (v): v is number => typeof v === 'number' && Number.isFinite(v),
  );
  const reach = Math.max(1e-12, ...values.map(Math.abs));
  const lo = Math.min(0, ...values);
  const hi = Math.max(0, ...values);
  const x = scaleSymlog()
    .constant(reach * 1e-3)
    .domain([lo - 0.05 * (hi - lo || 1), hi + 0.05 * (hi - lo || 1)])
    .range([MARGIN.left, input.width - MARGIN.right]);
  const y = (k: number) => MARGIN.top + k * ROW + ROW / 2;

  svg
    .append('g')
    .attr('transform', `translate(0, ${height - MARGIN.bottom})`)
    .call(
      axisBottom(x)
        .tickValues(symlogTicks(x.domain(), reach * 1e-3))
        .tickFormat(tickText),
    )
    .call((g) => g.selectAll('line,path').attr('stroke', c.muted))
    .call((g) => g.selectAll('text').attr('fill', c.fg).attr('font-size', 11));
  svg
    .append('text')
    .attr('x', (MARGIN.left + input.width - MARGIN.right) / 2)
    .attr('y', height - 4)
    .attr('text-anchor', 'middle')
    .attr('fill', c.muted)
    .attr('font-size', 11)
    .text('eigenvalue λ (symmetric log scale)');
  svg
    .append('line')
    .attr('x1', x(0))
    .attr('x2', x(0))
    .attr('y1', MARGIN.top)
    .attr('y2', height - MARGIN.bottom)
    .attr('stroke', c.grid);

  rows.forEach((slot, k) => {
    const g = svg.append('g').attr('data-label', slot.label);
    const picked = input.picked.includes(slot.label);
    const pickable = slot.row?.hasVector ?? false;
    if (pickable) {
      g.attr('data-testid', 'eigen-point')
        .attr('tabindex', 0)
        .attr('role', 'button')
        .attr('aria-pressed', String(picked))
        .attr(
          'aria-label',
          `${slot.label} = ${showNumber(slot.row?.value)}; pick for a landscape along its eigenvector`,
        )
        .style('cursor', 'pointer')
        .on('click', () => input.onPick(slot.label))
        .on('keydown', (e: KeyboardEvent) => {
          if (e.key === 'Enter' || e.key === ' ') {
            e.preventDefault();
            input.onPick(slot.label);
          }
        });
      g.append('rect')
        .attr('x', 0)
        .attr('y', y(k) - ROW / 2)
        .attr('width', input.width)
        .attr('height', ROW)
        .attr('fill', picked ? c.accent : 'transparent')
        .attr('fill-opacity', picked ? 0.14 : 0);
    }
    g.append('text')
      .attr('x', 8)
      .attr('y', y(k) + 4)
      .attr('fill', c.fg)
      .attr('font-size', 12)
      .text(slot.end === 'top' ? `λ${slot.index + 1} top` : `λ${slot.index + 1} bottom`);
    // The Ritz trail: earlier steps fainter, the latest a hollow circle.
    if (input.trail?.steps.length) {
      const series = slot.end === 'top' ? input.trail.top : input.trail.bottom;
      const n = series.length;
      series.forEach((step, s) => {
        const v = step[slot.index];
        if (v === undefined || v === null || !Number.isFinite(v)) return;
        const last = s === n - 1;
        g.append('circle')
          .attr('class', last ? 'ritz-now' : 'ritz')
          .attr('cx', x(v))
          .attr('cy', y(k))
          .attr('r', last ? 6 : 2.5)
          .attr('fill', last ? 'none' : c.muted)
          .attr('fill-opacity', last ? 0 : 0.15 + (0.6 * (s + 1)) / n)
          .attr('stroke', last ? c.accent : 'none')
          .attr('stroke-width', 1.5);
      });
    }
    const row = slot.row;
    if (!row) return;
    const r = row.residual ?? 0;
    g.append('line')
      .attr('x1', x(row.value - r))
      .attr('x2', x(row.value + r))
      .attr('y1', y(k))
      .attr('y2', y(k))
      .attr('stroke', c.fg)
      .attr('stroke-width', 1.5);
    for (const end of [row.value - r, row.value + r])
      g.append('line')
        .attr('x1', x(end))
        .attr('x2', x(end))
        .attr('y1', y(k) - 5)
        .attr('y2', y(k) + 5)
        .attr('stroke', c.fg);
    g.append('circle')
      .attr('cx', x(row.value))
      .attr('cy', y(k))
      .attr('r', 4.5)
      .attr('fill', picked ? c.accent : c.fg);
    g.append('text')
      .attr('x', input.width - MARGIN.right + 8)
      .attr('y', y(k) + 4)
      .attr('fill', c.fg)
      .attr('font-size', 12)
      .attr('font-family', 'DejaVu Sans Mono, monospace')
      .text(showNumber(row.value, 6));
  });
  return svg.node() as SVGSVGElement;
}
