/**
 * A 1-D landscape: loss along the line (left axis, in the chosen scale) and accuracy (right axis,
 * 0 to 1, dashed) when the run has it, with checkpoints marked. Points not computed yet leave gaps.
 * Hovering reads the nearest point's stored values.
 */
import { axisNames, gridMarks, nearestIndex, numeric, zScale } from '../../../../src/figures';
import { h } from '../../dom';
import type { View } from '../view';
import { readout } from './parts';
import { axes, type Frame, linear, s } from './svg';
import { niceTicks, tickText } from './ticks';
import { DEFAULT_OPTIONS, type DrawOptions, type GridView } from './types';

export interface CurveView extends View<GridView> {
  setOptions(o: DrawOptions): void;
  svg(): SVGSVGElement;
}

const FRAME: Frame = { width: 640, height: 340, m: { l: 64, r: 56, t: 20, b: 48 } };

/** SVG path through the finite points, broken where one is missing. */
function pathOf(xs: number[], ys: ArrayLike<number>, sx: (v: number) => number, sy: (v: number) => number): string {
  let d = '';
  let pen = false;
  for (let k = 0; k < xs.length; k++) {
    if (!Number.isFinite(ys[k])) {
      pen = false;
      continue;
    }
    d += `${pen ? 'L' : 'M'}${sx(xs[k]).toFixed(1)},${sy(ys[k]).toFixed(1)}`;
    pen = true;
  }
  return d;
}

export function curveView(): CurveView {
  let svg = s('svg', { width: FRAME.width, height: FRAME.height });
  const read = readout('curve-readout');
  const element = h('div', { class: 'landscape-view curve', 'data-testid': 'curve' }, h('div', {}, svg), read.element);
  let grid: GridView | null = null;
  let options = DEFAULT_OPTIONS;

  const draw = () => {
    const { m, width: W, height: H } = FRAME;
    const next = s('svg', {
      width: W,
      height: H,
      viewBox: `0 0 ${W} ${H}`,
      'font-family': 'DejaVu Sans, Liberation Sans, Arial, sans-serif',
      'data-testid': 'curve-svg',
    });
    next.append(s('rect', { width: W, height: H, fill: '#fff' }));
    if (grid) {
      const g = grid;
      const n = g.x.length;
      const z = numeric(g.loss);
      const scale = zScale(z, { log: options.log, zmax: options.zmax });
      const w = z.map((v) => scale.transform(v));
      const sx = linear(g.x[0], g.x[n - 1], m.l, W - m.r);
      const sy = linear(scale.lo, scale.hi, H - m.b, m.t);
      const names = { x: axisNames(g.meta).x, y: scale.label('loss') };
      next.append(axes(FRAME, [g.x[0], g.x[n - 1]], [scale.lo, scale.hi], names, (v) => tickText(scale.inverse(v))));
      next.append(s('path', { d: pathOf(g.x, w, sx, sy), fill: 'none', stroke: '#2f6fde', 'stroke-width': 1.8 }));
      if (g.accuracy) {
        const acc = numeric(g.accuracy);
        const sa = linear(0, 1, H - m.b, m.t);
        next.append(
          s('path', {
            d: pathOf(g.x, acc, sx, sa),
            fill: 'none',
            stroke: '#e07b00',
            'stroke-width': 1.5,
            'stroke-dasharray': '5 3',
          }),
        );
        const right = s('g', { 'font-size': 11, fill: '#e07b00' });
        for (const t of niceTicks(0, 1)) right.append(s('text', { x: W - m.r + 6, y: sa(t) + 4 }, tickText(t)));
        const cy = (m.t + H - m.b) / 2;
        right.append(
          s('text', { x: W - 12, y: cy, 'text-anchor': 'middle', transform: `rotate(90 ${W - 12} ${cy})` }, 'accuracy'),
        );
        next.append(right);
      }
      for (const p of gridMarks(g.meta).points) {
        const px = sx(p.at[0]);
        next.append(s('line', { x1: px, x2: px, y1: m.t, y2: H - m.b, stroke: '#d62728', 'stroke-dasharray': '2 3' }));
        next.append(s('text', { x: px + 4, y: m.t + 12, 'font-size': 11, fill: '#d62728' }, p.label));
      }
      const dot = s('circle', { r: 4, fill: '#ff3d00', visibility: 'hidden' });
      next.append(dot);
      next.addEventListener('pointermove', (e) => {
        const r = next.getBoundingClientRect();
        const a = linear(m.l, W - m.r, g.x[0], g.x[n - 1])(((e.clientX - r.left) / r.width) * W);
        const i = nearestIndex(g.x, a);
        read.show(g, { i, j: 0 });
        const ok = Number.isFinite(w[i]);
        dot.setAttribute('visibility', ok ? 'visible' : 'hidden');
        if (ok) {
          dot.setAttribute('cx', sx(g.x[i]).toFixed(1));
          dot.setAttribute('cy', sy(w[i]).toFixed(1));
        }
      });
      next.addEventListener('pointerleave', () => {
        read.show(null, null);
        dot.setAttribute('visibility', 'hidden');
      });
    }
    svg.replaceWith(next);
    svg = next;
  };

  return {
    element,
    update(g) {
      grid = g;
      draw();
    },
    setOptions(o) {
      options = o;
      draw();
    },
    svg: () => svg,
    dispose() {
      grid = null;
      element.remove();
    },
  };
}
