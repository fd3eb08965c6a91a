/**
 * The surface's buffers from a grid: vertex positions over the box [-1, 1] × [0, HEIGHT] × [-1, 1]
 * (x to the right, height up, y into the screen), the colormap coordinate of each vertex, triangles
 * only where all four corners of a cell are computed, and the contour segments on the surface and on
 * the floor. No three.js here: plain arrays, so the mapping from grid to picture is in one place.
 */
import { contourLevels, isoLines, numeric, type ZScale, zScale } from '../../../../src/figures';
import type { DrawOptions, GridView } from './types';

export const HEIGHT = 1.1;
export const FLOOR = -0.25;

export interface SurfaceBuffers {
  nx: number;
  ny: number;
  scale: ZScale;
  positions: Float32Array;
  /** u = colormap t (0 for a missing point, which no triangle uses). */
  uvs: Float32Array;
  index: Uint32Array;
  /** How many points are computed. */
  computed: number;
  /** Contour segments as consecutive point pairs: on the surface, and on the floor with their t. */
  lines: Float32Array;
  floorLines: Float32Array;
  floorT: Float32Array;
}

/** Axis coordinate to box coordinate in [-1, 1] (a single-point axis sits at 0). */
export function boxOf(axis: ArrayLike<number>, a: number): number {
  const lo = axis[0];
  const hi = axis[axis.length - 1];
  return hi === lo ? 0 : ((a - lo) / (hi - lo)) * 2 - 1;
}

/** Box coordinate back to the axis' units. */
export function axisOf(axis: ArrayLike<number>, b: number): number {
  const lo = axis[0];
  const hi = axis[axis.length - 1];
  return lo + ((b + 1) / 2) * (hi - lo);
}

/** A fractional grid index to its coordinate, by linear interpolation between axis values. */
export function coordAt(axis: ArrayLike<number>, f: number): number {
  const k = Math.min(axis.length - 2, Math.max(0, Math.floor(f)));
  if (axis.length < 2) return axis[0];
  return axis[k] + (f - k) * (axis[k + 1] - axis[k]);
}

export const heightOf = (t: number) => t * HEIGHT;

export function surfaceBuffers(g: GridView, o: DrawOptions): SurfaceBuffers {
  const y = g.y ?? [0];
  const nx = g.x.length;
  const ny = y.length;
  const z = numeric(g.loss);
  const scale = zScale(z, { log: o.log, zmax: o.zmax });
  const positions = new Float32Array(nx * ny * 3);
  const uvs = new Float32Array(nx * ny * 2);
  let computed = 0;
  for (let i = 0; i < nx; i++)
    for (let j = 0; j < ny; j++) {
      const k = i * ny + j;
      const t = scale.t(z[k]);
      const ok = !Number.isNaN(t);
      if (ok) computed++;
      positions[k * 3] = boxOf(g.x, g.x[i]);
      positions[k * 3 + 1] = ok ? heightOf(t) : FLOOR;
      // y grows into the screen: the box's -z.
      positions[k * 3 + 2] = -boxOf(y, y[j]);
      uvs[k * 2] = ok ? t : 0;
      uvs[k * 2 + 1] = 0.5;
    }
  const tris: number[] = [];
  for (let i = 0; i + 1 < nx; i++)
    for (let j = 0; j + 1 < ny; j++) {
      const a = i * ny + j;
      const b = (i + 1) * ny + j;
      const c = (i + 1) * ny + j + 1;
      const d = i * ny + j + 1;
      if (Number.isNaN(z[a]) || Number.isNaN(z[b]) || Number.isNaN(z[c]) || Number.isNaN(z[d])) continue;
      tris.push(a, b, c, a, c, d);
    }
  const lines: number[] = [];
  const floorLines: number[] = [];
  const floorT: number[] = [];
  if (o.contours && scale.hi > scale.lo) {
    const w = z.map((v) => scale.transform(v));
    // The lowest level touches only the minimum: it draws nothing worth a line.
    const levels = contourLevels(scale.lo, scale.hi, o.levels).slice(1);
    for (const s of isoLines(w, nx, ny, levels)) {
      const t = (s.level - scale.lo) / (scale.hi - scale.lo);
      for (const [fi, fj] of [s.a, s.b]) {
        const px = boxOf(g.x, coordAt(g.x, fi));
        const pz = -boxOf(y, coordAt(y, fj));
        lines.push(px, heightOf(t) + 0.004, pz);
        floorLines.push(px, FLOOR, pz);
        floorT.push(t);
      }
    }
  }
  return {
    nx,
    ny,
    scale,
    positions,
    uvs,
    index: Uint32Array.from(tris),
    computed,
    lines: Float32Array.from(lines),
    floorLines: Float32Array.from(floorLines),
    floorT: Float32Array.from(floorT),
  };
}

/** The drawn height at a coordinate, bilinear between the four grid points around it (for overlays). */
export function heightAt(g: GridView, scale: ZScale, a: number, b: number): number | null {
  const y = g.y ?? [0];
  const ny = y.length;
  const fi = fraction(g.x, a);
  const fj = fraction(y, b);
  if (fi === null || fj === null) return null;
  const i = Math.min(Math.floor(fi), g.x.length - 2);
  const j = Math.min(Math.floor(fj), ny - 2);
  const u = fi - i;
  const v = fj - j;
  const t = (ii: number, jj: number) => scale.t(g.loss[ii * ny + jj]);
  const h =
    (1 - u) * (1 - v) * t(i, j) + u * (1 - v) * t(i + 1, j) + u * v * t(i + 1, j + 1) + (1 - u) * v * t(i, j + 1);
  return Number.isNaN(h) ? null : heightOf(h);
}

/** Fractional index of a coordinate inside the axis, or null outside it. */
function fraction(axis: ArrayLike<number>, a: number): number | null {
  const n = axis.length;
  if (n < 2) return null;
  const f = ((a - axis[0]) / (axis[n - 1] - axis[0])) * (n - 1);
  return f < 0 || f > n - 1 ? null : f;
}
