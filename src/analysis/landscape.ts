/**
 * Loss landscapes: the loss (and accuracy) over the data set at θ + x·d1 (+ y·d2) for explicit
 * coordinates. Points are evaluated row by row in order (no serpentine walk), stream out through a
 * callback as they finish, and a run resumes by passing the points it already has.
 */
import type { Evaluator } from '../evaluator/evaluator';
import { throwIfAborted } from './lanczos';

export interface GridPoint {
  i: number;
  j: number;
  loss: number;
  accuracy: number | null;
}

export interface GridOptions {
  x: number[];
  /** null for a 1-D sweep. */
  y: number[] | null;
  /** Points already computed (resume): keyed `${i},${j}`. */
  done?: Map<string, GridPoint>;
  onPoint?: (p: GridPoint, done: number, total: number) => void;
  signal?: AbortSignal;
  /** BatchNorm statistics to use at a point (checkpoint interpolation moves them too). */
  buffersAt?: (x: number, y: number) => Map<string, Float32Array>;
  /**
   * Only the points with row-major index i·ny + j in [from, to) (a shard's share, see shard.ts);
   * the others are NaN in the grid returned.
   */
  share?: { from: number; to: number };
}

export interface Grid {
  x: number[];
  y: number[] | null;
  /** loss[i][j] at θ + x[i]·d1 + y[j]·d2 (1-D: loss[i]). */
  loss: number[][] | number[];
  accuracy: number[][] | number[] | null;
}

export async function evaluateGrid(
  evaluator: Evaluator,
  theta: Float32Array,
  d1: Float64Array,
  d2: Float64Array | null,
  opts: GridOptions,
): Promise<Grid> {
  const ys = opts.y ?? [0];
  const { from, to } = opts.share ?? { from: 0, to: opts.x.length * ys.length };
  const mine = (i: number, j: number) => i * ys.length + j >= from && i * ys.length + j < to;
  const total = to - from;
  const points = new Map([...(opts.done ?? [])].filter(([, p]) => mine(p.i, p.j)));
  let count = points.size;
  // θ and the directions go to the evaluator's space once (the GPU's memory on a device backend);
  // each point θ + a·d1 + b·d2 is formed there (on the host in float64, then stored as float32).
  const space = evaluator.space;
  const at = [space.fromHost(theta), space.fromHost(d1), d2 ? space.fromHost(d2) : null] as const;
  try {
    for (let i = 0; i < opts.x.length; i++) {
      for (let j = 0; j < ys.length; j++) {
        const key = `${i},${j}`;
        if (points.has(key) || !mine(i, j)) continue;
        throwIfAborted(opts.signal);
        const a = opts.x[i];
        const b = opts.y ? ys[j] : 0;
        const probe = space.affine(at[0], a, at[1], b, at[2]);
        if (opts.buffersAt) evaluator.setBuffers(opts.buffersAt(a, b));
        let r: Awaited<ReturnType<Evaluator['evaluateAt']>>;
        try {
          r = await evaluator.evaluateAt(probe);
        } finally {
          space.free(probe);
        }
        const p: GridPoint = { i, j, loss: r.loss, accuracy: r.accuracy };
        points.set(key, p);
        count++;
        opts.onPoint?.(p, count, total);
      }
    }
  } finally {
    for (const v of at) if (v) space.free(v);
  }
  const notHere: GridPoint = { i: -1, j: -1, loss: Number.NaN, accuracy: Number.NaN };
  const point = (i: number, j: number) => points.get(`${i},${j}`) ?? notHere;
  const hasAcc = [...points.values()].some((p) => p.accuracy !== null);
  if (!opts.y) {
    return {
      x: opts.x,
      y: null,
      loss: opts.x.map((_v, i) => point(i, 0).loss),
      accuracy: hasAcc ? opts.x.map((_v, i) => point(i, 0).accuracy as number) : null,
    };
  }
  return {
    x: opts.x,
    y: opts.y,
    loss: opts.x.map((_v, i) => ys.map((_w, j) => point(i, j).loss)),
    accuracy: hasAcc ? opts.x.map((_v, i) => ys.map((_w, j) => point(i, j).accuracy as number)) : null,
  };
}

/** `a:b` with n steps, or `a:b:n`. */
export function linspace(spec: string, steps: number): number[] {
  const parts = spec.split(':').map(Number);
  if (parts.length < 2 || parts.some((v) => !Number.isFinite(v)))
    throw new Error(`'${spec}' is not a range like -1:1 or -1:1:21`);
  const [a, b] = parts;
  const n = parts.length > 2 ? parts[2] : steps;
  if (!Number.isInteger(n) || n < 1) throw new Error(`a range needs a positive number of steps, got ${n}`);
  if (n === 1) return [a];
  return Array.from({ length: n }, (_v, i) => a + ((b - a) * i) / (n - 1));
}
