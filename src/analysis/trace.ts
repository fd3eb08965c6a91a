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

/**
 * Hutchinson probe `k` of a run seeded `seed`: a Rademacher vector from its own stream, so a shard
 * that computes probes 40..59 draws exactly the vectors a single run draws for them (on any backend:
 * the device uploads the same host-drawn vector).
 */
export function hutchinsonProbe(seed: number, k: number, P: number): Float64Array {
  return Rng.forIndex(seed, k).rademacherVector(P);
}

/** Whether a run that has drawn `samples` (in probe order) stops here: the stopping rule, in one place. */
function stopsAfter(samples: number[], minProbes: number, relTol: number): boolean {
  const [mean, se] = meanAndStderr(samples);
  return samples.length >= minProbes && se <= relTol * Math.abs(mean);
}

/**
 * The estimate a single run makes from probe values given in probe order (all it drew, or more: a
 * merge of shards has every probe up to the budget), applying the run's stopping rule to them.
 */
export function hutchinsonEstimate(
  values: number[],
  opts: Pick<TraceOptions, 'minProbes' | 'relTol'> = {},
): TraceEstimate {
  const minProbes = opts.minProbes ?? 10;
  const relTol = opts.relTol ?? 1e-2;
  let n = 1;
  while (n < values.length && !stopsAfter(values.slice(0, n), minProbes, relTol)) n++;
  const [estimate, stderr] = meanAndStderr(values.slice(0, n));
  return { estimate, stderr, matvecs: n, method: 'hutchinson' };
}

/** zᵀHz for probe `k` of a run seeded `seed`, the probe in `space`. */
async function probeValue(space: VectorSpace, matvec: SpaceMatVec, seed: number, k: number): Promise<number> {
  const z = space.fromHost(hutchinsonProbe(seed, k, space.length));
  try {
    const hz = await matvec(z);
    try {
      return await space.dot(z, hz);
    } finally {
      space.free(hz);
    }
  } finally {
    space.free(z);
  }
}

/** Hutchinson on host float64 vectors (see hutchinsonIn). */
export async function hutchinson(matvec: MatVec, P: number, opts: TraceOptions): Promise<TraceEstimate> {
  return hutchinsonIn(new HostSpace(P), hostOperator(matvec), opts);
}

/** Hutchinson with its probes in `space` (probe k uploaded from its own seeded stream; zᵀHz read back). */
export async function hutchinsonIn(
  space: VectorSpace,
  matvec: SpaceMatVec,
  opts: TraceOptions,
): Promise<TraceEstimate> {
  const maxProbes = opts.maxProbes ?? 100;
  const minProbes = opts.minProbes ?? 10;
  const relTol = opts.relTol ?? 1e-2;
  const samples: number[] = [];
  for (let k = 0; k < maxProbes; k++) {
    throwIfAborted(opts.signal);
    samples.push(await probeValue(space, matvec, opts.seed, k));
    const [mean, se] = meanAndStderr(samples);
    opts.onProbe?.(k + 1, maxProbes, mean, se);
    if (stopsAfter(samples, minProbes, relTol)) break;
  }
  const [estimate, stderr] = meanAndStderr(samples);
  return { estimate, stderr, matvecs: samples.length, method: 'hutchinson' };
}

/**
 * The probes `indices` of a run seeded `seed`, each zᵀHz, without a stopping rule: a shard's share.
 * `hutchinsonEstimate` over all shards' values, in probe order, is the single run's estimate.
 */
export async function hutchinsonProbes(
  matvec: MatVec,
  P: number,
  indices: number[],
  opts: Pick<TraceOptions, 'seed' | 'signal' | 'onProbe'>,
): Promise<number[]> {
  return hutchinsonProbesIn(new HostSpace(P), hostOperator(matvec), indices, opts);
}

/** hutchinsonProbes with the probes in `space`. */
export async function hutchinsonProbesIn(
  space: VectorSpace,
  matvec: SpaceMatVec,
  indices: number[],
  opts: Pick<TraceOptions, 'seed' | 'signal' | 'onProbe'>,
): Promise<number[]> {
  const values: number[] = [];
  for (const k of indices) {
    throwIfAborted(opts.signal);
    values.push(await probeValue(space, matvec, opts.seed, k));
    const [mean, se] = meanAndStderr(values);
    opts.onProbe?.(values.length, indices.length, mean, se);
  }
  return values;
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
      await Q.orthogonalize(v, 2);
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
      await Q.orthogonalize(z, 1);
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
