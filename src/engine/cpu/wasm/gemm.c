// Single-precision GEMM for the CPU backend, compiled to WebAssembly with SIMD128
// (see scripts/build-wasm.sh). C = [C +] A·B, A M×K, B K×N, row-major. Products are formed in
// float32 SIMD over blocks of KB terms and accumulated across blocks in float64, so long
// reductions (weight gradients sum over batch × pixels) keep float64-grade accuracy.
#include <wasm_simd128.h>

#define KB 256
#define MR 4
#define NR 8

// Pack op(B)[k0:k0+kb, 0:N] into column panels of NR: out[panel][k][NR], zero-padded.
// op(B) = B (K×N, row-major) or, with transB, the transpose of B stored N×K.
static void pack_b(const float* B, int N, int K, int transB, int k0, int kb, float* out) {
  int panels = (N + NR - 1) / NR;
  for (int p = 0; p < panels; p++) {
    int j0 = p * NR;
    int w = N - j0 < NR ? N - j0 : NR;
    float* dst = out + (long)p * kb * NR;
    for (int k = 0; k < kb; k++) {
      int j = 0;
      if (transB) {
        for (; j < w; j++) dst[k * NR + j] = B[(long)(j0 + j) * K + k0 + k];
      } else {
        const float* src = B + (long)(k0 + k) * N + j0;
        for (; j < w; j++) dst[k * NR + j] = src[j];
      }
      for (; j < NR; j++) dst[k * NR + j] = 0.0f;
    }
  }
}

// Pack the last, partial column panel of a row-major B into out[k][NR], zero-padded.
static void pack_b_tail(const float* B, int N, int k0, int kb, float* out) {
  int j0 = N - N % NR;
  for (int k = 0; k < kb; k++) {
    const float* src = B + (long)(k0 + k) * N + j0;
    int j = 0;
    for (; j < N - j0; j++) out[k * NR + j] = src[j];
    for (; j < NR; j++) out[k * NR + j] = 0.0f;
  }
}

// Pack op(A)[i0:i0+MR, k0:k0+kb] as out[k][MR], zero-padded. With transA, A is stored K×M.
static void pack_a(const float* A, int M, int K, int transA, int i0, int k0, int kb, float* out) {
  int h = M - i0 < MR ? M - i0 : MR;
  for (int k = 0; k < kb; k++) {
    int i = 0;
    if (transA) {
      const float* src = A + (long)(k0 + k) * M + i0;
      for (; i < h; i++) out[k * MR + i] = src[i];
    } else {
      for (; i < h; i++) out[k * MR + i] = A[(long)(i0 + i) * K + k0 + k];
    }
    for (; i < MR; i++) out[k * MR + i] = 0.0f;
  }
}

// flags: 1 = accumulate into C, 2 = transpose A, 4 = transpose B.
__attribute__((export_name("gemm")))
void gemm(const float* A, const float* B, float* C, int M, int N, int K, int flags,
          double* acc, float* packA, float* packB) {
  int accumulate = flags & 1, transA = flags & 2, transB = flags & 4;
  long MN = (long)M * N;
  // One K block is a plain float32 sum: write it straight to C. Longer sums go through float64.
  int direct = K <= KB;
  if (!direct)
    for (long t = 0; t < MN; t++) acc[t] = accumulate ? (double)C[t] : 0.0;
  int panels = (N + NR - 1) / NR;
  for (int k0 = 0; k0 < K; k0 += KB) {
    int kb = K - k0 < KB ? K - k0 : KB;
    // Row-major B is read in place, 8 columns at a time; only a transposed B and the ragged last
    // panel are packed.
    if (transB) pack_b(B, N, K, transB, k0, kb, packB);
    else if (N % NR) pack_b_tail(B, N, k0, kb, packB);
    for (int i0 = 0; i0 < M; i0 += MR) {
      pack_a(A, M, K, transA, i0, k0, kb, packA);
      int h = M - i0 < MR ? M - i0 : MR;
      for (int p = 0; p < panels; p++) {
        int packed = transB || (p == panels - 1 && N % NR);
        const float* bp = packed ? packB + (transB ? (long)p * kb * NR : 0) : B + (long)k0 * N + p * NR;
        int ldb = packed ? NR : N;
        v128_t c00 = wasm_f32x4_splat(0), c01 = c00, c10 = c00, c11 = c00;
        v128_t c20 = c00, c21 = c00, c30 = c00, c31 = c00;
        for (int k = 0; k < kb; k++) {
          v128_t b0 = wasm_v128_load(bp + (long)k * ldb);
          v128_t b1 = wasm_v128_load(bp + (long)k * ldb + 4);
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
          if (direct) {
            float* row = C + (long)(i0 + i) * N + j0;
            if (accumulate)
              for (int j = 0; j < w; j++) row[j] += tile[i * NR + j];
            else
              for (int j = 0; j < w; j++) row[j] = tile[i * NR + j];
          } else {
            double* row = acc + (long)(i0 + i) * N + j0;
            for (int j = 0; j < w; j++) row[j] += (double)tile[i * NR + j];
          }
        }
      }
    }
  }
  if (!direct)
    for (long t = 0; t < MN; t++) C[t] = (float)acc[t];
}

