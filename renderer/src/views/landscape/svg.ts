/** SVG helpers for the 2-D views: elements, axes with round ticks, and a colorbar made of rects. */
import { type ColormapName, cssColor, type ZScale } from '../../../../src/figures';
import { niceTicks, tickText } from './ticks';

const NS = 'http://www.w3.org/2000/svg';

export function s<K extends keyof SVGElementTagNameMap>(
  tag: K,
  attrs: Record<string, string | number> = {},
  ...children: Array<SVGElement | string>
): SVGElementTagNameMap[K] {
  const el = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  for (const c of children) el.append(c);
  return el;
}

export interface Frame {
  width: number;
  height: number;
  m: { l: number; r: number; t: number; b: number };
}

/** A linear map from [d0, d1] to [r0, r1]. */
export const linear =
  (d0: number, d1: number, r0: number, r1: number) =>
  (v: number): number =>
    d1 === d0 ? (r0 + r1) / 2 : r0 + ((v - d0) / (d1 - d0)) * (r1 - r0);

/** Bottom and left axes with ticks and names. */
export function axes(
  f: Frame,
  x: [number, number],
  y: [number, number],
  names: { x: string; y: string },
  yTick: (v: number) => string = tickText,
): SVGGElement {
  const sx = linear(x[0], x[1], f.m.l, f.width - f.m.r);
  const sy = linear(y[0], y[1], f.height - f.m.b, f.m.t);
  const g = s('g', { class: 'axes', 'font-size': 11, fill: '#333' });
  g.append(
    s('rect', {
      x: f.m.l,
      y: f.m.t,
      width: f.width - f.m.l - f.m.r,
      height: f.height - f.m.t - f.m.b,
      fill: 'none',
      stroke: '#666',
    }),
  );
  for (const t of niceTicks(x[0], x[1])) {
    const px = sx(t);
    g.append(s('line', { x1: px, x2: px, y1: f.height - f.m.b, y2: f.height - f.m.b + 4, stroke: '#666' }));
    g.append(s('text', { x: px, y: f.height - f.m.b + 16, 'text-anchor': 'middle' }, tickText(t)));
  }
  for (const t of niceTicks(y[0], y[1])) {
    const py = sy(t);
    g.append(s('line', { x1: f.m.l - 4, x2: f.m.l, y1: py, y2: py, stroke: '#666' }));
    g.append(s('text', { x: f.m.l - 6, y: py + 4, 'text-anchor': 'end' }, yTick(t)));
  }
  g.append(s('text', { x: (f.m.l + f.width - f.m.r) / 2, y: f.height - 8, 'text-anchor': 'middle' }, names.x));
  const cy = (f.m.t + f.height - f.m.b) / 2;
  g.append(s('text', { x: 14, y: cy, 'text-anchor': 'middle', transform: `rotate(-90 14 ${cy})` }, names.y));
  return g;
}

/** A vertical colorbar of 64 rects with ticks in the data's units. */
export function svgColorbar(
  x: number,
  y: number,
  height: number,
  colormap: ColormapName,
  scale: ZScale,
  label: string,
): SVGGElement {
  const g = s('g', { class: 'colorbar', 'font-size': 11, fill: '#333' });
  const n = 64;
  for (let k = 0; k < n; k++)
    g.append(
      s('rect', {
        x,
        y: (y + height - ((k + 1) * height) / n).toFixed(2),
        width: 12,
        height: (height / n + 0.5).toFixed(2),
        fill: cssColor(colormap, (k + 0.5) / n),
      }),
    );
  const sy = linear(scale.lo, scale.hi, y + height, y);
  for (const w of niceTicks(scale.lo, scale.hi))
    g.append(s('text', { x: x + 16, y: sy(w) + 4 }, tickText(scale.inverse(w))));
  g.append(s('text', { x: x + 6, y: y - 8, 'text-anchor': 'middle' }, label));
  return g;
}

/** The SVG as a standalone file (for export). */
export function svgText(svg: SVGSVGElement): string {
  const copy = svg.cloneNode(true) as SVGSVGElement;
  copy.setAttribute('xmlns', NS);
  return `<?xml version="1.0" encoding="UTF-8"?>\n${copy.outerHTML}`;
}

/** The SVG drawn into a canvas at `scale` times its size (for PNG export). */
export async function svgToCanvas(svg: SVGSVGElement, scale: number): Promise<HTMLCanvasElement> {
  const width = Number(svg.getAttribute('width'));
  const height = Number(svg.getAttribute('height'));
  const url = URL.createObjectURL(new Blob([svgText(svg)], { type: 'image/svg+xml' }));
  try {
    const img = new Image();
    img.src = url;
    await img.decode();
    const canvas = document.createElement('canvas');
    canvas.width = width * scale;
    canvas.height = height * scale;
    const ctx = canvas.getContext('2d') as CanvasRenderingContext2D;
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    ctx.drawImage(img, 0, 0, canvas.width, canvas.height);
    return canvas;
  } finally {
    URL.revokeObjectURL(url);
  }
}
