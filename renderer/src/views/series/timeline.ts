/**
 * The series timeline: small multiples of accuracy, loss, λmax, trace and the LLA criteria (with
 * their ± std over SLQ runs) against the checkpoint, one line per data set; the generalization gap;
 * and the correlation of changes in the criteria with changes in accuracy, with its sample size.
 * Plain SVG, drawn from the data given (the View convention): nothing to free but the element.
 */
import type { SeriesView } from '../../../../src/api/contract';
import { h } from '../../dom';
import type { View } from '../view';
import { checkpointAxis, extent, generalizationGap, type Line, QUANTITIES, seriesLines } from './series-model';

/** One colour per data set, in order (the first, the reference, is blue). */
export const DATA_COLOURS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b'];

const NS = 'http://www.w3.org/2000/svg';
function svg(tag: string, attrs: Record<string, string | number>, ...children: Array<Node | string>): SVGElement {
  const el = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  el.append(...children);
  return el;
}

const W = 250;
const H = 150;
const M = { left: 46, right: 8, top: 20, bottom: 26 };
const tick = (v: number) =>
  Math.abs(v) >= 1e4 || (Math.abs(v) < 1e-3 && v !== 0) ? v.toExponential(1) : v.toPrecision(3);

function panel(title: string, lines: Line[], xs: number[], xLabel: string): SVGElement {
  const ys = lines.flatMap((l) => l.points.flatMap((p) => (p.spread ? [p.y - p.spread, p.y + p.spread] : [p.y])));
  const [y0, y1] = extent(ys);
  const [x0, x1] = extent(xs);
  const sx = (x: number) => M.left + ((x - x0) / (x1 - x0)) * (W - M.left - M.right);
  const sy = (y: number) => H - M.bottom - ((y - y0) / (y1 - y0)) * (H - M.top - M.bottom);
  const g = svg('svg', {
    width: W,
    height: H,
    viewBox: `0 0 ${W} ${H}`,
    class: 'series-panel',
    'data-quantity': title,
  });
  g.append(
    svg('text', { x: M.left, y: 13, 'font-size': 12, 'font-weight': 'bold' }, title),
    svg('line', { x1: M.left, x2: W - M.right, y1: H - M.bottom, y2: H - M.bottom, stroke: '#999' }),
    svg('line', { x1: M.left, x2: M.left, y1: M.top, y2: H - M.bottom, stroke: '#999' }),
  );
  for (const y of [y0 + (y1 - y0) * 0.08, (y0 + y1) / 2, y1 - (y1 - y0) * 0.08])
    g.append(svg('text', { x: M.left - 4, y: sy(y) + 4, 'font-size': 10, 'text-anchor': 'end' }, tick(y)));
  for (const x of xs)
    g.append(svg('text', { x: sx(x), y: H - M.bottom + 12, 'font-size': 10, 'text-anchor': 'middle' }, String(x)));
  g.append(
    svg('text', { x: (M.left + W) / 2, y: H - 3, 'font-size': 10, 'text-anchor': 'middle', fill: '#666' }, xLabel),
  );
  for (const line of lines) {
    const colour = DATA_COLOURS[line.dataIndex % DATA_COLOURS.length];
    const pts = [...line.points].sort((a, b) => a.x - b.x);
    if (pts.length > 1)
      g.append(
        svg('polyline', {
          points: pts.map((p) => `${sx(p.x)},${sy(p.y)}`).join(' '),
          fill: 'none',
          stroke: colour,
          'stroke-width': 1.5,
        }),
      );
    for (const p of pts) {
      if (p.spread)
        g.append(
          svg('line', { x1: sx(p.x), x2: sx(p.x), y1: sy(p.y - p.spread), y2: sy(p.y + p.spread), stroke: colour }),
        );
      g.append(
        svg(
          'circle',
          { cx: sx(p.x), cy: sy(p.y), r: 3, fill: colour, class: 'series-point', 'data-data': line.data },
          svg(
            'title',
            {},
            `${p.checkpoint} on ${line.data}: ${p.y.toPrecision(6)}${p.spread ? ` ± ${p.spread.toPrecision(2)}` : ''}`,
          ),
        ),
      );
    }
  }
  return g;
}

function correlationTable(view: SeriesView): HTMLElement {
  const rows = Object.entries(view.correlation).map(([k, c]) =>
    h(
      'tr',
      { 'data-criterion': k },
      h('th', {}, k === 'kh' ? 'Kh' : k === 'ct' ? 'Ct' : k),
      h('td', { class: 'num' }, c.r === null ? 'undefined' : c.r.toFixed(3)),
      h('td', { class: 'num' }, String(c.n)),
      h('td', { class: 'muted' }, c.note ?? ''),
    ),
  );
  return h(
    'table',
    { class: 'series-correlation', 'data-testid': 'series-correlation' },
    h('thead', {}, h('tr', {}, h('th', {}, 'criterion'), h('th', {}, 'Pearson r'), h('th', {}, 'n'), h('th', {}, ''))),
    h('tbody', {}, ...rows),
  );
}

export function seriesTimeline(): View<SeriesView> {
  const element = h('div', { class: 'series-timeline', 'data-testid': 'series-timeline' });
  return {
    element,
    update(view) {
      const axis = checkpointAxis(view.checkpoints);
      const legend = h(
        'p',
        { class: 'series-legend' },
        ...view.data.map((d, k) =>
          h(
            'span',
            {},
            h('span', { class: 'swatch', style: `background:${DATA_COLOURS[k % DATA_COLOURS.length]}` }),
            ` ${d.split(/[\\/]/).pop()}${k === 0 ? ' (reference)' : ''}  `,
          ),
        ),
      );
      const done = view.members.filter((m) => m.entry).length;
      const panels = QUANTITIES.map((q) => panel(q, seriesLines(view, q), axis.x, axis.label));
      if (view.data.length > 1)
        panels.push(panel('generalization gap (Δaccuracy)', generalizationGap(view), axis.x, axis.label));
      element.replaceChildren(
        h('h3', {}, view.name),
        h(
          'p',
          { class: 'muted', 'data-testid': 'series-status' },
          `${done} of ${view.members.length} members finished`,
        ),
        legend,
        h('div', { class: 'series-panels' }, ...panels),
        h('h4', {}, 'Δcriterion against Δaccuracy across data sets (LLA): correlation and sample size'),
        correlationTable(view),
      );
    },
    dispose() {
      element.replaceChildren();
    },
  };
}
