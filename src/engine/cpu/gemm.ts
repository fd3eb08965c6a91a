/**
 * Dense matrix products, row-major. C = A·B with A [M,K], B [K,N]; rows accumulate in float64.
 * Transposed operands are materialized first so the inner loop always streams rows of B.
 */
import type { Buf } from '../ir';

let rowScratch = new Float64Array(1024);

/** C[cOff..] (M×N) = (accumulate ? C : 0) + A[aOff..] (M×K) · B[bOff..] (K×N). */
export function gemm(
  A: Buf,
  aOff: number,
  B: Buf,
  bOff: number,
  C: Buf,
  cOff: number,
  M: number,
  N: number,
  K: number,
  accumulate = false,
): void {
  if (rowScratch.length < N) rowScratch = new Float64Array(N);
  const acc = rowScratch;
  for (let i = 0; i < M; i++) {
    const cRow = cOff + i * N;
    if (accumulate) for (let j = 0; j < N; j++) acc[j] = C[cRow + j];
    else acc.fill(0, 0, N);
    const aRow = aOff + i * K;
    for (let k = 0; k < K; k++) {
      const a = A[aRow + k];
      if (a === 0) continue;
      const bRow = bOff + k * N;
      for (let j = 0; j < N; j++) acc[j] += a * B[bRow + j];
    }
    for (let j = 0; j < N; j++) C[cRow + j] = acc[j];
  }
}

/** Transpose an R×C block of `src` at `off` into `dst` (C×R). */
export function transposeBlock(src: Buf, off: number, R: number, C: number, dst: Buf): void {
  for (let r = 0; r < R; r++) {
    const s = off + r * C;
    for (let c = 0; c < C; c++) dst[c * R + r] = src[s + c];
  }
}
