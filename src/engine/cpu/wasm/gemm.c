// Single-precision GEMM for the CPU backend, compiled to WebAssembly with SIMD128
// (see scripts/build-wasm.sh). C = [C +] A·B, A M×K, B K×N, row-major. Products are formed in
// float32 SIMD over blocks of KB terms and accumulated across blocks in float64, so long
// reductions (weight gradients sum over batch × pixels) keep float64-grade accuracy.
#include <wasm_simd128.h>

#define KB 256
#define MR 4
#define NR 8

// Pack B[k0:k0+kb, 0:N] into column panels of NR: out[panel][k][NR], zero-padded.
static void pack_b(const float* B, int N, int k0, int kb, float* out) {
  int panels = (N + NR - 1) / NR;
  for (int p = 0; p < panels; p++) {
    int j0 = p * NR;
    int w = N - j0 < NR ? N - j0 : NR;
    float* dst = out + (long)p * kb * NR;
    for (int k = 0; k < kb; k++) {
      const float* src = B + (long)(k0 + k) * N + j0;
      int j = 0;
      for (; j < w; j++) dst[k * NR + j] = src[j];
      for (; j < NR; j++) dst[k * NR + j] = 0.0f;
    }
  }
}

// Pack A[i0:i0+MR, k0:k0+kb] as out[k][MR], zero-padded.
static void pack_a(const float* A, int M, int K, int i0, int k0, int kb, float* out) {
  int h = M - i0 < MR ? M - i0 : MR;
  for (int k = 0; k < kb; k++) {
    int i = 0;
    for (; i < h; i++) out[k * MR + i] = A[(long)(i0 + i) * K + k0 + k];
    for (; i < MR; i++) out[k * MR + i] = 0.0f;
  }
}

__attribute__((export_name("gemm")))
void gemm(const float* A, const float* B, float* C, int M, int N, int K, int accumulate,
          double* acc, float* packA, float* packB) {
  long MN = (long)M * N;
  for (long t = 0; t < MN; t++) acc[t] = accumulate ? (double)C[t] : 0.0;
  int panels = (N + NR - 1) / NR;
  for (int k0 = 0; k0 < K; k0 += KB) {
    int kb = K - k0 < KB ? K - k0 : KB;
    pack_b(B, N, k0, kb, packB);
    for (int i0 = 0; i0 < M; i0 += MR) {
      pack_a(A, M, K, i0, k0, kb, packA);
      int h = M - i0 < MR ? M - i0 : MR;
      for (int p = 0; p < panels; p++) {
        const float* bp = packB + (long)p * kb * NR;
        v128_t c00 = wasm_f32x4_splat(0), c01 = c00, c10 = c00, c11 = c00;
        v128_t c20 = c00, c21 = c00, c30 = c00, c31 = c00;
        for (int k = 0; k < kb; k++) {
          v128_t b0 = wasm_v128_load(bp + k * NR);
          v128_t b1 = wasm_v128_load(bp + k * NR + 4);
          const float* ap = packA + k * MR;
          v128_t a0 = wasm_f32x4_splat(ap[0]);
          v128_t a1 = wasm_f32x4_splat(ap[1]);
          v128_t a2 = wasm_f32x4_splat(ap[2]);
          v128_t a3 = wasm_f32x4_splat(ap[3]);
          c00 = wasm_f32x4_add(c00, wasm_f32x4_mul(a0, b0));
          c01 = wasm_f32x4_add(c01, wasm_f32x4_mul(a0, b1));
          c10 = wasm_f32x4_add(c10, wasm_f32x4_mul(a1, b0));
          c11 = wasm_f32x4_add(c11, wasm_f32x4_mul(a1, b1));
          c20 = wasm_f32x4_add(c20, wasm_f32x4_mul(a2, b0));
          c21 = wasm_f32x4_add(c21, wasm_f32x4_mul(a2, b1));
          c30 = wasm_f32x4_add(c30, wasm_f32x4_mul(a3, b0));
          c31 = wasm_f32x4_add(c31, wasm_f32x4_mul(a3, b1));
        }
        float tile[MR * NR];
        wasm_v128_store(tile + 0, c00);
        wasm_v128_store(tile + 4, c01);
        wasm_v128_store(tile + 8, c10);
        wasm_v128_store(tile + 12, c11);
        wasm_v128_store(tile + 16, c20);
        wasm_v128_store(tile + 20, c21);
        wasm_v128_store(tile + 24, c30);
        wasm_v128_store(tile + 28, c31);
        int j0 = p * NR;
        int w = N - j0 < NR ? N - j0 : NR;
        for (int i = 0; i < h; i++) {
          double* row = acc + (long)(i0 + i) * N + j0;
          for (int j = 0; j < w; j++) row[j] += (double)tile[i * NR + j];
        }
      }
    }
  }
  for (long t = 0; t < MN; t++) C[t] = (float)acc[t];
}
