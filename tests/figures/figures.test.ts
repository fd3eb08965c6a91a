/**
 * The figure computation shared by the SVG exporter and the app's views, on small literal grids
 * whose answers are worked out by hand.
 */
import { describe, expect, it } from 'vitest';
import {
  axisNames,
  binnedDensity,
  cellValues,
  colorAt,
  colormapTable,
  contourBands,
  contourLevels,
  finiteRange,
  gridMarks,
  isoLines,
  LUT_SIZE,
  lowestCell,
  nearestIndex,
  numeric,
  zScale,
} from '../../src/figures';

describe('colormaps', () => {
  it("hold viridis' published end points and middle, and the other maps' ends", () => {
    // matplotlib's _viridis_data[0], [128] and [255], rounded to bytes.
    expect(colorAt('viridis', 0)).toEqual([68, 1, 84]);
    expect(colorAt('viridis', 1)).toEqual([253, 231, 37]);
    expect(colorAt('viridis', 128 / 255)).toEqual([33, 145, 140]);
    expect(colorAt('magma', 0)).toEqual([0, 0, 4]);
    expect(colorAt('inferno', 1)).toEqual([252, 255, 164]);
    expect(colorAt('cividis', 0)).toEqual([0, 32, 81]);
    expect(colormapTable('plasma')).toHaveLength(LUT_SIZE * 3);
  });

  it('clamp t outside [0, 1] and read NaN as the low end', () => {
    expect(colorAt('viridis', -3)).toEqual(colorAt('viridis', 0));
    expect(colorAt('viridis', 7)).toEqual(colorAt('viridis', 1));
    expect(colorAt('viridis', Number.NaN)).toEqual(colorAt('viridis', 0));
  });
});

describe('value scales', () => {
  const z = [3, null, 1, Number.NaN, 101];

  it('range over finite values only', () => {
    expect(finiteRange(z)).toEqual([1, 101]);
    expect(finiteRange([null, Number.NaN])).toBeNull();
  });

  it('map linearly to t, clip above zmax, and leave missing values NaN', () => {
    const s = zScale(z);
    expect([s.lo, s.hi]).toEqual([1, 101]);
    expect(s.t(51)).toBe(0.5);
    expect(s.t(null)).toBeNaN();
    const c = zScale(z, { zmax: 11 });
    expect([c.lo, c.hi]).toEqual([1, 11]);
    expect(c.t(101)).toBe(1);
    expect(c.t(6)).toBe(0.5);
    expect(c.label('loss')).toBe('loss, clipped at 11');
  });

  it('take log10 of positive values, and shift when one is not', () => {
    const s = zScale([1, 10, 100], { log: true });
    expect([s.lo, s.hi, s.shift]).toEqual([0, 2, 0]);
    expect(s.t(10)).toBe(0.5);
    expect(s.inverse(1)).toBe(10);
    expect(s.label('loss')).toBe('log10 loss');
    const shifted = zScale([-1, 0, 9], { log: true });
    // shift lifts the minimum to 1e-6 of the range (10) above zero: log10(1e-5) = -5.
    expect(shifted.shift).toBeCloseTo(1 + 1e-5, 15);
    expect(shifted.lo).toBeCloseTo(-5, 9);
    expect(shifted.inverse(shifted.transform(9))).toBeCloseTo(9, 12);
  });

  it('give a flat grid t = 0 everywhere', () => {
    expect(zScale([2, 2, 2]).t(2)).toBe(0);
  });

  it('space contour levels as the report always has', () => {
    expect(contourLevels(0, 1, 4)).toEqual([0, 0.25, 0.5, 0.75]);
  });
});

