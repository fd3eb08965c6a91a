/**
 * The landscape views' grid-to-picture mapping without a display (renderer/src/views/landscape:
 * surface-geometry.ts, live.ts, export.ts), on small literal grids: where each vertex goes, which
 * cells are drawn, what colour coordinate each point gets, and how streamed points fill a grid.
 */
import { describe, expect, it } from 'vitest';
import { gridCsv } from '../../renderer/src/views/landscape/export-data';
import { applyPoint } from '../../renderer/src/views/landscape/live';
import { coordAt, FLOOR, HEIGHT, heightAt, surfaceBuffers } from '../../renderer/src/views/landscape/surface-geometry';
import { DEFAULT_OPTIONS, type GridView } from '../../renderer/src/views/landscape/types';

// 3 × 2 grid, x-major: loss[i * 2 + j] at (x[i], y[j]).
const grid = (): GridView => ({
  name: 'surface',
  x: [-1, 0, 1],
  y: [10, 20],
  loss: [4, 2, 0, 1, null, 3],
  accuracy: [0.5, 0.6, 0.7, 0.8, null, 0.9],
  meta: {},
  complete: false,
});

describe('the surface buffers', () => {
  const b = surfaceBuffers(grid(), { ...DEFAULT_OPTIONS, contours: false });

  it('place vertices over the box, height by the colormap coordinate, y into the screen', () => {
    expect(b.nx).toBe(3);
    expect(b.ny).toBe(2);
    // Vertex (1, 0): x = 0, loss 0 is the minimum (t = 0), y = 10 is the near edge (box z = +1).
    expect(Array.from(b.positions.slice(2 * 3, 2 * 3 + 3))).toEqual([0, 0, 1]);
    // Vertex (0, 0): loss 4 is the maximum: full height; x = -1.
    expect(Array.from(b.positions.slice(0, 3))).toEqual([-1, Math.fround(HEIGHT), 1]);
    // The missing vertex (2, 0) waits on the floor, unused.
    expect(b.positions[4 * 3 + 1]).toBe(Math.fround(FLOOR));
    expect(b.uvs[3 * 2]).toBeCloseTo(0.25, 7);
    expect(b.computed).toBe(5);
  });

  it('draw only cells whose four corners are computed', () => {
    // Cell (0, 0) has corners 0, 2, 3, 1; cell (1, 0) has the missing vertex 4.
    expect(Array.from(b.index)).toEqual([0, 2, 3, 0, 3, 1]);
  });

  it('put contour lines on the surface at their level and on the floor', () => {
    const c = surfaceBuffers(grid(), { ...DEFAULT_OPTIONS, contours: true, levels: 2 });
    // Levels 0 (skipped: it touches only the minimum) and 2: the line at 2 crosses cell (0, 0).
    expect(c.lines.length).toBeGreaterThan(0);
    for (let k = 1; k < c.lines.length; k += 3) expect(c.lines[k]).toBeCloseTo(0.5 * HEIGHT + 0.004, 6);
    for (let k = 1; k < c.floorLines.length; k += 3) expect(c.floorLines[k]).toBeCloseTo(FLOOR, 6);
  });

  it('use the log and clip scale for heights', () => {
    const c = surfaceBuffers(grid(), { ...DEFAULT_OPTIONS, contours: false, zmax: 2 });
    // Clipped at 2: the loss 4 and 3 vertices are drawn at full height, loss 1 at half.
    expect(c.positions[1]).toBeCloseTo(HEIGHT, 6);
    expect(c.positions[3 * 3 + 1]).toBeCloseTo(HEIGHT / 2, 6);
  });

  it('interpolate overlay heights between grid points and map fractional indices to coordinates', () => {
    const g = grid();
    const scale = surfaceBuffers(g, DEFAULT_OPTIONS).scale;
    // Midway between (0,0)=4 and (1,0)=0 at y = 10: t = 0.5.
    expect(heightAt(g, scale, -0.5, 10)).toBeCloseTo(0.5 * HEIGHT, 12);
    expect(heightAt(g, scale, 5, 10)).toBeNull();
    expect(coordAt([10, 20, 40], 1.5)).toBe(30);
  });
});

describe('points streamed while a landscape runs', () => {
  it('fill the grid cell by cell and complete it', () => {
    const grids = [grid()];
    expect(applyPoint(grids, { i: 2, j: 0, loss: 1.5, accuracy: 0.25 })).toBe(true);
    expect(grids[0].loss[4]).toBe(1.5);
    expect(grids[0].accuracy?.[4]).toBe(0.25);
    expect(grids[0].complete).toBe(true);
  });

  it('ignore what is not a point of this grid', () => {
    const grids = [grid()];
    expect(applyPoint(grids, [0.1, 0.2])).toBe(false);
    expect(applyPoint(grids, { i: 3, j: 0, loss: 1, accuracy: null })).toBe(false);
    expect(applyPoint([], { i: 0, j: 0, loss: 1, accuracy: null })).toBe(false);
    expect(grids[0].loss).toEqual(grid().loss);
  });
});

describe('the views’ CSV', () => {
  it('has one row per point with the stored values and the drawn one', () => {
    const rows = gridCsv(grid(), { ...DEFAULT_OPTIONS, zmax: 2 })
      .trim()
      .split('\r\n');
    expect(rows[0]).toBe('x,y,loss,accuracy,drawn');
    expect(rows[1]).toBe('-1,10,4,0.5,2');
    expect(rows[5]).toBe('1,10,,,');
    expect(rows).toHaveLength(7);
  });
});
