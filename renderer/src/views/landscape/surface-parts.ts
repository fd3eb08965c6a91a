/**
 * three.js pieces of the 3-D surface that do not depend on its state: the colormap texture, vertex
 * colours, the box, the axis labels, and the PNG composite of the canvas with its labels and colorbar.
 */
import {
  BufferAttribute,
  BufferGeometry,
  Color,
  DataTexture,
  LinearFilter,
  type LineBasicMaterial,
  LineSegments,
  SRGBColorSpace,
  Vector3,
} from 'three';
import { axisNames, colormapTable, LUT_SIZE, type ZScale } from '../../../../src/figures';
import type { Colorbar } from './parts';
import { boxOf, FLOOR, HEIGHT } from './surface-geometry';
import type { Label } from './surface-labels';
import { niceTicks, tickText as tick } from './ticks';
import type { DrawOptions, GridView } from './types';

/** The colormap as a 256×1 sRGB texture: the mesh samples it at u = t, so pixels are table colours. */
export function lutTexture(o: DrawOptions): DataTexture {
  const rgb = colormapTable(o.colormap);
  const rgba = new Uint8Array(LUT_SIZE * 4);
  for (let k = 0; k < LUT_SIZE; k++) rgba.set([rgb[k * 3], rgb[k * 3 + 1], rgb[k * 3 + 2], 255], k * 4);
  const tex = new DataTexture(rgba, LUT_SIZE, 1);
  tex.colorSpace = SRGBColorSpace;
  tex.magFilter = LinearFilter;
  tex.minFilter = LinearFilter;
  tex.needsUpdate = true;
  return tex;
}

/** Colormap colours for t values as three's vertex colours (linear; the table is sRGB). */
export function linearColors(o: DrawOptions, ts: ArrayLike<number>): Float32Array {
  const table = colormapTable(o.colormap);
  const out = new Float32Array(ts.length * 3);
  const c = new Color();
  for (let k = 0; k < ts.length; k++) {
    const e = Math.round(Math.min(1, Math.max(0, ts[k])) * (LUT_SIZE - 1)) * 3;
    c.setRGB(table[e] / 255, table[e + 1] / 255, table[e + 2] / 255, SRGBColorSpace);
    out.set([c.r, c.g, c.b], k * 3);
  }
  return out;
}

/** The floor rectangle and the vertical edge at the back-left corner. */
export function boxLines(material: LineBasicMaterial): LineSegments {
  const pts: number[] = [];
  for (const [a, b, c, d] of [
    [-1, -1, 1, -1],
    [1, -1, 1, 1],
    [1, 1, -1, 1],
    [-1, 1, -1, -1],
  ])
    pts.push(a, FLOOR, b, c, FLOOR, d);
  pts.push(-1, FLOOR, -1, -1, HEIGHT, -1);
  const geometry = new BufferGeometry();
  geometry.setAttribute('position', new BufferAttribute(Float32Array.from(pts), 3));
  return new LineSegments(geometry, material);
}

/** Ticks in the axes' own units (z in the data's units under log and clip) and the axes' names. */
export function axisLabels(g: GridView, scale: ZScale): Label[] {
  const y = g.y ?? [0];
  const names = axisNames(g.meta);
  const out: Label[] = [];
  for (const t of niceTicks(g.x[0], g.x[g.x.length - 1]))
    out.push({ at: new Vector3(boxOf(g.x, t), FLOOR, 1.12), text: tick(t), kind: 'tick' });
  for (const t of niceTicks(y[0], y[y.length - 1]))
    out.push({ at: new Vector3(1.14, FLOOR, -boxOf(y, t)), text: tick(t), kind: 'tick' });
  for (const w of niceTicks(scale.lo, scale.hi))
    out.push({
      at: new Vector3(-1.06, ((w - scale.lo) / (scale.hi - scale.lo || 1)) * HEIGHT, -1),
      text: tick(scale.inverse(w)),
      kind: 'tick',
    });
  out.push({ at: new Vector3(0, FLOOR, 1.32), text: names.x, kind: 'axis' });
  out.push({ at: new Vector3(1.4, FLOOR, 0), text: names.y, kind: 'axis' });
  out.push({ at: new Vector3(-1, HEIGHT + 0.12, -1), text: scale.label('loss'), kind: 'axis' });
  return out;
}

/**
 * The canvas (just rendered at `scale`) with the HTML labels and the colorbar painted over it, for
 * PNG export: what the user sees, at `scale` times the size.
 */
export function composite(
  canvas: HTMLCanvasElement,
  labels: HTMLElement,
  bar: Colorbar,
  width: number,
  height: number,
  scale: number,
): HTMLCanvasElement {
  const out = document.createElement('canvas');
  const barWidth = 90;
  out.width = (width + barWidth) * scale;
  out.height = height * scale;
  const ctx = out.getContext('2d') as CanvasRenderingContext2D;
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, out.width, out.height);
  ctx.drawImage(canvas, 0, 0);
  ctx.scale(scale, scale);
  for (const l of labels.querySelectorAll<HTMLElement>('.label')) {
    ctx.font = getComputedStyle(l).font;
    ctx.fillStyle = '#222';
    ctx.textAlign = 'center';
    ctx.fillText(l.textContent ?? '', Number(l.dataset.x), Number(l.dataset.y) - (l.dataset.kind === 'min' ? 8 : -4));
  }
  bar.paint(ctx, width + 10, 20, height - 40);
  return out;
}