// im2col for one image and group: cols[(c·KH + kh)·KW + kw][oh·OW + ow] = x[c][ih][iw] (0 outside).
__attribute__((export_name("im2col")))
void im2col(const float* x, float* cols, int Cg, int H, int W, int KH, int KW, int OH, int OW,
            int sh, int sw, int pt, int pl, int dh, int dw) {
  long P = (long)OH * OW;
  long r = 0;
  for (int c = 0; c < Cg; c++) {
    const float* xc = x + (long)c * H * W;
    for (int kh = 0; kh < KH; kh++) {
      for (int kw = 0; kw < KW; kw++, r++) {
        float* row = cols + r * P;
        int off = kw * dw - pl;
        int lo = 0;
        while (lo < OW && lo * sw + off < 0) lo++;
        int hi = OW;
        while (hi > lo && (hi - 1) * sw + off >= W) hi--;
        for (int oh = 0; oh < OH; oh++) {
          float* o = row + (long)oh * OW;
          int ih = oh * sh - pt + kh * dh;
          if (ih < 0 || ih >= H) {
            for (int ow = 0; ow < OW; ow++) o[ow] = 0.0f;
            continue;
          }
          const float* xr = xc + (long)ih * W + off;
          for (int ow = 0; ow < lo; ow++) o[ow] = 0.0f;
          if (sw == 1)
            for (int ow = lo; ow < hi; ow++) o[ow] = xr[ow];
          else
            for (int ow = lo; ow < hi; ow++) o[ow] = xr[ow * sw];
          for (int ow = hi; ow < OW; ow++) o[ow] = 0.0f;
        }
      }
    }
  }
}

// The adjoint of im2col: dx[c][ih][iw] += cols[...] (dx is not cleared).
__attribute__((export_name("col2im")))
void col2im(const float* cols, float* dx, int Cg, int H, int W, int KH, int KW, int OH, int OW,
            int sh, int sw, int pt, int pl, int dh, int dw) {
  long P = (long)OH * OW;
  long r = 0;
  for (int c = 0; c < Cg; c++) {
    float* xc = dx + (long)c * H * W;
    for (int kh = 0; kh < KH; kh++) {
      for (int kw = 0; kw < KW; kw++, r++) {
        const float* row = cols + r * P;
        int off = kw * dw - pl;
        int lo = 0;
        while (lo < OW && lo * sw + off < 0) lo++;
        int hi = OW;
        while (hi > lo && (hi - 1) * sw + off >= W) hi--;
        for (int oh = 0; oh < OH; oh++) {
          int ih = oh * sh - pt + kh * dh;
          if (ih < 0 || ih >= H) continue;
          const float* o = row + (long)oh * OW;
          float* xr = xc + (long)ih * W + off;
          if (sw == 1)
            for (int ow = lo; ow < hi; ow++) xr[ow] += o[ow];
          else
            for (int ow = lo; ow < hi; ow++) xr[ow * sw] += o[ow];
        }
      }
    }
  }
}
