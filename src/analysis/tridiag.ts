/**
 * Eigenvalues and eigenvectors of a symmetric tridiagonal matrix by the implicit QL method with
 * Wilkinson-style shifts (Golub & Van Loan §8.3). Used on Lanczos' T, which is small (m ≤ a few
 * hundred), so O(m³) with eigenvectors is negligible next to one Hessian-vector product.
 */
export interface TridiagEigen {
  /** Ascending eigenvalues. */
  values: Float64Array;
  /** vectors[i] is the unit eigenvector for values[i] (length n). */
  vectors: Float64Array[];
}

export function tridiagEigen(alpha: ArrayLike<number>, beta: ArrayLike<number>): TridiagEigen {
  const n = alpha.length;
  const d = Float64Array.from(alpha);
  const e = new Float64Array(n);
  for (let i = 0; i < n - 1; i++) e[i] = beta[i];
  // z is row-major: z[k * n + i] = component k of eigenvector i.
  const z = new Float64Array(n * n);
  for (let i = 0; i < n; i++) z[i * n + i] = 1;
  for (let l = 0; l < n; l++) {
    for (let iter = 0; ; iter++) {
      let m = l;
      for (; m < n - 1; m++) {
        const dd = Math.abs(d[m]) + Math.abs(d[m + 1]);
        if (Math.abs(e[m]) <= Number.EPSILON * dd) break;
      }
      if (m === l) break;
      if (iter > 60) throw new Error('tridiagonal eigensolver did not converge');
      let g = (d[l + 1] - d[l]) / (2 * e[l]);
      let r = Math.hypot(g, 1);
      g = d[m] - d[l] + e[l] / (g + (g >= 0 ? r : -r));
      let s = 1;
      let c = 1;
      let p = 0;
      let i = m - 1;
      let deflated = false;
      for (; i >= l; i--) {
        const f = s * e[i];
        const b = c * e[i];
        r = Math.hypot(f, g);
        e[i + 1] = r;
        if (r === 0) {
          d[i + 1] -= p;
          e[m] = 0;
          deflated = true;
          break;
        }
        s = f / r;
        c = g / r;
        g = d[i + 1] - p;
        r = (d[i] - g) * s + 2 * c * b;
        p = s * r;
        d[i + 1] = g + p;
        g = c * r - b;
        for (let k = 0; k < n; k++) {
          const zk = k * n;
          const t = z[zk + i + 1];
          z[zk + i + 1] = s * z[zk + i] + c * t;
          z[zk + i] = c * z[zk + i] - s * t;
        }
      }
      if (deflated) continue;
      d[l] -= p;
      e[l] = g;
      e[m] = 0;
    }
  }
  const order = Array.from({ length: n }, (_v, i) => i).sort((a, b) => d[a] - d[b]);
  return {
    values: Float64Array.from(order, (i) => d[i]),
    vectors: order.map((i) => Float64Array.from({ length: n }, (_v, k) => z[k * n + i])),
  };
}
