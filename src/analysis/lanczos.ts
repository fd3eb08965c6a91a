/**
 * Lanczos on a symmetric operator (the Hessian through exact H·v products), with full
 * reorthogonalization ("twice is enough", Parlett) so Ritz values do not repeat. Krylov vectors are
 * kept in float64 while m·P·8 bytes fit the memory budget, in float32 beyond it (dot products stay
 * float64 either way). Both ends of the spectrum converge from one run.
 */
import { type TridiagEigen, tridiagEigen } from './tridiag';
import { axpy, dot, norm } from './vec';

export type MatVec = (v: Float64Array) => Promise<Float64Array>;

export interface LanczosProgress {
  step: number;
  maxSteps: number;
  /** Current extreme Ritz values: the largest first. */
  top: number[];
  bottom: number[];
  topResiduals: number[];
  bottomResiduals: number[];
}

export interface LanczosOptions {
  steps: number;
  /** Stop early once the k largest and k smallest Ritz pairs have residual ≤ tol·max|θ|. */
  topK?: number;
  bottomK?: number;
  tol?: number;
  /** Bytes the Krylov basis may take before falling back to float32 storage. */
  memoryBudget?: number;
  onStep?: (p: LanczosProgress) => void;
  signal?: AbortSignal;
}

export interface LanczosResult {
  alpha: number[];
  beta: number[];
  eig: TridiagEigen;
  /** Residual estimates |β_m · s_m,i| for every Ritz pair, in eig order. */
  residuals: number[];
  steps: number;
  matvecs: number;
  basisBytes: number;
  basisPrecision: 'float64' | 'float32';
  /** Ritz vector y = Q·s for the Ritz pair i (eig order). */
  ritzVector(i: number): Float64Array;
}

export class CancelledError extends Error {
  override readonly name = 'CancelledError';
  constructor() {
    super('The analysis was cancelled.');
  }
}

export function throwIfAborted(signal?: AbortSignal): void {
  if (signal?.aborted) throw new CancelledError();
}

export async function lanczos(matvec: MatVec, v0: Float64Array, opts: LanczosOptions): Promise<LanczosResult> {
  const P = v0.length;
  const maxSteps = Math.min(opts.steps, P);
  const budget = opts.memoryBudget ?? 2 ** 31;
  const precision: 'float64' | 'float32' = (maxSteps + 1) * P * 8 <= budget ? 'float64' : 'float32';
  const basis: Array<Float64Array | Float32Array> = [];
  const store = (v: Float64Array) => basis.push(precision === 'float64' ? v : Float32Array.from(v));
  const alpha: number[] = [];
  const beta: number[] = [];
  const n0 = norm(v0);
  let q = v0.map((x) => x / n0) as Float64Array;
  store(q);
  let matvecs = 0;
  let eig: TridiagEigen = { values: new Float64Array(0), vectors: [] };
  let residuals: number[] = [];
  for (let j = 0; j < maxSteps; j++) {
    throwIfAborted(opts.signal);
    const w = Float64Array.from(await matvec(q));
    matvecs++;
    const a = dot(q, w);
    alpha.push(a);
    axpy(-a, q, w);
    if (j > 0) axpy(-beta[j - 1], basis[j - 1], w);
    for (let pass = 0; pass < 2; pass++) for (const b of basis) axpy(-dot(b, w), b, w);
    const b = norm(w);
    eig = tridiagEigen(alpha, beta);
    residuals = eig.vectors.map((s) => Math.abs(b * s[s.length - 1]));
    const k = alpha.length;
    const topK = Math.min(opts.topK ?? 1, k);
    const bottomK = Math.min(opts.bottomK ?? 0, k);
    opts.onStep?.({
      step: k,
      maxSteps,
      top: Array.from(eig.values.slice(k - topK)).reverse(),
      bottom: Array.from(eig.values.slice(0, bottomK)),
      topResiduals: residuals.slice(k - topK).reverse(),
      bottomResiduals: residuals.slice(0, bottomK),
    });
    // An invariant subspace: T's eigenvalues are exact eigenvalues of the operator.
    if (b <= 1e-12 * Math.max(1, Math.abs(eig.values[0]), Math.abs(eig.values[k - 1]))) break;
    if (opts.tol !== undefined && k >= topK + bottomK) {
      const scale = Math.max(Math.abs(eig.values[0]), Math.abs(eig.values[k - 1]), 1e-300);
      const wanted = [...residuals.slice(k - topK), ...residuals.slice(0, bottomK)];
      if (wanted.every((r) => r <= opts.tol! * scale)) break;
    }
    beta.push(b);
    q = w.map((x) => x / b) as Float64Array;
    store(q);
  }
  const steps = alpha.length;
  return {
    alpha,
    beta: beta.slice(0, steps - 1),
    eig,
    residuals,
    steps,
    matvecs,
    basisBytes: basis.reduce((acc, v) => acc + v.byteLength, 0),
    basisPrecision: precision,
    ritzVector(i: number) {
      const s = eig.vectors[i];
      const y = new Float64Array(P);
      for (let k = 0; k < s.length; k++) axpy(s[k], basis[k], y);
      const n = norm(y);
      for (let t = 0; t < P; t++) y[t] /= n;
      return y;
    },
  };
}
