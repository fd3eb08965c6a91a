/**
 * Trace estimators. Hutchinson: mean of zᵀHz over Rademacher probes, stopping when the standard
 * error falls below `relTol`·|estimate| (or at `maxProbes`). Hutch++ (Meyer et al. 2021): the
 * trace of H on a sketched top subspace exactly, plus Hutchinson on the deflated remainder.
 */

import { HostSpace, type Vector, type VectorSpace } from '../evaluator/vectors';
import { Rng } from '../util/rng';
import { hostOperator, type MatVec, type SpaceMatVec, throwIfAborted } from './lanczos';

export interface TraceEstimate {
  estimate: number;
  stderr: number;
  matvecs: number;
  method: 'hutchinson' | 'hutch++';
}

export interface TraceOptions {
  seed: number;
  maxProbes?: number;
  minProbes?: number;
  relTol?: number;
  signal?: AbortSignal;
  onProbe?: (done: number, total: number, estimate: number, stderr: number) => void;
}

function meanAndStderr(xs: number[]): [number, number] {
  const n = xs.length;
  const mean = xs.reduce((a, b) => a + b, 0) / n;
  if (n < 2) return [mean, Number.POSITIVE_INFINITY];
  const variance = xs.reduce((a, x) => a + (x - mean) ** 2, 0) / (n - 1);
  return [mean, Math.sqrt(variance / n)];
}

/** Hutchinson on host float64 vectors (see hutchinsonIn). */
export async function hutchinson(matvec: MatVec, P: number, opts: TraceOptions): Promise<TraceEstimate> {
  return hutchinsonIn(new HostSpace(P), hostOperator(matvec), opts);
}

/** Hutchinson with its probes in `space` (uploaded from the host's seeded generator; zᵀHz read back). */
export async function hutchinsonIn(
  space: VectorSpace,
  matvec: SpaceMatVec,
  opts: TraceOptions,
): Promise<TraceEstimate> {
  const rng = new Rng(opts.seed);
  const maxProbes = opts.maxProbes ?? 100;
  const minProbes = opts.minProbes ?? 10;
  const relTol = opts.relTol ?? 1e-2;
  const samples: number[] = [];
  for (let k = 0; k < maxProbes; k++) {
    throwIfAborted(opts.signal);
    const z = space.fromHost(rng.rademacherVector(space.length));
    const hz = await matvec(z);
    samples.push(await space.dot(z, hz));
    space.free(z);
    space.free(hz);
    const [mean, se] = meanAndStderr(samples);
    opts.onProbe?.(k + 1, maxProbes, mean, se);
    if (samples.length >= minProbes && se <= relTol * Math.abs(mean)) break;
  }
  const [estimate, stderr] = meanAndStderr(samples);
  return { estimate, stderr, matvecs: samples.length, method: 'hutchinson' };
}

/** Hutch++ on host float64 vectors (see hutchPlusPlusIn). */
export async function hutchPlusPlus(
  matvec: MatVec,
  P: number,
  matvecs: number,
  opts: TraceOptions,
): Promise<TraceEstimate> {
  return hutchPlusPlusIn(new HostSpace(P), hostOperator(matvec), matvecs, opts);
}

/**
 * Hutch++ with a budget of `matvecs` products (split into thirds). The sketch is orthonormalized
 * by Gram-Schmidt twice into a basis of the space, dropping dependent vectors.
 */
export async function hutchPlusPlusIn(
  space: VectorSpace,
  matvec: SpaceMatVec,
  matvecs: number,
  opts: TraceOptions,
): Promise<TraceEstimate> {
  const P = space.length;
  const rng = new Rng(opts.seed);
  const k = Math.max(1, Math.floor(matvecs / 3));
  const Q = space.basis(k, Number.POSITIVE_INFINITY);
  try {
    const sketch: Vector[] = [];
    for (let i = 0; i < k; i++) {
      throwIfAborted(opts.signal);
      const z = space.fromHost(rng.rademacherVector(P));
      sketch.push(await matvec(z));
      space.free(z);
      opts.onProbe?.(i + 1, 3 * k, Number.NaN, Number.NaN);
    }
    for (const y of sketch) {
      const v = space.divided(y, 1);
      Q.orthogonalize(v, 2);
      const n = await space.norm(v);
      if (n > 1e-10 * (await space.norm(y))) {
        const unit = space.divided(v, n);
        Q.push(unit);
        space.free(unit);
      }
      space.free(v);
      space.free(y);
    }
    let top = 0;
    for (let i = 0; i < Q.size; i++) {
      throwIfAborted(opts.signal);
      const q = Q.member(i);
      const hq = await matvec(q);
      top += await space.dot(q, hq);
      space.free(q);
      space.free(hq);
      opts.onProbe?.(k + i + 1, 3 * k, Number.NaN, Number.NaN);
    }
    const samples: number[] = [];
    for (let i = 0; i < k; i++) {
      throwIfAborted(opts.signal);
      const z = space.fromHost(rng.rademacherVector(P));
      Q.orthogonalize(z, 1);
      const hz = await matvec(z);
      samples.push(await space.dot(z, hz));
      space.free(z);
      space.free(hz);
      opts.onProbe?.(2 * k + i + 1, 3 * k, Number.NaN, Number.NaN);
    }
    const [rest, se] = meanAndStderr(samples);
    return { estimate: top + rest, stderr: se, matvecs: k + Q.size + k, method: 'hutch++' };
  } finally {
    Q.dispose();
  }
}
