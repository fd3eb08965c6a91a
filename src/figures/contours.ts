/**
 * Contours of a grid: filled bands (d3-contour's marching squares, plain GeoJSON) for the 2-D map and
 * the SVG report, and iso-lines as segments for drawing on the 3-D surface and its floor. Grids are
 * x-major as stored (z[i * ny + j] at x[i], y[j]); NaN marks a point not computed yet, which lies
 * below every level (bands leave it blank; lines do not cross a cell that has one).
 */
import { type ContourMultiPolygon, contours } from 'd3-contour';

/**
 * Filled contours: for each level, the region where z ≥ level. Coordinates are d3-contour's: grid
 * value (i, j) sits at (i + 0.5, j + 0.5).
 */
export function contourBands(z: ArrayLike<number>, nx: number, ny: number, levels: number[]): ContourMultiPolygon[] {
  // d3-contour wants row-major values with x fastest; missing points sit below every level.
  const values = new Array<number>(nx * ny);
  for (let i = 0; i < nx; i++)
    for (let j = 0; j < ny; j++) {
      const v = z[i * ny + j];
      values[j * nx + i] = Number.isFinite(v) ? v : Number.NEGATIVE_INFINITY;
    }
  return contours().size([nx, ny]).thresholds(levels)(values);
}

/** One iso-line segment in fractional grid indices: (i, j) to (i2, j2) at `level`. */
export interface IsoSegment {
  level: number;
  a: [number, number];
  b: [number, number];
}

/**
 * Iso-lines by marching squares with linear interpolation along cell edges; the saddle case (two
 * opposite corners above) is split by the cell's mean, as matplotlib does. Exactly-at-level corners
 * count as above, so a plateau at a level draws its boundary once.
 */
export function isoLines(z: ArrayLike<number>, nx: number, ny: number, levels: number[]): IsoSegment[] {
  const out: IsoSegment[] = [];
  const at = (i: number, j: number) => z[i * ny + j];
  for (let i = 0; i + 1 < nx; i++)
    for (let j = 0; j + 1 < ny; j++) {
      // Corners counter-clockwise: (i,j), (i+1,j), (i+1,j+1), (i,j+1).
      const c: Array<[number, number]> = [
        [i, j],
        [i + 1, j],
        [i + 1, j + 1],
        [i, j + 1],
      ];
      const v = c.map(([a, b]) => at(a, b));
      if (v.some((x) => !Number.isFinite(x))) continue;
      for (const level of levels) {
        const above = v.map((x) => x >= level);
        const count = above.filter(Boolean).length;
        if (count === 0 || count === 4) continue;
        // Crossing on edge k (corner k to corner k+1), where the sides differ.
        const cross = (k: number): [number, number] => {
          const k2 = (k + 1) % 4;
          const f = (level - v[k]) / (v[k2] - v[k]);
          return [c[k][0] + f * (c[k2][0] - c[k][0]), c[k][1] + f * (c[k2][1] - c[k][1])];
        };
        const edges = [0, 1, 2, 3].filter((k) => above[k] !== above[(k + 1) % 4]);
        if (edges.length === 2) out.push({ level, a: cross(edges[0]), b: cross(edges[1]) });
        else {
          // Saddle: corners 0 and 2 on one side, 1 and 3 on the other. With the centre on corner 0's
          // side, corners 1 and 3 are cut off (edges 0+1, 2+3); otherwise corners 0 and 2 (3+0, 1+2).
          const centreAbove = (v[0] + v[1] + v[2] + v[3]) / 4 >= level;
          const pairs =
            centreAbove === above[0]
              ? [
                  [0, 1],
                  [2, 3],
                ]
              : [
                  [3, 0],
                  [1, 2],
                ];
          for (const [e1, e2] of pairs) out.push({ level, a: cross(e1), b: cross(e2) });
        }
      }
    }
  return out;
}
