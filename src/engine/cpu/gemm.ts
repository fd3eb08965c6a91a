/**
 * Dense matrix products, row-major. C = A·B with A [M,K], B [K,N]; rows accumulate in float64.
 * Transposed operands are materialized first so the inner loop always streams rows of B.
 */
import type { Buf } from '../ir';
import { nativeKernels } from './native';
import { wasmGemm } from './wasm-gemm';

let rowScratch = new Float64Array(1024);

/** Below this many multiply-adds the staging copies cost more than the SIMD kernel saves. */
const WASM_MIN_WORK = 4096;
/** The same for a call into the native addon, which copies nothing. */
const NATIVE_MIN_WORK = 1024;

/**
 * C[cOff..] (M×N) = (accumulate ? C : 0) + op(A) · op(B), op(A) M×K and op(B) K×N; a transposed
 * operand is stored the other way round (A as K×M, B as N×K). Float32 operands go to the native
 * kernels when installed, else to the WebAssembly SIMD kernel; float64 ones (the exact reference
 * path) stay in JS.
 */
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
  transA = false,
  transB = false,
): void {
  const native = nativeKernels();
  if (
    native &&
    M * N * K >= NATIVE_MIN_WORK &&
    A instanceof Float32Array &&
    B instanceof Float32Array &&
    C instanceof Float32Array
  ) {
    native.gemm(A, aOff, B, bOff, C, cOff, M, N, K, (accumulate ? 1 : 0) | (transA ? 2 : 0) | (transB ? 4 : 0));
    return;
  }
  if (
    A instanceof Float32Array &&
    B instanceof Float32Array &&
    C instanceof Float32Array &&
    M * N * K >= WASM_MIN_WORK
  ) {
    const staged = wasmGemm().stage(M, N, K);
    staged.a.set(A.subarray(aOff, aOff + M * K));
    staged.b.set(B.subarray(bOff, bOff + K * N));
    if (accumulate) staged.c.set(C.subarray(cOff, cOff + M * N));
    staged.run(accumulate, transA, transB);
    C.set(staged.c, cOff);
    return;
  }
  let a = A;
  let ao = aOff;
  let b = B;
  let bo = bOff;
  if (transA) {
    a = new Float64Array(M * K);
    transposeBlock(A, aOff, K, M, a);
    ao = 0;
  }
  if (transB) {
    b = new Float64Array(K * N);
    transposeBlock(B, bOff, N, K, b);
    bo = 0;
  }
  gemmJs(a, ao, b, bo, C, cOff, M, N, K, accumulate);
}

/** The reference kernel: rows accumulate in float64. */
export function gemmJs(
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
