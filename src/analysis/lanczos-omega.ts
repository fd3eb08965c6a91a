/**
 * Simon's estimates of Lanczos' loss of orthogonality, for partial reorthogonalization (H. D. Simon,
 * "The Lanczos algorithm with partial reorthogonalization", Math. Comp. 42, 1984). ω_{j,k} ≈ q_jᵀq_k
 * obeys a recurrence in α and β alone, so a basis too big for memory is read only when some |ω|
 * passes √ε, and then for two vectors in a row (the next one inherits the loss). Semi-orthogonality
 * (every |ω| ≤ √ε) keeps the Ritz values as accurate as full reorthogonalization does.
 *
 * The rounding terms are over-estimated on purpose (ε√P, and ‖T‖ in each): an over-estimate costs
 * an extra pass over the basis, an under-estimate would cost ghost eigenvalues.
 */
const EPS = 2 ** -52;
const SQRT_EPS = Math.sqrt(EPS);

export class OrthogonalityEstimate {
  /** ω_{j−1,k} and ω_{j,k} for the current step j. */
  private previous = new Float64Array(0);
  private current = Float64Array.of(1);
  /** ω_{j+1,k}, formed by mustReorthogonalize and kept by advance. */
  private pending = new Float64Array(0);
  /** The vector after a reorthogonalized one is reorthogonalized too. */
  private secondDue = false;
  private readonly eps1: number;
  /** How often the basis was read. */
  count = 0;

  constructor(length: number) {
    this.eps1 = EPS * Math.sqrt(Math.max(1, length));
  }

  /**
   * After step j (α_0..α_j and β_0..β_{j−1} known), with b = ‖w‖ of the unnormalized next vector
   * and normT the largest |Ritz value| so far: whether w must be reorthogonalized against the basis.
   */
  mustReorthogonalize(alpha: readonly number[], beta: readonly number[], b: number, normT: number): boolean {
    const j = alpha.length - 1;
    const w = this.current;
    const next = new Float64Array(j + 2);
    let worst = 0;
    for (let k = 0; k < j; k++) {
      let t = beta[k] * w[k + 1] + (alpha[k] - alpha[j]) * w[k] - (j > 0 ? beta[j - 1] * this.previous[k] : 0);
      if (k > 0) t += beta[k - 1] * w[k - 1];
      const noise = this.eps1 * (Math.hypot(alpha[k], beta[k]) + Math.hypot(alpha[j], b) + normT);
      next[k] = (t + (t < 0 ? -noise : noise)) / b;
      worst = Math.max(worst, Math.abs(next[k]));
    }
    next[j] = this.eps1 * Math.max(1, normT / b);
    next[j + 1] = 1;
    worst = Math.max(worst, next[j]);
    this.pending = next;
    return this.secondDue || worst > SQRT_EPS;
  }

  /** The next vector was orthogonalized against the whole basis: its estimates are back at rounding level. */
  reorthogonalized(): void {
    this.count++;
    for (let k = 0; k < this.pending.length - 1; k++) this.pending[k] = this.eps1;
    this.secondDue = !this.secondDue;
  }

  /** Step j + 1 begins. */
  advance(): void {
    this.previous = this.current;
    this.current = this.pending;
  }
}
