/**
 * Optimization trajectories (Li et al. 2018 §7): PCA of the checkpoints' differences from the last
 * one, the path projected on the first two components, and their explained variance. The principal
 * directions come from the small (N−1)×(N−1) Gram matrix, so P-sized work is only dot products.
 */
import { canonicalSign, dot } from './vec';

export interface Trajectory {
  /** Unit-norm principal directions. */
  d1: Float64Array;
  d2: Float64Array;
  /** Fraction of the variance of the differences each direction explains. */
  explainedVariance: [number, number];
  /** Coordinates of every checkpoint (the last is the origin). */
  path: Array<[number, number]>;
}

/** Symmetric eigendecomposition of a small dense matrix by Jacobi rotations (n ≤ a few hundred). */
function symmetricEigen(A: number[][]): { values: number[]; vectors: number[][] } {
  const n = A.length;
  const a = A.map((r) => [...r]);
  const v: number[][] = Array.from({ length: n }, (_r, i) => Array.from({ length: n }, (_c, j) => (i === j ? 1 : 0)));
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += a[p][q] ** 2;
    if (off < 1e-30 * Math.max(1, ...a.map((r, i) => r[i] ** 2))) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        if (Math.abs(a[p][q]) < 1e-300) continue;
        const theta = (a[q][q] - a[p][p]) / (2 * a[p][q]);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = a[k][p];
          const akq = a[k][q];
          a[k][p] = c * akp - s * akq;
          a[k][q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p][k];
          const aqk = a[q][k];
          a[p][k] = c * apk - s * aqk;
          a[q][k] = s * apk + c * aqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = v[k][p];
          const vkq = v[k][q];
          v[k][p] = c * vkp - s * vkq;
          v[k][q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const order = [...Array(n).keys()].sort((i, j) => a[j][j] - a[i][i]);
  return { values: order.map((i) => a[i][i]), vectors: order.map((i) => v.map((r) => r[i])) };
}

export function pcaTrajectory(checkpoints: Array<Float32Array | Float64Array>): Trajectory {
  if (checkpoints.length < 3) throw new Error(`A trajectory needs at least 3 checkpoints, got ${checkpoints.length}.`);
  const last = checkpoints[checkpoints.length - 1];
  const diffs = checkpoints.slice(0, -1).map((c) => Float64Array.from(c, (v, k) => v - last[k]));
  const m = diffs.length;
  const gram = diffs.map((a) => diffs.map((b) => dot(a, b)));
  const { values, vectors } = symmetricEigen(gram);
  const total = values.reduce((s, x) => s + Math.max(x, 0), 0);
  const direction = (k: number) => {
    const d = new Float64Array(last.length);
    vectors[k].forEach((w, i) => {
      const di = diffs[i];
      for (let j = 0; j < d.length; j++) d[j] += w * di[j];
    });
    const n = Math.sqrt(dot(d, d));
    for (let j = 0; j < d.length; j++) d[j] /= n;
    return d;
  };
  const d1 = canonicalSign(direction(0));
  const d2 = m > 1 ? canonicalSign(direction(1)) : new Float64Array(last.length);
  const path: Array<[number, number]> = [...diffs.map((d) => [dot(d, d1), dot(d, d2)] as [number, number]), [0, 0]];
  return { d1, d2, explainedVariance: [Math.max(values[0], 0) / total, Math.max(values[1] ?? 0, 0) / total], path };
}
