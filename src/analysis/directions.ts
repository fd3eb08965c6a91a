/**
 * Directions for loss landscapes and their normalizations (Li et al. 2018; shared/docs/algorithms.md).
 * Every norm is a true L2 norm, computed in float64. θ is the flat parameter vector; BatchNorm running
 * statistics are buffers, not part of θ, so they are never perturbed.
 */
import type { Rng } from '../util/rng';
import { axpy, dot, norm } from './vec';

export type Normalization = 'filter' | 'layer' | 'model' | 'weight' | 'none';
export type OneD = 'zero' | 'normalize' | 'copy';

export interface ParamLayout {
  name: string;
  shape: number[];
  offset: number;
  size: number;
}

/** Gaussian N(0, 1) entries (dB and LLA draw uniform [0, 1): their planes are dominated by the mean). */
export function gaussianDirection(P: number, rng: Rng): Float64Array {
  return rng.gaussianVector(P);
}

/** d2 minus its projection on d1. */
export function orthogonalize(d2: Float64Array, d1: Float64Array): Float64Array {
  const out = Float64Array.from(d2);
  axpy(-dot(d1, d2) / dot(d1, d1), d1, out);
  return out;
}

function slice<T extends Float64Array | Float32Array>(v: T, p: ParamLayout): T {
  return v.subarray(p.offset, p.offset + p.size) as T;
}

/** Apply a normalization to direction d (in place) relative to θ. */
export function normalizeDirection(
  d: Float64Array,
  theta: Float32Array | Float64Array,
  params: ParamLayout[],
  normalization: Normalization,
  oneD: OneD,
): Float64Array {
  // 'none' leaves the direction exactly as given (a raw file direction, a Hessian eigenvector).
  if (normalization === 'none') return d;
  for (const p of params) {
    const dv = slice(d, p);
    const tv = slice(theta, p);
    if (p.shape.length <= 1) {
      // Biases and BatchNorm scale/shift.
      if (oneD === 'zero') dv.fill(0);
      else if (oneD === 'copy') dv.set(tv);
      else if (normalization !== 'model') scaleTo(dv, norm(tv));
      continue;
    }
    if (normalization === 'filter') {
      const filters = p.shape[0];
      const per = p.size / filters;
      for (let f = 0; f < filters; f++) {
        const df = dv.subarray(f * per, (f + 1) * per);
        const tn = norm(tv.subarray(f * per, (f + 1) * per));
        const dn = norm(df);
        const s = tn / (dn + 1e-10);
        for (let i = 0; i < df.length; i++) df[i] *= s;
      }
    } else if (normalization === 'layer') {
      scaleTo(dv, norm(tv));
    } else if (normalization === 'weight') {
      for (let i = 0; i < dv.length; i++) dv[i] *= tv[i];
    }
  }
  // 'model' scales the whole direction once, to ‖θ‖ (LLA recomputes the norm inside its loop and ends elsewhere).
  if (normalization === 'model') scaleTo(d, norm(theta));
  return d;
}

function scaleTo(v: Float64Array, target: number): void {
  // (θ slices may be float32; norms are float64 either way.)
  const n = norm(v);
  if (n === 0) return;
  const s = target / n;
  for (let i = 0; i < v.length; i++) v[i] *= s;
}