describe('contours', () => {
  // x-major 3 × 3 grid (z[i * 3 + j]): a bowl with its minimum 0 at the centre and 4 at the corners.
  const bowl = [4, 1, 4, 1, 0, 1, 4, 1, 4];

  it('bands: each level is the region at or above it, in d3-contour coordinates', () => {
    const [b0, b1, b2] = contourBands(bowl, 3, 3, [0, 0.5, 2]);
    expect(b0.value).toBe(0);
    // Everything is ≥ 0: one polygon, the whole 3 × 3 grid's outline.
    expect(b0.coordinates).toHaveLength(1);
    expect(b1.coordinates).toHaveLength(1);
    // Above 0.5 the centre is a hole: one polygon with an outer ring and a hole.
    expect(b1.coordinates[0]).toHaveLength(2);
    // Above 2: the four corners, each its own polygon.
    expect(b2.coordinates).toHaveLength(4);
  });

  it('bands leave missing points below every level', () => {
    const holed = [...bowl];
    holed[4] = Number.NaN;
    const [b0] = contourBands(holed, 3, 3, [0]);
    expect(b0.coordinates[0]).toHaveLength(2);
  });

  it('lines: the level-0.5 line around the minimum crosses each edge at its midpoint', () => {
    const segs = isoLines(bowl, 3, 3, [0.5]);
    expect(segs).toHaveLength(4);
    const ends = segs.flatMap((s) => [s.a, s.b]).map(([i, j]) => `${i},${j}`);
    // Between the centre (0) and its neighbours (1), 0.5 is halfway.
    expect(new Set(ends)).toEqual(new Set(['1.5,1', '1,1.5', '0.5,1', '1,0.5']));
  });

  it('lines split a saddle cell by its mean', () => {
    // One cell, corners (0,0)=1, (1,0)=0, (1,1)=1, (0,1)=0; mean 0.5 ≥ 0.5 joins the high corners.
    const segs = isoLines([1, 0, 0, 1], 2, 2, [0.5]);
    expect(segs).toHaveLength(2);
    const pairs = segs.map((s) =>
      [s.a, s.b]
        .map(([i, j]) => `${i},${j}`)
        .sort()
        .join(' '),
    );
    // The low corners (1,0) and (0,1) are cut off.
    expect(pairs.sort()).toEqual(['0,0.5 0.5,1', '0.5,0 1,0.5']);
  });

  it('lines skip cells with a missing corner', () => {
    expect(isoLines([1, Number.NaN, 0, 1], 2, 2, [0.5])).toHaveLength(0);
  });
});

describe('grid lookups', () => {
  const grid = {
    x: [-1, 0, 1],
    y: [-2, 2],
    loss: [5, null, 3, 0.25, 0.25, 9],
    accuracy: [0.1, null, 0.3, 0.9, 0.8, 0],
    meta: { directions: { kind: 'hessian', lambda1: 12.3456, lambda2: -0.5, normalization: 'none' } },
  };

  it('find the lowest cell (first on ties), the nearest index, and the stored values', () => {
    expect(lowestCell(grid)).toEqual({ i: 1, j: 1 });
    expect(nearestIndex(grid.x, 0.4)).toBe(0 + 1);
    expect(nearestIndex(grid.x, 0.6)).toBe(2);
    expect(cellValues(grid, 1, 1)).toEqual({ alpha: 0, beta: 2, loss: 0.25, accuracy: 0.9 });
    expect(cellValues(grid, 0, 1)).toEqual({ alpha: -1, beta: 2, loss: null, accuracy: null });
    expect(Array.from(numeric(grid.loss))).toEqual([5, Number.NaN, 3, 0.25, 0.25, 9]);
  });

  it('name the axes from the directions', () => {
    expect(axisNames(grid.meta)).toEqual({
      x: 'α (Hessian eigenvector 1, λ = 12.35)',
      y: 'β (Hessian eigenvector 2, λ = -0.5)',
    });
    expect(axisNames({ directions: { kind: 'random', normalization: 'filter' } }).x).toBe(
      'α (random direction 1, filter-normalized)',
    );
    expect(axisNames({ directions: { kind: 'pca', explainedVariance: [0.9, 0.05] } })).toEqual({
      x: 'PC1, 90.0% of variance',
      y: 'PC2, 5.0% of variance',
    });
  });

  it('mark interpolation checkpoints and PCA paths', () => {
    const plane = gridMarks({ directions: { kind: 'plane', checkpoints: ['/a/e1.pt', 'e2.pt', 'e3.pt'] } });
    expect(plane.points.map((p) => [p.at, p.label])).toEqual([
      [[0, 0], 'e1.pt'],
      [[1, 0], 'e2.pt'],
      [[0, 1], 'e3.pt'],
    ]);
    const pca = gridMarks({
      directions: { kind: 'pca' },
      path: [
        [1, 2],
        [0, 0],
      ],
    });
    expect(pca.path).toHaveLength(2);
    expect(pca.points).toEqual([{ at: [0, 0], label: 'final' }]);
  });
});

describe('density binning', () => {
  it('keeps the peak of each bin and adds 1e-7 for the log axis', () => {
    const d = binnedDensity({ grid: [0, 1, 2, 3, 4], values: [0, 5, 1, 0, 2] }, 2);
    expect(d.x).toEqual([0, 3]);
    expect(d.y).toEqual([5 + 1e-7, 2 + 1e-7]);
  });
});
