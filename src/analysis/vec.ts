/** Float64 vector helpers for the Krylov methods (dot products always in float64). */
export type Vector = Float64Array;

export function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

export const norm = (a: ArrayLike<number>): number => Math.sqrt(dot(a, a));

/** y += alpha · x */
export function axpy(alpha: number, x: ArrayLike<number>, y: Float64Array): void {
  for (let i = 0; i < y.length; i++) y[i] += alpha * x[i];
}

export function scaled(x: ArrayLike<number>, alpha: number): Float64Array {
  return Float64Array.from(x as ArrayLike<number>, (v) => v * alpha);
}

/** Flip the sign so the entry of largest magnitude is positive (a canonical eigenvector sign). */
export function canonicalSign(v: Float64Array): Float64Array {
  let k = 0;
  for (let i = 1; i < v.length; i++) if (Math.abs(v[i]) > Math.abs(v[k])) k = i;
  if (v[k] < 0) for (let i = 0; i < v.length; i++) v[i] = -v[i];
  return v;
}
