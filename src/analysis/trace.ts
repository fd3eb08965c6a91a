/**
 * Trace estimators. Hutchinson: mean of zᵀHz over Rademacher probes, stopping when the standard
 * error falls below `relTol`·|estimate| (or at `maxProbes`). Hutch++ (Meyer et al. 2021): the
 * trace of H on a sketched top subspace exactly, plus Hutchinson on the deflated remainder.
 */
import { Rng } from '../util/rng';
import { type MatVec, throwIfAborted } from './lanczos';
import { axpy, dot, norm } from './vec';

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
 * that computes probes 40..59 draws exactly the vectors a single run draws for them.
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

export async function hutchinson(matvec: MatVec, P: number, opts: TraceOptions): Promise<TraceEstimate> {
  const maxProbes = opts.maxProbes ?? 100;
  const minProbes = opts.minProbes ?? 10;
  const relTol = opts.relTol ?? 1e-2;
  const samples: number[] = [];
  for (let k = 0; k < maxProbes; k++) {
    throwIfAborted(opts.signal);
    const z = hutchinsonProbe(opts.seed, k, P);
    samples.push(dot(z, await matvec(z)));
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
  const values: number[] = [];
  for (const k of indices) {
    throwIfAborted(opts.signal);
    const z = hutchinsonProbe(opts.seed, k, P);
    values.push(dot(z, await matvec(z)));
    const [mean, se] = meanAndStderr(values);
    opts.onProbe?.(values.length, indices.length, mean, se);
  }
  return values;
}

/** Modified Gram-Schmidt (twice) of a list of vectors; drops dependent ones. */
function orthonormalize(vs: Float64Array[]): Float64Array[] {
  const q: Float64Array[] = [];
  for (const v0 of vs) {
    const v = Float64Array.from(v0);
    for (let pass = 0; pass < 2; pass++) for (const u of q) axpy(-dot(u, v), u, v);
    const n = norm(v);
    if (n > 1e-10 * norm(v0)) q.push(v.map((x) => x / n) as Float64Array);
  }
  return q;
}

/** Hutch++ with a budget of `matvecs` products (split into thirds). */
export async function hutchPlusPlus(
  matvec: MatVec,
  P: number,
  matvecs: number,
  opts: TraceOptions,
): Promise<TraceEstimate> {
  const rng = new Rng(opts.seed);
  const k = Math.max(1, Math.floor(matvecs / 3));
  const sketch: Float64Array[] = [];
  for (let i = 0; i < k; i++) {
    throwIfAborted(opts.signal);
    sketch.push(Float64Array.from(await matvec(rng.rademacherVector(P))));
    opts.onProbe?.(i + 1, 3 * k, Number.NaN, Number.NaN);
  }
  const Q = orthonormalize(sketch);
  let top = 0;
  for (const [i, q] of Q.entries()) {
    throwIfAborted(opts.signal);
    top += dot(q, await matvec(q));
    opts.onProbe?.(k + i + 1, 3 * k, Number.NaN, Number.NaN);
  }
  const samples: number[] = [];
  for (let i = 0; i < k; i++) {
    throwIfAborted(opts.signal);
    const z = rng.rademacherVector(P);
    for (const q of Q) axpy(-dot(q, z), q, z);
    samples.push(dot(z, await matvec(z)));
    opts.onProbe?.(2 * k + i + 1, 3 * k, Number.NaN, Number.NaN);
  }
  const [rest, se] = meanAndStderr(samples);
  return { estimate: top + rest, stderr: se, matvecs: k + Q.length + k, method: 'hutch++' };
}
