/**
 * Figures of a 2-D loss surface as SVG strings: filled contours (marching squares by d3-contour) and
 * a shaded 3-D view (painter's algorithm over the grid's quads). The computation (range, levels,
 * bands, colours) is `src/figures`, which the app's views share. `z` is x-major: z[i * ny + j] is the
 * value at (x[i], y[j]). NaN marks a point not computed yet; it is left blank.
 */
import { contourBands, contourLevels, cssColor, finiteRange } from '../figures';
import { esc, svgOpen, tickLabel, ticks } from './svg';

export interface SurfaceFigure {
  x: number[];
  y: number[];
  z: ArrayLike<number>;
  title: string;
  zLabel: string;
  /** Points to draw over the contour (a PCA trajectory), in the x/y coordinates. */
  path?: number[][];
  width?: number;
  height?: number;
  levels?: number;
}

const range = (z: ArrayLike<number>): [number, number] => finiteRange(z) ?? [0, 1];
const viridis = (t: number) => cssColor('viridis', t);

function colorBar(x: number, y: number, h: number, lo: number, hi: number, label: string): string {
  const n = 32;
  const cells = Array.from({ length: n }, (_v, k) => {
    const cy = y + h - ((k + 1) * h) / n;
    return `<rect x="${x}" y="${cy.toFixed(1)}" width="12" height="${(h / n + 0.5).toFixed(1)}" fill="${viridis((k + 0.5) / n)}"/>`;
  });
  const labels = ticks(lo, hi, 4).map((t) => {
    const ty = y + h - ((t - lo) / (hi - lo || 1)) * h;
    return `<text x="${x + 16}" y="${(ty + 4).toFixed(1)}">${tickLabel(t)}</text>`;
  });
  return [...cells, ...labels, `<text x="${x + 6}" y="${y - 8}" text-anchor="middle">${esc(label)}</text>`].join('');
}

export function contourChart(f: SurfaceFigure): string {
  const W = f.width ?? 560;
  const H = f.height ?? 460;
  const m = { l: 64, r: 90, t: 32, b: 48 };
  const nx = f.x.length;
  const ny = f.y.length;
  const [lo, hi] = range(f.z);
  const bands = contourBands(f.z, nx, ny, contourLevels(lo, hi, f.levels ?? 20));
  const [x0, x1] = [f.x[0], f.x[nx - 1]];
  const [y0, y1] = [f.y[0], f.y[ny - 1]];
  const pw = W - m.l - m.r;
  const ph = H - m.t - m.b;
  // Grid value (i, j) sits at contour coordinate (i + 0.5, j + 0.5).
  const px = (c: number) => m.l + ((c - 0.5) / Math.max(nx - 1, 1)) * pw;
  const py = (c: number) => H - m.b - ((c - 0.5) / Math.max(ny - 1, 1)) * ph;
  const sx = (x: number) => m.l + ((x - x0) / (x1 - x0 || 1)) * pw;
  const sy = (y: number) => H - m.b - ((y - y0) / (y1 - y0 || 1)) * ph;
  const paths = bands.map((b) => {
    const d = b.coordinates
      .flatMap((polygon) =>
        polygon.map((ring) => `M${ring.map(([a, c]) => `${px(a).toFixed(1)},${py(c).toFixed(1)}`).join('L')}Z`),
      )
      .join('');
    return d
      ? `<path d="${d}" fill="${viridis((b.value - lo) / (hi - lo || 1))}" stroke="#fff" stroke-width="0.3"/>`
      : '';
  });
  const trail = f.path?.length
    ? `<polyline fill="none" stroke="#d62728" stroke-width="1.5" points="${f.path.map(([a, b]) => `${sx(a).toFixed(1)},${sy(b).toFixed(1)}`).join(' ')}"/>` +
      f.path
        .map(([a, b]) => `<circle cx="${sx(a).toFixed(1)}" cy="${sy(b).toFixed(1)}" r="2.5" fill="#d62728"/>`)
        .join('')
    : '';
  const xt = ticks(x0, x1).map(
    (t) =>
      `<line x1="${sx(t)}" x2="${sx(t)}" y1="${H - m.b}" y2="${H - m.b + 4}" stroke="#555"/><text x="${sx(t)}" y="${H - m.b + 16}" text-anchor="middle">${tickLabel(t)}</text>`,
  );
  const yt = ticks(y0, y1).map(
    (t) =>
      `<line x1="${m.l - 4}" x2="${m.l}" y1="${sy(t)}" y2="${sy(t)}" stroke="#555"/><text x="${m.l - 6}" y="${sy(t) + 4}" text-anchor="end">${tickLabel(t)}</text>`,
  );
  return [
    svgOpen(W, H),
    `<defs><clipPath id="plot"><rect x="${m.l}" y="${m.t}" width="${pw}" height="${ph}"/></clipPath></defs>`,
    `<text x="${(m.l + W - m.r) / 2}" y="18" text-anchor="middle" font-size="13">${esc(f.title)}</text>`,
    `<g clip-path="url(#plot)">${paths.join('')}${trail}</g>`,
    `<rect x="${m.l}" y="${m.t}" width="${pw}" height="${ph}" fill="none" stroke="#555"/>`,
    ...xt,
    ...yt,
    colorBar(W - m.r + 24, m.t + 16, ph - 16, lo, hi, f.zLabel),
    `<text x="${(m.l + W - m.r) / 2}" y="${H - 12}" text-anchor="middle">x (first direction)</text>`,
    `<text x="14" y="${H / 2}" text-anchor="middle" transform="rotate(-90 14 ${H / 2})">y (second direction)</text>`,
    '</svg>',
  ].join('');
}

