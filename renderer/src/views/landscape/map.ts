/**
 * The 2-D map of a surface: filled contours (d3-contour bands from src/figures) or a heat map (one
 * cell per grid point), in the surface's colormap and scale, with its trajectories and checkpoints.
 * Hovering reads the nearest grid point's stored values and moves the surface's cursor; the surface's
 * cursor shows here as a ring.
 */
import {
  axisNames,
  contourBands,
  contourLevels,
  cssColor,
  gridMarks,
  nearestIndex,
  numeric,
  zScale,
} from '../../../../src/figures';
import { h } from '../../dom';
import type { View } from '../view';
import { readout } from './parts';
import { axes, type Frame, linear, s, svgColorbar } from './svg';
import { type Cell, DEFAULT_OPTIONS, type DrawOptions, type GridView } from './types';

export interface MapView extends View<GridView> {
  setOptions(o: DrawOptions): void;
  setCursor(c: Cell | null): void;
  onCursor: (c: Cell | null) => void;
  svg(): SVGSVGElement;
}

const FRAME: Frame = { width: 560, height: 460, m: { l: 64, r: 96, t: 20, b: 48 } };

export function mapView(): MapView {
  let svg = s('svg', { width: FRAME.width, height: FRAME.height, viewBox: `0 0 ${FRAME.width} ${FRAME.height}` });
  const read = readout('map-readout');
  const holder = h('div', { class: 'map-svg' }, svg);
  const element = h('div', { class: 'landscape-view map', 'data-testid': 'map' }, holder, read.element);
  let grid: GridView | null = null;
  let options = DEFAULT_OPTIONS;
  const ring = s('circle', { r: 5, fill: 'none', stroke: '#ff3d00', 'stroke-width': 2, visibility: 'hidden' });

  const draw = () => {
    const next = s('svg', {
      width: FRAME.width,
      height: FRAME.height,
      viewBox: `0 0 ${FRAME.width} ${FRAME.height}`,
      'font-family': 'DejaVu Sans, Liberation Sans, Arial, sans-serif',
      'data-testid': 'map-svg',
    });
    next.append(s('rect', { width: FRAME.width, height: FRAME.height, fill: '#fff' }));
    if (grid?.y) {
      const g = grid;
      const y = g.y as number[];
      const nx = g.x.length;
      const ny = y.length;
      const { m, width: W, height: H } = FRAME;
      const sx = linear(g.x[0], g.x[nx - 1], m.l, W - m.r);
      const sy = linear(y[0], y[ny - 1], H - m.b, m.t);
      const z = numeric(g.loss);
      const scale = zScale(z, { log: options.log, zmax: options.zmax });
      const w = z.map((v) => scale.transform(v));
      const plot = s('g', { 'clip-path': 'url(#map-clip)' });
      next.append(
        s(
          'defs',
          {},
          s('clipPath', { id: 'map-clip' }, s('rect', { x: m.l, y: m.t, width: W - m.l - m.r, height: H - m.t - m.b })),
        ),
      );
      // Cell edges halfway between grid points, the outer ones half a step beyond.
      const dx = (g.x[nx - 1] - g.x[0]) / Math.max(nx - 1, 1);
      const dy = (y[ny - 1] - y[0]) / Math.max(ny - 1, 1);
      // While a run computes, each finished point shows as its cell: bands need whole cells around them.
      if (options.mapMode === 'heat' || !g.complete) {
        for (let i = 0; i < nx; i++)
          for (let j = 0; j < ny; j++) {
            const t = scale.t(z[i * ny + j]);
            if (Number.isNaN(t)) continue;
            const x0 = sx(g.x[i] - dx / 2);
            const y0 = sy(y[j] + dy / 2);
            plot.append(
              s('rect', {
                class: 'cell',
                x: x0.toFixed(2),
                y: y0.toFixed(2),
                width: (sx(g.x[i] + dx / 2) - x0 + 0.4).toFixed(2),
                height: (sy(y[j] - dy / 2) - y0 + 0.4).toFixed(2),
                fill: cssColor(options.colormap, t),
              }),
            );
          }
      } else {
        // d3-contour puts grid point (i, j) at (i + 0.5, j + 0.5).
        const px = (c: number) => sx(g.x[0] + (c - 0.5) * dx);
        const py = (c: number) => sy(y[0] + (c - 0.5) * dy);
        for (const band of contourBands(w, nx, ny, contourLevels(scale.lo, scale.hi, options.levels))) {
          const d = band.coordinates
            .flatMap((polygon) =>
              polygon.map((r) => `M${r.map(([a, c]) => `${px(a).toFixed(1)},${py(c).toFixed(1)}`).join('L')}Z`),
            )
            .join('');
          const t = scale.hi > scale.lo ? (band.value - scale.lo) / (scale.hi - scale.lo) : 0;
          if (d)
            plot.append(
              s('path', {
                d,
                fill: cssColor(options.colormap, t),
                stroke: options.contours ? 'rgba(255,255,255,0.6)' : 'none',
                'stroke-width': 0.4,
              }),
            );
        }
      }
      const { path, points } = gridMarks(g.meta);
      if (path.length > 1)
        plot.append(
          s('polyline', {
            points: path.map(([a, b]) => `${sx(a).toFixed(1)},${sy(b).toFixed(1)}`).join(' '),
            fill: 'none',
            stroke: '#d62728',
            'stroke-width': 1.5,
          }),
        );
      for (const p of points) {
        plot.append(s('circle', { cx: sx(p.at[0]), cy: sy(p.at[1]), r: 3.5, fill: '#d62728' }));
        plot.append(s('text', { x: sx(p.at[0]) + 6, y: sy(p.at[1]) - 6, 'font-size': 11, fill: '#d62728' }, p.label));
      }
      plot.append(ring);
      next.append(plot, axes(FRAME, [g.x[0], g.x[nx - 1]], [y[0], y[ny - 1]], axisNames(g.meta)));
      next.append(
        svgColorbar(W - m.r + 24, m.t + 16, H - m.t - m.b - 16, options.colormap, scale, scale.label('loss')),
      );
      next.addEventListener('pointermove', (e) => {
        const r = next.getBoundingClientRect();
        const a = linear(m.l, W - m.r, g.x[0], g.x[nx - 1])(((e.clientX - r.left) / r.width) * W);
        const b = linear(H - m.b, m.t, y[0], y[ny - 1])(((e.clientY - r.top) / r.height) * H);
        const inside = (v: number, lo: number, hi: number) =>
          v >= Math.min(lo, hi) - 1e-12 && v <= Math.max(lo, hi) + 1e-12;
        const c =
          inside(a, g.x[0], g.x[nx - 1]) && inside(b, y[0], y[ny - 1])
            ? { i: nearestIndex(g.x, a), j: nearestIndex(y, b) }
            : null;
        showCursor(c);
        view.onCursor(c);
      });
      next.addEventListener('pointerleave', () => {
        showCursor(null);
        view.onCursor(null);
      });
      placeRing = (c) => {
        ring.setAttribute('cx', sx(g.x[c.i]).toFixed(1));
        ring.setAttribute('cy', sy(y[c.j]).toFixed(1));
      };
    }
    svg.replaceWith(next);
    svg = next;
  };
  let placeRing: (c: Cell) => void = () => {};

  const showCursor = (c: Cell | null) => {
    ring.setAttribute('visibility', c ? 'visible' : 'hidden');
    if (c) placeRing(c);
    read.show(grid, c);
  };

  const view: MapView = {
    element,
    onCursor: () => {},
    update(g) {
      grid = g;
      draw();
    },
    setOptions(o) {
      options = o;
      draw();
    },
    setCursor: showCursor,
    svg: () => svg,
    dispose() {
      grid = null;
      element.remove();
    },
  };
  return view;
}
