/**
 * Lanczos on a symmetric operator (the Hessian through exact H·v products), reorthogonalized
 * ("twice is enough", Parlett) so Ritz values do not repeat. Both ends of the spectrum converge from
 * one run. The vectors live in a VectorSpace (src/evaluator/vectors.ts): on the host, the Krylov
 * basis is float64 in memory while m·P·8 bytes fit the memory budget, with full reorthogonalization
 * at every step; beyond it the basis is a temporary file and is read only when Simon's estimates of
 * the loss of orthogonality ask for it (partial reorthogonalization, ./lanczos-omega), so memory
 * holds a few vectors whatever the step count. On a GPU the basis is float32 device memory.
 */
import { HostSpace, HostVector, host, type Vector, type VectorSpace } from '../evaluator/vectors';
import { OrthogonalityEstimate } from './lanczos-omega';
import { type TridiagEigen, tridiagEigen } from './tridiag';

/** An operator on host float64 vectors. */
export type MatVec = (v: Float64Array) => Promise<Float64Array>;
/** An operator on a space's vectors; the result is a new vector the caller owns. */
export type SpaceMatVec = (v: Vector) => Promise<Vector>;

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
  /** Bytes the Krylov basis may take in memory before it goes to a temporary file. */
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
  /** Where the basis lived: memory, or a temporary file. */
  basisStorage: 'memory' | 'disk';
  /** Passes over the whole basis: one per step under full reorthogonalization, fewer under partial. */
  reorthogonalizations: number;
  /** The unit Ritz vector Q·s for the Ritz pair i (eig order), on the host. */
  ritzVector(i: number): Promise<Float64Array>;
  /** Give the basis back (device memory); ritzVector cannot be called afterwards. */
  release(): void;
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

/** A host operator as a space operator (the old calling convention: tests, per-layer blocks). */
export function hostOperator(matvec: MatVec): SpaceMatVec {
  // A copy, as the operator may hand back an array it reuses.
  return async (v) => new HostVector(Float64Array.from(await matvec(host(v) as Float64Array)));
}

/** Lanczos on host float64 vectors (see lanczosIn). */
export async function lanczos(matvec: MatVec, v0: Float64Array, opts: LanczosOptions): Promise<LanczosResult> {
  const space = new HostSpace(v0.length);
  return lanczosIn(space, hostOperator(matvec), space.fromHost(v0), opts);
}

/**
 * Lanczos with its vectors in `space`: on a device, q, w and the basis stay there and each step
 * reads back two scalars (α and β); only the tridiagonal problem is solved on the host. The start
 * vector v0 stays the caller's.
 */
export async function lanczosIn(
  space: VectorSpace,
  matvec: SpaceMatVec,
  v0: Vector,
  opts: LanczosOptions,
): Promise<LanczosResult> {
  const P = space.length;
  const maxSteps = Math.min(opts.steps, P);
  const basis = space.basis(maxSteps + 1, opts.memoryBudget ?? 2 ** 31);
  const alpha: number[] = [];
  const beta: number[] = [];
  let q: Vector | null = null;
  let w: Vector | null = null;
  let matvecs = 0;
  let eig: TridiagEigen = { values: new Float64Array(0), vectors: [] };
  let residuals: number[] = [];
  // A basis on disk is read only when the estimates of q_{j+1}ᵀq_k ask for it.
  const estimate = basis.storage === 'disk' ? new OrthogonalityEstimate(P) : null;
  let reorthogonalizations = 0;
  try {
    const n0 = await space.norm(v0);
    q = space.divided(v0, n0);
    basis.push(q);
    for (let j = 0; j < maxSteps; j++) {
      throwIfAborted(opts.signal);
      w = await matvec(q);
      matvecs++;
      const a = await space.dot(q, w);
      alpha.push(a);
      space.axpy(-a, q, w);
      if (j > 0) basis.axpyMember(-beta[j - 1], j - 1, w);
      eig = tridiagEigen(alpha, beta);
      let b: number;
      if (!estimate) {
        await basis.orthogonalize(w, 2);
        reorthogonalizations++;
        b = await space.norm(w);
      } else {
        b = await space.norm(w);
        const normT = Math.max(Math.abs(eig.values[0]), Math.abs(eig.values[eig.values.length - 1]));
        if (b > 0 && estimate.mustReorthogonalize(alpha, beta, b, normT)) {
          await basis.orthogonalize(w, 2);
          reorthogonalizations++;
          estimate.reorthogonalized();
          b = await space.norm(w);
        }
        estimate.advance();
      }
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
      const next = space.divided(w, b);
      space.free(w);
      w = null;
      space.free(q);
      q = next;
      basis.push(q);
    }
  } catch (e) {
    basis.dispose();
    throw e;
  } finally {
    if (q) space.free(q);
    if (w) space.free(w);
  }
  const steps = alpha.length;
  return {
    alpha,
    beta: beta.slice(0, steps - 1),
    eig,
    residuals,
    steps,
    matvecs,
    basisBytes: basis.bytes,
    basisPrecision: basis.precision,
    basisStorage: basis.storage,
    reorthogonalizations,
    async ritzVector(i: number) {
      const y = basis.combination(eig.vectors[i]);
      const n = await space.norm(y);
      const unit = space.divided(y, n);
      space.free(y);
      const out = await space.toHost(unit);
      space.free(unit);
      return out;
    },
    release: () => basis.dispose(),
  };
}
