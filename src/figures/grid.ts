/**
 * A loss grid as figures read it, whatever carried it (the store's Float64Arrays, the API's arrays
 * with null for points not computed yet): lookups by cell, the lowest cell, the nearest cell to a
 * coordinate, and the words for its axes from the grid's meta (direction kind, λ, explained variance).
 */

export interface FigureGrid {
  x: ArrayLike<number>;
  /** null for a 1-D curve. */
  y: ArrayLike<number> | null;
  /** loss[i * ny + j]; null or NaN where not computed yet. */
  loss: ArrayLike<number | null>;
  accuracy: ArrayLike<number | null> | null;
  meta: Record<string, unknown>;
}

export const ny = (g: FigureGrid) => g.y?.length ?? 1;

/** The values as numbers with NaN for missing, which every figure computation expects. */
export function numeric(values: ArrayLike<number | null>): Float64Array {
  return Float64Array.from({ length: values.length }, (_v, k) => {
    const v = values[k];
    return v === null || v === undefined ? Number.NaN : v;
  });
}

/** The cell holding the smallest finite value (first in row order on ties), or null. */
export function lowestCell(g: FigureGrid): { i: number; j: number } | null {
  let best = -1;
  for (let k = 0; k < g.loss.length; k++) {
    const v = g.loss[k];
    if (v === null || !Number.isFinite(v)) continue;
    if (best < 0 || v < (g.loss[best] as number)) best = k;
  }
  return best < 0 ? null : { i: Math.floor(best / ny(g)), j: best % ny(g) };
}

/** Index of the axis value nearest to `a` (axes are sorted, ascending or descending). */
export function nearestIndex(axis: ArrayLike<number>, a: number): number {
  let best = 0;
  for (let k = 1; k < axis.length; k++) if (Math.abs(axis[k] - a) < Math.abs(axis[best] - a)) best = k;
  return best;
}

/** What the grid holds at a cell: the stored numbers, never an interpolation. */
export function cellValues(
  g: FigureGrid,
  i: number,
  j: number,
): { alpha: number; beta: number | null; loss: number | null; accuracy: number | null } {
  const k = i * ny(g) + j;
  const clean = (v: number | null | undefined) => (v === null || v === undefined || Number.isNaN(v) ? null : v);
  return {
    alpha: g.x[i],
    beta: g.y ? g.y[j] : null,
    loss: clean(g.loss[k]),
    accuracy: g.accuracy ? clean(g.accuracy[k]) : null,
  };
}

interface DirectionMeta {
  kind?: string;
  normalization?: string;
  lambda1?: number;
  lambda2?: number;
  explainedVariance?: number[];
  checkpoints?: string[];
}

const short = (v: number) => String(Number(v.toPrecision(4)));
const baseName = (p: string) => p.split(/[\\/]/).pop() ?? p;

/** The axes' names: the kind of direction, its normalization, λ for Hessian axes, PCA variance. */
export function axisNames(meta: Record<string, unknown>): { x: string; y: string } {
  const d = (meta.directions ?? {}) as DirectionMeta;
  const norm = d.normalization && d.normalization !== 'none' ? `, ${d.normalization}-normalized` : '';
  switch (d.kind) {
    case 'random':
      return { x: `α (random direction 1${norm})`, y: `β (random direction 2${norm})` };
    case 'hessian':
    case 'hessian-minmax': {
      const lam = (v: number | undefined) => (v === undefined ? '' : `, λ = ${short(v)}`);
      return { x: `α (Hessian eigenvector 1${lam(d.lambda1)})`, y: `β (Hessian eigenvector 2${lam(d.lambda2)})` };
    }
    case 'pca': {
      const ev = d.explainedVariance ?? [];
      const pct = (k: number) => (ev[k] === undefined ? '' : `, ${(ev[k] * 100).toFixed(1)}% of variance`);
      return { x: `PC1${pct(0)}`, y: `PC2${pct(1)}` };
    }
    case 'interpolation':
    case 'plane': {
      const c = (d.checkpoints ?? []).map(baseName);
      return {
        x: c[1] ? `α (${c[0]} → ${c[1]})` : 'α (toward the second checkpoint)',
        y: c[2] ? `β (${c[0]} → ${c[2]})` : 'β (toward the third checkpoint)',
      };
    }
    case 'file':
      return { x: `α (direction d1 from file${norm})`, y: `β (direction d2 from file${norm})` };
    default:
      return { x: 'α (first direction)', y: 'β (second direction)' };
  }
}

/** Points to draw over the grid, in its coordinates: a PCA path, or the checkpoints of an interpolation. */
export function gridMarks(meta: Record<string, unknown>): {
  path: Array<[number, number]>;
  points: Array<{ at: [number, number]; label: string }>;
} {
  const d = (meta.directions ?? {}) as DirectionMeta;
  const path = Array.isArray(meta.path) ? (meta.path as Array<[number, number]>) : [];
  const points: Array<{ at: [number, number]; label: string }> = [];
  if (d.kind === 'interpolation' || d.kind === 'plane') {
    const c = (d.checkpoints ?? []).map(baseName);
    points.push({ at: [0, 0], label: c[0] ?? 'A' }, { at: [1, 0], label: c[1] ?? 'B' });
    if (d.kind === 'plane') points.push({ at: [0, 1], label: c[2] ?? 'C' });
  }
  if (path.length) points.push({ at: path[path.length - 1], label: 'final' });
  return { path, points };
}