/** A 3-D view of the surface from azimuth -55°, elevation 30°, far quads drawn first (painter's algorithm). */
export function surfaceChart(f: SurfaceFigure): string {
  const W = f.width ?? 560;
  const H = f.height ?? 460;
  const nx = f.x.length;
  const ny = f.y.length;
  const [lo, hi] = range(f.z);
  const az = (-55 * Math.PI) / 180;
  const el = (30 * Math.PI) / 180;
  // Unit cube: u, v in [-0.5, 0.5] over the grid, w in [0, 0.5] over the values; b grows toward the
  // viewer. The projected box is then fitted to the plot area.
  const raw = (i: number, j: number, z: number) => {
    const u = i / Math.max(nx - 1, 1) - 0.5;
    const v = j / Math.max(ny - 1, 1) - 0.5;
    const w = ((z - lo) / (hi - lo || 1)) * 0.5;
    const a = u * Math.cos(az) - v * Math.sin(az);
    const b = u * Math.sin(az) + v * Math.cos(az);
    return { a, h: w * Math.cos(el) - b * Math.sin(el), depth: b };
  };
  const box = { l: 24, r: 90, t: 40, b: 24 };
  const corners3 = [0, nx - 1].flatMap((i) => [0, ny - 1].flatMap((j) => [raw(i, j, lo), raw(i, j, hi)]));
  const aLo = Math.min(...corners3.map((p) => p.a));
  const aHi = Math.max(...corners3.map((p) => p.a));
  const hLo = Math.min(...corners3.map((p) => p.h));
  const hHi = Math.max(...corners3.map((p) => p.h));
  const scale = Math.min((W - box.l - box.r) / (aHi - aLo), (H - box.t - box.b) / (hHi - hLo));
  const project = (i: number, j: number, z: number) => {
    const p = raw(i, j, z);
    return { sx: box.l + (p.a - aLo) * scale, sy: H - box.b - (p.h - hLo) * scale, depth: p.depth };
  };
  const quads: Array<{ depth: number; d: string; fill: string }> = [];
  for (let i = 0; i + 1 < nx; i++)
    for (let j = 0; j + 1 < ny; j++) {
      const corners = [
        [i, j],
        [i + 1, j],
        [i + 1, j + 1],
        [i, j + 1],
      ];
      const zs = corners.map(([a, b]) => f.z[a * ny + b]);
      if (zs.some((z) => !Number.isFinite(z))) continue;
      const ps = corners.map(([a, b], k) => project(a, b, zs[k]));
      const mean = zs.reduce((s, z) => s + z, 0) / 4;
      quads.push({
        depth: ps.reduce((s, p) => s + p.depth, 0) / 4,
        d: `M${ps.map((p) => `${p.sx.toFixed(1)},${p.sy.toFixed(1)}`).join('L')}Z`,
        fill: viridis((mean - lo) / (hi - lo || 1)),
      });
    }
  quads.sort((a, b) => a.depth - b.depth); // far (small b) first, near last
  return [
    svgOpen(W, H),
    `<text x="${W / 2}" y="18" text-anchor="middle" font-size="13">${esc(f.title)}</text>`,
    ...quads.map((q) => `<path d="${q.d}" fill="${q.fill}" stroke="#333" stroke-width="0.2"/>`),
    colorBar(W - 60, 48, H - 120, lo, hi, f.zLabel),
    '</svg>',
  ].join('');
}
