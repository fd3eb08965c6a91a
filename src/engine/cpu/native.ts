/**
 * Optional native kernels (native/kernels.c, a Node-API addon): GEMM, the three convolution
 * kernels and the hot elementwise ops and per-channel sums on float32 operands, with the same
 * blocking and float64 accumulation as the WebAssembly and JavaScript kernels, which stay the
 * portable fallback. The engine imports nothing outside itself, so the host
 * (the evaluator) loads the addon and installs it here.
 */
export interface NativeKernels {
  /** C[cOff..] = [C +] op(A)·op(B); flags: 1 accumulate, 2 transpose A, 4 transpose B. */
  gemm(
    A: Float32Array,
    aOff: number,
    B: Float32Array,
    bOff: number,
    C: Float32Array,
    cOff: number,
    M: number,
    N: number,
    K: number,
    flags: number,
  ): void;
  /**
   * kind 0: out = conv(a = x, b = w); 1: out = convBackInput(a = dy, b = w); 2: out = convBackWeight(a = x,
   * b = dy). dims: N, C, H, W, M, KH, KW, OH, OW, group, sh, sw, pad top, pad left, dh, dw.
   */
  conv(kind: 0 | 1 | 2, a: Float32Array, b: Float32Array, out: Float32Array, ...dims: number[]): void;
  /**
   * out = a op b, op 0 add, 1 sub, 2 mul, 3 div, 4 max, 5 min. layout 0: equal shapes of `inner`
   * values; 1: b holds one value per `mid` block of a's [outer, mid, inner] layout; 2: a does.
   */
  binary(
    op: number,
    a: Float32Array,
    b: Float32Array,
    out: Float32Array,
    outer: number,
    mid: number,
    inner: number,
    layout: number,
  ): void;
  /** out = op(x), op 0 relu, 1 step, 2 neg. */
  unary(op: number, x: Float32Array, out: Float32Array): void;
  /** out[m] = Σ x[p][m][i] over p < outer and i < inner, in float64. */
  sumBlocks(x: Float32Array, out: Float32Array, outer: number, mid: number, inner: number): void;
  /** The vector code chosen at load: 'avx512', 'avx2' or 'baseline'. */
  /** The vector width in use; with a name ('avx512', 'avx2', 'baseline'), switch to it if this CPU has it. */
  isa(name?: string): string;
  /** out = erf(x) from the JavaScript kernel's table (elementwise.ts), to the bit. */
  erf?(x: Float32Array, out: Float32Array, table: Float64Array, grid: number, max: number, terms: number): void;
  /** 1: direct convolutions where they apply (stride 1, dilation 1; the default); 0: the GEMM path everywhere. */
  directConv?(on: number): void;
}

let installed: NativeKernels | null = null;

/** Install (or, with null, remove) the native kernels for float32 GEMM and convolutions. */
export function useNativeKernels(kernels: NativeKernels | null): void {
  installed = kernels;
}

export function nativeKernels(): NativeKernels | null {
  return installed;
}
