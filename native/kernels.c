// Native CPU kernels for the engine's hot ops: GEMM and the three convolution kernels (forward,
// input adjoint, weight adjoint), loaded as a Node-API addon (scripts/build-native.mjs) in Node and
// Electron alike. The WebAssembly kernels (src/engine/cpu/wasm/gemm.c) stay the portable fallback
// and define the numerics this file keeps: float32 products summed in float32 over blocks of KB
// terms, the blocks accumulated in float64. Vector code is chosen at load time (AVX-512, AVX2+FMA or
// the compiler's baseline) and written with GCC/Clang vector extensions, so no intrinsics headers.
// Stride-1 convolutions (all three directions) read the zero-padded image directly (see "direct
// convolutions"); the others pack each K block of the column matrix straight from the image: there
// is no full im2col copy in the forward pass or the weight adjoint.
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "napi-min.h"

#define KB 256

// ---- operand packing ----------------------------------------------------------------------

// How op(B) is read: a row-major K×N matrix, its transpose stored N×K, or the column matrix of an
// image (rows (c, kh, kw), columns (oh, ow)), plain or transposed.
enum { B_PLAIN = 0, B_TRANS = 1, B_COLS = 2, B_COLS_T = 3 };

typedef struct {
  int Cg, H, W, KH, KW, OH, OW, sh, sw, pt, pl, dh, dw;
} Geom;

typedef struct {
  int mode;
  const float* p;
  int ld;  // leading dimension for B_PLAIN / B_TRANS
  const Geom* g;
} BSrc;

// Column matrix entry (r, q): image value at channel c, tap (kh, kw), output pixel q (0 outside).
static inline float col_at(const float* x, const Geom* g, int r, int q) {
  int kw = r % g->KW, t = r / g->KW, kh = t % g->KH, c = t / g->KH;
  int oh = q / g->OW, ow = q % g->OW;
  int ih = oh * g->sh - g->pt + kh * g->dh, iw = ow * g->sw - g->pl + kw * g->dw;
  if (ih < 0 || ih >= g->H || iw < 0 || iw >= g->W) return 0.0f;
  return x[((long)c * g->H + ih) * g->W + iw];
}

// Fill one row r of the column matrix for pixels [q0, q0 + n) into dst (contiguous), fast when the
// pixels lie on one output row.
static void col_row(const float* x, const Geom* g, int r, int q0, int n, float* dst) {
  int kw = r % g->KW, t = r / g->KW, kh = t % g->KH, c = t / g->KH;
  const float* xc = x + (long)c * g->H * g->W;
  int q = q0, end = q0 + n;
  while (q < end) {
    int oh = q / g->OW, ow = q % g->OW;
    int run = g->OW - ow;
    if (run > end - q) run = end - q;
    int ih = oh * g->sh - g->pt + kh * g->dh;
    if (ih < 0 || ih >= g->H) {
      memset(dst, 0, sizeof(float) * run);
    } else {
      // Output columns [lo, hi) of this run read inside the image row; the rest are padding.
      const float* xr = xc + (long)ih * g->W;
      int off = kw * g->dw - g->pl, sw = g->sw;
      int lo = off < 0 ? (-off + sw - 1) / sw : 0;
      int hi = g->W - off > 0 ? (g->W - off + sw - 1) / sw : 0;
      lo = lo < ow ? 0 : lo - ow;
      hi = hi - ow;
      if (lo > run) lo = run;
      if (hi > run) hi = run;
      if (hi < lo) hi = lo;
      memset(dst, 0, sizeof(float) * lo);
      const float* src = xr + (long)ow * sw + off;
      if (sw == 1)
        memcpy(dst + lo, src + lo, sizeof(float) * (hi - lo));
      else
        for (int i = lo; i < hi; i++) dst[i] = src[(long)i * sw];
      memset(dst + hi, 0, sizeof(float) * (run - hi));
    }
    dst += run;
    q += run;
  }
}

// Pack op(B)[k0:k0+kb, 0:N] as panels of NR columns: out[panel][k][NR], zero-padded.
static void pack_b(const BSrc* b, int N, int k0, int kb, int NR, float* out, float* row) {
  int panels = (N + NR - 1) / NR;
  if (b->mode == B_PLAIN || b->mode == B_COLS) {
    for (int k = 0; k < kb; k++) {
      const float* src;
      if (b->mode == B_PLAIN) {
        src = b->p + (long)(k0 + k) * b->ld;
      } else {
        col_row(b->p, b->g, k0 + k, 0, N, row);
        src = row;
      }
      for (int p = 0; p < panels; p++) {
        int j0 = p * NR, w = N - j0 < NR ? N - j0 : NR;
        float* dst = out + ((long)p * kb + k) * NR;
        memcpy(dst, src + j0, sizeof(float) * w);
        for (int j = w; j < NR; j++) dst[j] = 0.0f;
      }
    }
    return;
  }
  // Transposed sources: op(B)[k][j] = S[j][k], S row-major N×K (B_TRANS) or the column matrix
  // (B_COLS_T: j is the row r, k the pixel). The NR rows of a panel are copied (or built) into `row`
  // at a padded stride, so no two share a cache set, and transposed into the panel from there.
  int stride = kb + 16;
  for (int p = 0; p < panels; p++) {
    int j0 = p * NR, w = N - j0 < NR ? N - j0 : NR;
    for (int j = 0; j < w; j++) {
      if (b->mode == B_TRANS) memcpy(row + (long)j * stride, b->p + (long)(j0 + j) * b->ld + k0, sizeof(float) * kb);
      else col_row(b->p, b->g, j0 + j, k0, kb, row + (long)j * stride);
    }
    float* dst = out + (long)p * kb * NR;
    for (int k = 0; k < kb; k++) {
      int j = 0;
      for (; j < w; j++) dst[(long)k * NR + j] = row[(long)j * stride + k];
      for (; j < NR; j++) dst[(long)k * NR + j] = 0.0f;
    }
  }
}

// Pack op(A)[0:M, k0:k0+kb] as panels of MR rows: out[panel][k][MR], zero-padded. With transA, A
// is stored K×M.
static void pack_a(const float* A, int lda, int transA, int M, int k0, int kb, int MR, float* out) {
  int panels = (M + MR - 1) / MR;
  for (int p = 0; p < panels; p++) {
    int i0 = p * MR, h = M - i0 < MR ? M - i0 : MR;
    float* dst = out + (long)p * kb * MR;
    for (int k = 0; k < kb; k++) {
      int i = 0;
      if (transA)
        for (; i < h; i++) dst[k * MR + i] = A[(long)(k0 + k) * lda + i0 + i];
      else
        for (; i < h; i++) dst[k * MR + i] = A[(long)(i0 + i) * lda + k0 + k];
      for (; i < MR; i++) dst[k * MR + i] = 0.0f;
    }
  }
}

// ---- micro-kernels ------------------------------------------------------------------------
// One MR×NR tile over kb terms, for three vector widths. FMA contraction is what -ffp-contract=fast
// (GCC's default for GNU C) makes of acc + a * b.

#define MICRO(NAME, TARGET, VW, MR, NV)                                                              \
  typedef float NAME##_v __attribute__((vector_size(VW * 4), aligned(4)));                          \
  TARGET static void NAME(const float* ap, const float* bp, int kb, float* tile) {                  \
    NAME##_v acc[MR][NV];                                                                            \
    for (int r = 0; r < MR; r++)                                                                     \
      for (int v = 0; v < NV; v++) acc[r][v] = (NAME##_v){0};                                       \
    for (int k = 0; k < kb; k++) {                                                                   \
      NAME##_v b[NV];                                                                                \
      for (int v = 0; v < NV; v++) memcpy(&b[v], bp + (long)k * (VW * NV) + v * VW, VW * 4);       \
      for (int r = 0; r < MR; r++) {                                                                 \
        NAME##_v a = (NAME##_v){0} + ap[k * MR + r];                                                 \
        for (int v = 0; v < NV; v++) acc[r][v] += a * b[v];                                          \
      }                                                                                              \
    }                                                                                                \
    for (int r = 0; r < MR; r++)                                                                     \
      for (int v = 0; v < NV; v++) memcpy(tile + r * (VW * NV) + v * VW, &acc[r][v], VW * 4);      \
  }

#if defined(__x86_64__)
MICRO(micro512, __attribute__((target("avx512f,fma"))), 16, 8, 2)
MICRO(micro256, __attribute__((target("avx2,fma"))), 8, 6, 2)
#endif
MICRO(micro128, , 4, 4, 2)

// Direct convolution tiles (stride 1, dilation 1), for the same three widths: B is never packed.
// Forward: term k of the tile reads NR consecutive floats of the zero-padded image at xb + off[k]
// (tap k's constant offset on the padded grid), times A packed as for the GEMM. Input adjoint: for
// each tap, the sum over output channels m (dy on its padded grid, plane floats apart) is formed
// from zero and then added to the tile, which is what the column matrix and col2im compute.
#define DIRECT(NAME, TARGET, VW, MR, NV)                                                            \
  typedef float NAME##_v __attribute__((vector_size(VW * 4), aligned(4)));                          \
  TARGET static void NAME##_fwd(const float* ap, const float* xb, const long* off, int kb, float* tile) { \
    NAME##_v acc[MR][NV];                                                                            \
    for (int r = 0; r < MR; r++)                                                                     \
      for (int v = 0; v < NV; v++) acc[r][v] = (NAME##_v){0};                                       \
    for (int k = 0; k < kb; k++) {                                                                   \
      const float* src = xb + off[k];                                                                \
      NAME##_v b[NV];                                                                                \
      for (int v = 0; v < NV; v++) memcpy(&b[v], src + v * VW, VW * 4);                            \
      for (int r = 0; r < MR; r++) {                                                                 \
        NAME##_v a = (NAME##_v){0} + ap[k * MR + r];                                                 \
        for (int v = 0; v < NV; v++) acc[r][v] += a * b[v];                                          \
      }                                                                                              \
    }                                                                                                \
    for (int r = 0; r < MR; r++)                                                                     \
      for (int v = 0; v < NV; v++) memcpy(tile + r * (VW * NV) + v * VW, &acc[r][v], VW * 4);      \
  }                                                                                                  \
  TARGET static void NAME##_bin(const float* ap, const float* yb, long plane, int taps, const long* tapoff, \
                                int Mg, float* tile) {                                               \
    NAME##_v acc[MR][NV];                                                                            \
    for (int r = 0; r < MR; r++)                                                                     \
      for (int v = 0; v < NV; v++) acc[r][v] = (NAME##_v){0};                                       \
    for (int tap = 0; tap < taps; tap++) {                                                           \
      NAME##_v part[MR][NV];                                                                         \
      for (int r = 0; r < MR; r++)                                                                   \
        for (int v = 0; v < NV; v++) part[r][v] = (NAME##_v){0};                                    \
      const float* src = yb + tapoff[tap];                                                           \
      const float* at = ap + (long)tap * Mg * MR;                                                    \
      for (int m = 0; m < Mg; m++) {                                                                 \
        NAME##_v b[NV];                                                                              \
        for (int v = 0; v < NV; v++) memcpy(&b[v], src + m * plane + v * VW, VW * 4);              \
        for (int r = 0; r < MR; r++) {                                                               \
          NAME##_v a = (NAME##_v){0} + at[m * MR + r];                                               \
          for (int v = 0; v < NV; v++) part[r][v] += a * b[v];                                       \
        }                                                                                            \
      }                                                                                              \
      for (int r = 0; r < MR; r++)                                                                   \
        for (int v = 0; v < NV; v++) acc[r][v] += part[r][v];                                        \
    }                                                                                                \
    for (int r = 0; r < MR; r++)                                                                     \
      for (int v = 0; v < NV; v++) memcpy(tile + r * (VW * NV) + v * VW, &acc[r][v], VW * 4);      \
  }

// Weight adjoint, transposed: a tile of MW taps r × VW output channels m, summed over kb pixels.
// Term k broadcasts the padded image at tap r's offset plus pixel k's grid position, times dyᵀ's
// row of VW channels for that pixel.
#define DIRECT_W(NAME, TARGET, VW, MW)                                                              \
  typedef float NAME##_w __attribute__((vector_size(VW * 4), aligned(4)));                          \
  TARGET static void NAME##_bw(const float* xp, const long* off, const int* tp, const float* bt, int kb,  \
                               float* tile) {                                                        \
    NAME##_w acc[MW];                                                                                \
    const float* xr[MW];                                                                             \
    for (int r = 0; r < MW; r++) {                                                                   \
      acc[r] = (NAME##_w){0};                                                                        \
      xr[r] = xp + off[r];                                                                           \
    }                                                                                                \
    for (int k = 0; k < kb; k++) {                                                                   \
      NAME##_w b;                                                                                    \
      memcpy(&b, bt + (long)k * VW, VW * 4);                                                         \
      int t = tp[k];                                                                                 \
      for (int r = 0; r < MW; r++) acc[r] += ((NAME##_w){0} + xr[r][t]) * b;                       \
    }                                                                                                \
    for (int r = 0; r < MW; r++) memcpy(tile + r * VW, &acc[r], VW * 4);                             \
  }

#if defined(__x86_64__)
DIRECT_W(directw512, __attribute__((target("avx512f,fma"))), 16, 16)
DIRECT_W(directw256, __attribute__((target("avx2,fma"))), 8, 12)
#endif
DIRECT_W(directw128, , 4, 8)

#if defined(__x86_64__)
DIRECT(direct512, __attribute__((target("avx512f,fma"))), 16, 8, 2)
DIRECT(direct256, __attribute__((target("avx2,fma"))), 8, 6, 2)
#endif
DIRECT(direct128, , 4, 4, 2)

typedef void (*MicroFn)(const float*, const float*, int, float*);
typedef void (*DirectFwdFn)(const float*, const float*, const long*, int, float*);
typedef void (*DirectBinFn)(const float*, const float*, long, int, const long*, int, float*);
typedef void (*DirectBwFn)(const float*, const long*, const int*, const float*, int, float*);
typedef struct {
  MicroFn fn;
  int MR, NR;
  const char* name;
  DirectFwdFn fwd;
  DirectBinFn bin;
  DirectBwFn bw;
  int VW, MW;  // the weight adjoint's tile: MW taps × VW channels
} Micro;

// The kernels of one vector width, if this CPU has it (tests run every width the machine offers).
static int micro_named(const char* name, Micro* out) {
#if defined(__x86_64__)
  __builtin_cpu_init();
  if (!strcmp(name, "avx512") && __builtin_cpu_supports("avx512f")) {
    *out = (Micro){micro512, 8, 32, "avx512", direct512_fwd, direct512_bin, directw512_bw, 16, 16};
    return 1;
  }
  if (!strcmp(name, "avx2") && __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) {
    *out = (Micro){micro256, 6, 16, "avx2", direct256_fwd, direct256_bin, directw256_bw, 8, 12};
    return 1;
  }
#endif
  if (!strcmp(name, "baseline")) {
    *out = (Micro){micro128, 4, 8, "baseline", direct128_fwd, direct128_bin, directw128_bw, 4, 8};
    return 1;
  }
  return 0;
}

static Micro pick_micro(void) {
#if defined(__x86_64__)
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f"))
    return (Micro){micro512, 8, 32, "avx512", direct512_fwd, direct512_bin, directw512_bw, 16, 16};
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
    return (Micro){micro256, 6, 16, "avx2", direct256_fwd, direct256_bin, directw256_bw, 8, 12};
#endif
  return (Micro){micro128, 4, 8, "baseline", direct128_fwd, direct128_bin, directw128_bw, 4, 8};
}

static Micro MK;

// ---- GEMM ---------------------------------------------------------------------------------

static void* scratch(void** buf, size_t* have, size_t bytes) {
  if (*have < bytes) {
    free(*buf);
    *buf = aligned_alloc(64, (bytes + 63) & ~(size_t)63);
    *have = *buf ? bytes : 0;
  }
  return *buf;
}
// Per thread: worker threads each load the addon and call it concurrently.
static _Thread_local void *packA_buf, *packB_buf, *row_buf, *acc_buf, *cols_buf;
static _Thread_local size_t packA_have, packB_have, row_have, acc_have, cols_have;

// C (M×N, row stride ldc) = [C +] op(A)·op(B). With acc64 set, every K block's float32 tile is
// added into acc64 (M×N doubles) instead and C is left alone (the caller sums in float64).
static void gemm_core(const float* A, int lda, int transA, const BSrc* B, float* C, int ldc, int M, int N,
                      int K, int accumulate, double* acc64) {
  int MR = MK.MR, NR = MK.NR;
  int kbMax = K < KB ? K : KB;
  int mPanels = (M + MR - 1) / MR, nPanels = (N + NR - 1) / NR;
  float* pa = scratch(&packA_buf, &packA_have, sizeof(float) * (size_t)mPanels * MR * kbMax);
  float* pb = scratch(&packB_buf, &packB_have, sizeof(float) * (size_t)nPanels * NR * kbMax);
  size_t rowFloats = (size_t)(N > K ? N : K);
  if (rowFloats < (size_t)NR * (kbMax + 16)) rowFloats = (size_t)NR * (kbMax + 16);
  float* row = scratch(&row_buf, &row_have, sizeof(float) * rowFloats);
  // One K block is a plain float32 sum: write it straight to C. Longer sums go through float64.
  int direct = !acc64 && K <= KB;
  double* acc = acc64;
  if (!direct && !acc64) {
    acc = scratch(&acc_buf, &acc_have, sizeof(double) * (size_t)M * N);
    for (int i = 0; i < M; i++)
      for (int j = 0; j < N; j++) acc[(long)i * N + j] = accumulate ? (double)C[(long)i * ldc + j] : 0.0;
  }
  float tile[8 * 32];
  for (int k0 = 0; k0 < K; k0 += KB) {
    int kb = K - k0 < KB ? K - k0 : KB;
    pack_b(B, N, k0, kb, NR, pb, row);
    pack_a(A, lda, transA, M, k0, kb, MR, pa);
    for (int ip = 0; ip < mPanels; ip++) {
      int i0 = ip * MR, h = M - i0 < MR ? M - i0 : MR;
      for (int jp = 0; jp < nPanels; jp++) {
        int j0 = jp * NR, w = N - j0 < NR ? N - j0 : NR;
        MK.fn(pa + (long)ip * kb * MR, pb + (long)jp * kb * NR, kb, tile);
        for (int i = 0; i < h; i++) {
          const float* t = tile + i * NR;
          if (direct) {
            float* c = C + (long)(i0 + i) * ldc + j0;
            if (accumulate)
              for (int j = 0; j < w; j++) c[j] += t[j];
            else
              memcpy(c, t, sizeof(float) * w);
          } else {
            double* c = acc + (long)(i0 + i) * N + j0;
            for (int j = 0; j < w; j++) c[j] += (double)t[j];
          }
        }
      }
    }
  }
  if (!direct && !acc64)
    for (int i = 0; i < M; i++)
      for (int j = 0; j < N; j++) C[(long)i * ldc + j] = (float)acc[(long)i * N + j];
}

// ---- convolutions -------------------------------------------------------------------------

typedef struct {
  int N, C, H, W, M, KH, KW, OH, OW, G, sh, sw, pt, pl, dh, dw;
} ConvDims;

static Geom geom_of(const ConvDims* d) {
  return (Geom){d->C / d->G, d->H, d->W, d->KH, d->KW, d->OH, d->OW, d->sh, d->sw, d->pt, d->pl, d->dh, d->dw};
}

// ---- direct convolutions (stride 1, dilation 1) ---------------------------------------------
// The column matrix is neither built nor packed: the image (forward) or the output gradient (input
// adjoint) is zero-padded once per image, and the tile's B operand is read from it on the padded
// grid t = row·width + column, where each tap is a constant offset. Grid points past the last
// column are computed and dropped. The products, their order and the blocks of KB terms summed in
// float64 are those of the GEMM path, so the results are the same to the bit (tested).

static int DIRECT_ON = 1;
static _Thread_local void *pad_buf, *wpk_buf, *off_buf;
static _Thread_local size_t pad_have, wpk_have, off_have;

// Padded planes of `planes` channels, each Hp×Wp, holding src (planes × h × w) at row a, column b,
// with `slack` zero floats after the last plane for the dropped grid points' reads.
static float* padded(const float* src, int planes, int h, int w, int Hp, int Wp, int a, int b, long slack) {
  long plane = (long)Hp * Wp;
  float* p = scratch(&pad_buf, &pad_have, sizeof(float) * (size_t)(planes * plane + slack));
  memset(p, 0, sizeof(float) * (size_t)(planes * plane + slack));
  int i0 = a < 0 ? -a : 0, j0 = b < 0 ? -b : 0;
  for (int c = 0; c < planes; c++)
    for (int i = i0; i < h && i + a < Hp; i++) {
      int j1 = w < Wp - b ? w : Wp - b;
      if (j1 > j0) memcpy(p + c * plane + (long)(i + a) * Wp + j0 + b, src + ((long)c * h + i) * w + j0, sizeof(float) * (j1 - j0));
    }
  return p;
}

// Write the tile's valid grid points: row i of the tile to out + i·rowStride, grid t → (t / Wg, t % Wg).
static void store_grid(const float* tile, int h, int NR, int t0, int T, int Wg, int Wv, int Wout, long rowStride,
                       float* out) {
  int n = T - t0 < NR ? T - t0 : NR;
  // Runs of the tile that lie on one grid row: one division per tile, a copy per run.
  for (int j = 0, r = t0 / Wg, c = t0 - r * Wg; j < n; r++, c = 0) {
    int run = Wg - c < n - j ? Wg - c : n - j;
    int valid = c < Wv ? (Wv - c < run ? Wv - c : run) : 0;
    if (valid > 0)
      for (int i = 0; i < h; i++)
        memcpy(out + (long)i * rowStride + (long)r * Wout + c, tile + i * NR + j, sizeof(float) * valid);
    j += run;
  }
}

// Tap r = (c, kh, kw) of the column matrix as an offset on a padded grid of Wp columns.
static long tap_offset(const ConvDims* d, int r, long plane, int Wp) {
  int kw = r % d->KW, t = r / d->KW, kh = t % d->KH, c = t / d->KH;
  return c * plane + (long)kh * Wp + kw;
}

static int direct_fits(const ConvDims* d) {
  return DIRECT_ON && d->sh == 1 && d->sw == 1 && d->dh == 1 && d->dw == 1;
}

static void conv_forward_direct(const float* x, const float* w, float* y, const ConvDims* d) {
  int MR = MK.MR, NR = MK.NR, Cg = d->C / d->G, Mg = d->M / d->G, R = Cg * d->KH * d->KW;
  int Hp = d->OH + d->KH - 1, Wp = d->OW + d->KW - 1, T = d->OH * Wp;
  long plane = (long)Hp * Wp, P = (long)d->OH * d->OW;
  int mPanels = (Mg + MR - 1) / MR;
  long* off = scratch(&off_buf, &off_have, sizeof(long) * (size_t)R);
  for (int r = 0; r < R; r++) off[r] = tap_offset(d, r, plane, Wp);
  float* wp = scratch(&wpk_buf, &wpk_have, sizeof(float) * (size_t)mPanels * R * MR);
  float tile[8 * 32];
  double dacc[8 * 32];
  for (int gi = 0; gi < d->G; gi++) {
    pack_a(w + (long)gi * Mg * R, R, 0, Mg, 0, R, MR, wp);
    for (int n = 0; n < d->N; n++) {
      const float* xs = x + ((long)n * d->C + (long)gi * Cg) * d->H * d->W;
      float* xp = padded(xs, Cg, d->H, d->W, Hp, Wp, d->pt, d->pl, NR + (long)d->KH * Wp + d->KW);
      float* yo = y + ((long)n * d->M + (long)gi * Mg) * P;
      for (int ip = 0; ip < mPanels; ip++) {
        int i0 = ip * MR, h = Mg - i0 < MR ? Mg - i0 : MR;
        const float* ap = wp + (long)ip * R * MR;
        for (int t0 = 0; t0 < T; t0 += NR) {
          if (R <= KB) {
            MK.fwd(ap, xp + t0, off, R, tile);
          } else {
            memset(dacc, 0, sizeof dacc);
            for (int k0 = 0; k0 < R; k0 += KB) {
              int kb = R - k0 < KB ? R - k0 : KB;
              MK.fwd(ap + (long)k0 * MR, xp + t0, off + k0, kb, tile);
              for (int e = 0; e < MR * NR; e++) dacc[e] += (double)tile[e];
            }
            for (int e = 0; e < MR * NR; e++) tile[e] = (float)dacc[e];
          }
          store_grid(tile, h, NR, t0, T, Wp, d->OW, d->OW, P, yo + (long)i0 * P);
        }
      }
    }
  }
}

// The input adjoint as a direct correlation of dy with the flipped taps, for output-channel counts
// of one K block (the column matrix's sums over m are then plain float32 sums).
static int back_input_direct_fits(const ConvDims* d) {
  return direct_fits(d) && d->M / d->G <= KB && d->pt <= d->KH - 1 && d->pl <= d->KW - 1;
}

static void conv_back_input_direct(const float* dy, const float* w, float* dx, const ConvDims* d) {
  int MR = MK.MR, NR = MK.NR, Cg = d->C / d->G, Mg = d->M / d->G, KHW = d->KH * d->KW, R = Cg * KHW;
  int Hq = d->H + d->KH - 1, Wq = d->W + d->KW - 1, T = d->H * Wq;
  long plane = (long)Hq * Wq, HW = (long)d->H * d->W, P = (long)d->OH * d->OW;
  int cPanels = (Cg + MR - 1) / MR;
  long* off = scratch(&off_buf, &off_have, sizeof(long) * (size_t)KHW);
  for (int tap = 0; tap < KHW; tap++) {
    int kh = tap / d->KW, kw = tap % d->KW;
    off[tap] = (long)(d->KH - 1 - kh) * Wq + (d->KW - 1 - kw);
  }
  float* wq = scratch(&wpk_buf, &wpk_have, sizeof(float) * (size_t)cPanels * KHW * Mg * MR);
  float tile[8 * 32];
  for (int gi = 0; gi < d->G; gi++) {
    const float* wg = w + (long)gi * Mg * R;
    for (int cp = 0; cp < cPanels; cp++)
      for (int tap = 0; tap < KHW; tap++)
        for (int m = 0; m < Mg; m++)
          for (int r = 0; r < MR; r++) {
            int c = cp * MR + r;
            wq[(((long)cp * KHW + tap) * Mg + m) * MR + r] = c < Cg ? wg[(long)m * R + (long)c * KHW + tap] : 0.0f;
          }
    for (int n = 0; n < d->N; n++) {
      const float* ys = dy + ((long)n * d->M + (long)gi * Mg) * P;
      float* yp = padded(ys, Mg, d->OH, d->OW, Hq, Wq, d->KH - 1 - d->pt, d->KW - 1 - d->pl,
                         NR + (long)d->KH * Wq + d->KW);
      float* xo = dx + ((long)n * d->C + (long)gi * Cg) * HW;
      for (int cp = 0; cp < cPanels; cp++) {
        int c0 = cp * MR, h = Cg - c0 < MR ? Cg - c0 : MR;
        const float* ap = wq + (long)cp * KHW * Mg * MR;
        for (int t0 = 0; t0 < T; t0 += NR) {
          MK.bin(ap, yp + t0, plane, KHW, off, Mg, tile);
          store_grid(tile, h, NR, t0, T, Wq, d->W, d->W, HW, xo + (long)c0 * HW);
        }
      }
    }
  }
}

static _Thread_local void *tp_buf, *dyt_buf;
static _Thread_local size_t tp_have, dyt_have;

// dw_g (Mg×R) = Σ_n dy[n, g] · cols(x[n, g])ᵀ, as transposed tiles (taps × channels): the image is
// read on its padded grid, dyᵀ is packed once per image (P × Mg floats), and every block of KB
// pixels is a float32 sum added into float64, in the GEMM path's order.
static void conv_back_weight_direct(const float* x, const float* dy, float* dw, const ConvDims* d) {
  int VW = MK.VW, MW = MK.MW, NR = MK.NR, Cg = d->C / d->G, Mg = d->M / d->G, R = Cg * d->KH * d->KW;
  int Hp = d->OH + d->KH - 1, Wp = d->OW + d->KW - 1;
  long plane = (long)Hp * Wp, P = (long)d->OH * d->OW;
  int mPanels = (Mg + VW - 1) / VW, rTiles = (R + MW - 1) / MW;
  // Offsets for every tile row; rows past R repeat tap 0 and are dropped.
  long* off = scratch(&off_buf, &off_have, sizeof(long) * (size_t)rTiles * MW);
  for (int r = 0; r < rTiles * MW; r++) off[r] = tap_offset(d, r < R ? r : 0, plane, Wp);
  int* tp = scratch(&tp_buf, &tp_have, sizeof(int) * (size_t)P);
  for (long p = 0; p < P; p++) tp[p] = (int)((p / d->OW) * Wp + p % d->OW);
  float* bt = scratch(&dyt_buf, &dyt_have, sizeof(float) * (size_t)mPanels * P * VW);
  double* acc = scratch(&acc_buf, &acc_have, sizeof(double) * (size_t)Mg * R);
  float tile[16 * 16];
  for (int gi = 0; gi < d->G; gi++) {
    memset(acc, 0, sizeof(double) * (size_t)Mg * R);
    for (int n = 0; n < d->N; n++) {
      const float* xs = x + ((long)n * d->C + (long)gi * Cg) * d->H * d->W;
      float* xp = padded(xs, Cg, d->H, d->W, Hp, Wp, d->pt, d->pl, NR + (long)d->KH * Wp + d->KW);
      const float* ys = dy + ((long)n * d->M + (long)gi * Mg) * P;
      for (int mp = 0; mp < mPanels; mp++)
        for (long p = 0; p < P; p++)
          for (int l = 0; l < VW; l++) {
            int m = mp * VW + l;
            bt[((long)mp * P + p) * VW + l] = m < Mg ? ys[(long)m * P + p] : 0.0f;
          }
      for (long k0 = 0; k0 < P; k0 += KB) {
        int kb = P - k0 < KB ? (int)(P - k0) : KB;
        for (int mp = 0; mp < mPanels; mp++) {
          int lanes = Mg - mp * VW < VW ? Mg - mp * VW : VW;
          for (int rt = 0; rt < rTiles; rt++) {
            int rows = R - rt * MW < MW ? R - rt * MW : MW;
            MK.bw(xp, off + (long)rt * MW, tp + k0, bt + ((long)mp * P + k0) * VW, kb, tile);
            for (int r = 0; r < rows; r++)
              for (int l = 0; l < lanes; l++)
                acc[(long)(mp * VW + l) * R + rt * MW + r] += (double)tile[r * VW + l];
          }
        }
      }
    }
    float* out = dw + (long)gi * Mg * R;
    for (long t = 0; t < (long)Mg * R; t++) out[t] = (float)acc[t];
  }
}

// y[n, g] (Mg×P) = w_g (Mg×R) · cols(x[n, g]) (R×P)
static void conv_forward(const float* x, const float* w, float* y, const ConvDims* d) {
  if (direct_fits(d)) {
    conv_forward_direct(x, w, y, d);
    return;
  }
  Geom g = geom_of(d);
  int Mg = d->M / d->G, R = g.Cg * d->KH * d->KW, P = d->OH * d->OW;
  for (int n = 0; n < d->N; n++)
    for (int gi = 0; gi < d->G; gi++) {
      BSrc b = {B_COLS, x + ((long)n * d->C + (long)gi * g.Cg) * d->H * d->W, 0, &g};
      gemm_core(w + (long)gi * Mg * R, R, 0, &b, y + ((long)n * d->M + (long)gi * Mg) * P, P, Mg, P, R, 0, NULL);
    }
}

// The adjoint of im2col: dx[c][ih][iw] += cols[r][q].
static void col2im_add(const float* cols, float* dx, const Geom* g) {
  long P = (long)g->OH * g->OW;
  int R = g->Cg * g->KH * g->KW;
  for (int r = 0; r < R; r++) {
    int kw = r % g->KW, t = r / g->KW, kh = t % g->KH, c = t / g->KH;
    float* xc = dx + (long)c * g->H * g->W;
    const float* row = cols + r * P;
    for (int oh = 0; oh < g->OH; oh++) {
      int ih = oh * g->sh - g->pt + kh * g->dh;
      if (ih < 0 || ih >= g->H) continue;
      float* xr = xc + (long)ih * g->W;
      const float* o = row + (long)oh * g->OW;
      int off = kw * g->dw - g->pl, sw = g->sw;
      int lo = off < 0 ? (-off + sw - 1) / sw : 0;
      int hi = g->W - off > 0 ? (g->W - off + sw - 1) / sw : 0;
      if (hi > g->OW) hi = g->OW;
      float* dst = xr + off;
      if (sw == 1)
        for (int ow = lo; ow < hi; ow++) dst[ow] += o[ow];
      else
        for (int ow = lo; ow < hi; ow++) dst[(long)ow * sw] += o[ow];
    }
  }
}

// dx[n, g] = col2im(w_gᵀ (R×Mg) · dy[n, g] (Mg×P))
static void conv_back_input(const float* dy, const float* w, float* dx, const ConvDims* d) {
  if (back_input_direct_fits(d)) {
    conv_back_input_direct(dy, w, dx, d);
    return;
  }
  Geom g = geom_of(d);
  int Mg = d->M / d->G, R = g.Cg * d->KH * d->KW, P = d->OH * d->OW;
  float* cols = scratch(&cols_buf, &cols_have, sizeof(float) * (size_t)R * P);
  memset(dx, 0, sizeof(float) * (size_t)d->N * d->C * d->H * d->W);
  for (int n = 0; n < d->N; n++)
    for (int gi = 0; gi < d->G; gi++) {
      BSrc b = {B_PLAIN, dy + ((long)n * d->M + (long)gi * Mg) * P, P, NULL};
      gemm_core(w + (long)gi * Mg * R, R, 1, &b, cols, P, R, P, Mg, 0, NULL);
      col2im_add(cols, dx + ((long)n * d->C + (long)gi * g.Cg) * d->H * d->W, &g);
    }
}

// dw_g (Mg×R) = Σ_n dy[n, g] (Mg×P) · cols(x[n, g])ᵀ (P×R), summed in float64 over K blocks and images.
static void conv_back_weight(const float* x, const float* dy, float* dw, const ConvDims* d) {
  if (direct_fits(d)) {
    conv_back_weight_direct(x, dy, dw, d);
    return;
  }
  Geom g = geom_of(d);
  int Mg = d->M / d->G, R = g.Cg * d->KH * d->KW, P = d->OH * d->OW;
  double* acc = scratch(&acc_buf, &acc_have, sizeof(double) * (size_t)Mg * R);
  for (int gi = 0; gi < d->G; gi++) {
    memset(acc, 0, sizeof(double) * (size_t)Mg * R);
    for (int n = 0; n < d->N; n++) {
      BSrc b = {B_COLS_T, x + ((long)n * d->C + (long)gi * g.Cg) * d->H * d->W, 0, &g};
      gemm_core(dy + ((long)n * d->M + (long)gi * Mg) * P, P, 0, &b, NULL, R, Mg, R, P, 0, acc);
    }
    float* out = dw + (long)gi * Mg * R;
    for (long t = 0; t < (long)Mg * R; t++) out[t] = (float)acc[t];
  }
}

// ---- Node-API bindings ----------------------------------------------------------------------

// The data of a typed array of the wanted type (its element count in *len), or NULL with an error thrown.
static void* typed_arg(napi_env env, napi_value v, napi_typedarray_type want, size_t* len) {
  napi_typedarray_type type;
  void* data = NULL;
  napi_value ab;
  size_t off;
  if (napi_get_typedarray_info(env, v, &type, len, &data, &ab, &off) != napi_ok || type != want) {
    napi_throw_error(env, NULL,
                     want == napi_float64_array ? "saddle native kernels: expected a Float64Array"
                                                : "saddle native kernels: expected a Float32Array");
    return NULL;
  }
  return data;
}

static float* f32_arg(napi_env env, napi_value v, size_t* len) {
  return (float*)typed_arg(env, v, napi_float32_array, len);
}

static double* f64_arg(napi_env env, napi_value v, size_t* len) {
  return (double*)typed_arg(env, v, napi_float64_array, len);
}

static int int_args(napi_env env, napi_value* argv, int from, int count, int* out) {
  for (int i = 0; i < count; i++)
    if (napi_get_value_int32(env, argv[from + i], &out[i]) != napi_ok) {
      napi_throw_error(env, NULL, "saddle native kernels: expected an integer");
      return 0;
    }
  return 1;
}

// gemm(A, aOff, B, bOff, C, cOff, M, N, K, flags): flags 1 accumulate, 2 transpose A, 4 transpose B.
static napi_value js_gemm(napi_env env, napi_callback_info info) {
  size_t argc = 10;
  napi_value argv[10];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  size_t la, lb, lc;
  float* A = f32_arg(env, argv[0], &la);
  float* B = f32_arg(env, argv[2], &lb);
  float* C = f32_arg(env, argv[4], &lc);
  int iv[7];
  if (!A || !B || !C || !int_args(env, argv, 6, 4, iv + 3) || !int_args(env, argv, 1, 1, iv) ||
      !int_args(env, argv, 3, 1, iv + 1) || !int_args(env, argv, 5, 1, iv + 2))
    return NULL;
  int aOff = iv[0], bOff = iv[1], cOff = iv[2], M = iv[3], N = iv[4], K = iv[5], flags = iv[6];
  if ((size_t)aOff + (size_t)M * K > la || (size_t)bOff + (size_t)K * N > lb || (size_t)cOff + (size_t)M * N > lc) {
    napi_throw_error(env, NULL, "saddle native kernels: gemm operands are shorter than their shapes");
    return NULL;
  }
  int transA = (flags & 2) != 0, transB = (flags & 4) != 0;
  BSrc b = {transB ? B_TRANS : B_PLAIN, B + bOff, transB ? K : N, NULL};
  gemm_core(A + aOff, transA ? M : K, transA, &b, C + cOff, N, M, N, K, flags & 1, NULL);
  return NULL;
}

// conv(kind, a, b, out, N, C, H, W, M, KH, KW, OH, OW, G, sh, sw, pt, pl, dh, dw)
// kind 0: y = conv(x=a, w=b); 1: dx = convBackInput(dy=a, w=b); 2: dw = convBackWeight(x=a, dy=b).
static napi_value js_conv(napi_env env, napi_callback_info info) {
  size_t argc = 20;
  napi_value argv[20];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  int kind;
  ConvDims d;
  if (argc < 20 || !int_args(env, argv, 0, 1, &kind) || !int_args(env, argv, 4, 16, (int*)&d)) return NULL;
  size_t la, lb, lo;
  float* a = f32_arg(env, argv[1], &la);
  float* b = f32_arg(env, argv[2], &lb);
  float* out = f32_arg(env, argv[3], &lo);
  if (!a || !b || !out) return NULL;
  size_t xs = (size_t)d.N * d.C * d.H * d.W, ws = (size_t)d.M * (d.C / d.G) * d.KH * d.KW,
         ys = (size_t)d.N * d.M * d.OH * d.OW;
  size_t need[3][3] = {{xs, ws, ys}, {ys, ws, xs}, {xs, ys, ws}};
  if (kind < 0 || kind > 2 || d.G < 1 || d.C % d.G || d.M % d.G || la < need[kind][0] || lb < need[kind][1] ||
      lo < need[kind][2]) {
    napi_throw_error(env, NULL, "saddle native kernels: convolution operands do not match their shapes");
    return NULL;
  }
  if (kind == 0) conv_forward(a, b, out, &d);
  else if (kind == 1) conv_back_input(a, b, out, &d);
  else conv_back_weight(a, b, out, &d);
  return NULL;
}

// ---- elementwise ------------------------------------------------------------------------------
// The same arithmetic as the JavaScript kernels: a float32 add, subtract, multiply or divide rounds
// the exact result once, as float64 arithmetic followed by a float32 store does, so the values are
// identical; max/min/relu/step use the same comparisons (NaN included).

#define BIN_LOOPS(OPEXPR)                                                                 \
  if (layout == 0) {                                                                      \
    for (long i = 0; i < inner; i++) { float x = a[i], y = b[i]; out[i] = OPEXPR; }       \
  } else {                                                                                \
    long o = 0;                                                                           \
    for (long p = 0; p < outer; p++)                                                      \
      for (long m = 0; m < mid; m++, o += inner) {                                        \
        if (layout == 1) {                                                                \
          float y = b[m];                                                                 \
          for (long i = 0; i < inner; i++) { float x = a[o + i]; out[o + i] = OPEXPR; }   \
        } else {                                                                          \
          float x = a[m];                                                                 \
          for (long i = 0; i < inner; i++) { float y = b[o + i]; out[o + i] = OPEXPR; }   \
        }                                                                                 \
      }                                                                                   \
  }

// layout 0: same shapes (inner values); 1: b holds one value per (mid) block of a's [outer, mid,
// inner] layout; 2: the same with a and b swapped.
static void binary_kernel(int op, const float* a, const float* b, float* out, long outer, long mid, long inner,
                          int layout) {
  switch (op) {
    case 0: BIN_LOOPS(x + y) break;
    case 1: BIN_LOOPS(x - y) break;
    case 2: BIN_LOOPS(x * y) break;
    case 3: BIN_LOOPS(x / y) break;
    case 4: BIN_LOOPS(x >= y ? x : y) break;
    default: BIN_LOOPS(x <= y ? x : y) break;
  }
}

// binary(op, a, b, out, outer, mid, inner, layout)
static napi_value js_binary(napi_env env, napi_callback_info info) {
  size_t argc = 8;
  napi_value argv[8];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  int op, dims[4];
  if (argc < 8 || !int_args(env, argv, 0, 1, &op) || !int_args(env, argv, 4, 4, dims)) return NULL;
  size_t la, lb, lo;
  float* a = f32_arg(env, argv[1], &la);
  float* b = f32_arg(env, argv[2], &lb);
  float* out = f32_arg(env, argv[3], &lo);
  if (!a || !b || !out) return NULL;
  long outer = dims[0], mid = dims[1], inner = dims[2];
  int layout = dims[3];
  size_t full = layout == 0 ? (size_t)inner : (size_t)(outer * mid * inner);
  size_t small = layout == 0 ? full : (size_t)mid;
  if (op < 0 || op > 5 || lo < full || (layout == 2 ? la : lb) < small || (layout == 2 ? lb : la) < full) {
    napi_throw_error(env, NULL, "saddle native kernels: elementwise operands do not match their shapes");
    return NULL;
  }
  binary_kernel(op, a, b, out, outer, mid, inner, layout);
  return NULL;
}

// unary(op, x, out): 0 relu, 1 step, 2 neg.
// erf as the JavaScript kernel computes it (src/engine/cpu/elementwise.ts): a Taylor polynomial
// of `terms` coefficients around the nearest point of a grid of step 1/grid on [0, max), evaluated
// by Horner in float64 from the same table (passed in), then rounded to float32. No FMA contraction
// (each product and sum rounds as JavaScript's do), so the values are identical.
#if defined(__GNUC__) && !defined(__clang__)
__attribute__((optimize("fp-contract=off")))
#endif
static void erf_kernel(const float* x, float* out, long n, const double* table, int grid, int max, int terms) {
#if defined(__clang__)
#pragma clang fp contract(off)
#endif
  for (long i = 0; i < n; i++) {
    double v = x[i], ax = v < 0 ? -v : v;
    if (!(ax < max)) {
      out[i] = v != v ? x[i] : v < 0 ? -1.0f : 1.0f;
      continue;
    }
    // Math.round for a non-negative value: half up.
    double g = ax * grid, f = (double)(long)g;
    double p = g - f >= 0.5 ? f + 1 : f;
    double d = ax - p / grid;
    const double* t = table + (long)p * terms;
    double y = t[terms - 1];
    for (int k = terms - 2; k >= 0; k--) y = y * d + t[k];
    out[i] = (float)(v < 0 ? -y : y);
  }
}

// erf(x, out, table, grid, max, terms)
static napi_value js_erf(napi_env env, napi_callback_info info) {
  size_t argc = 6;
  napi_value argv[6];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  int dims[3];
  if (argc < 6 || !int_args(env, argv, 3, 3, dims)) return NULL;
  size_t lx, lo, lt;
  float* x = f32_arg(env, argv[0], &lx);
  float* out = f32_arg(env, argv[1], &lo);
  double* table = f64_arg(env, argv[2], &lt);
  if (!x || !out || !table) return NULL;
  if (dims[0] < 1 || dims[1] < 1 || dims[2] < 1 || lt < (size_t)(dims[0] * dims[1] + 1) * dims[2]) {
    napi_throw_error(env, NULL, "saddle native kernels: the erf table does not match its grid");
    return NULL;
  }
  erf_kernel(x, out, (long)(lo < lx ? lo : lx), table, dims[0], dims[1], dims[2]);
  return NULL;
}

static napi_value js_unary(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  int op;
  if (argc < 3 || !int_args(env, argv, 0, 1, &op)) return NULL;
  size_t lx, lo;
  float* x = f32_arg(env, argv[1], &lx);
  float* out = f32_arg(env, argv[2], &lo);
  if (!x || !out) return NULL;
  long n = (long)(lo < lx ? lo : lx);
  if (op == 0)
    for (long i = 0; i < n; i++) out[i] = x[i] > 0 ? x[i] : 0.0f;
  else if (op == 1)
    for (long i = 0; i < n; i++) out[i] = x[i] > 0 ? 1.0f : 0.0f;
  else
    for (long i = 0; i < n; i++) out[i] = -x[i];
  return NULL;
}

// sumBlocks(x, out, outer, mid, inner): out[m] = Σ_p Σ_i x[p][m][i], in float64 (per-channel sums).
static napi_value js_sum_blocks(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  int dims[3];
  if (argc < 5 || !int_args(env, argv, 2, 3, dims)) return NULL;
  size_t lx, lo;
  float* x = f32_arg(env, argv[0], &lx);
  float* out = f32_arg(env, argv[1], &lo);
  if (!x || !out) return NULL;
  long outer = dims[0], mid = dims[1], inner = dims[2];
  if (lx < (size_t)(outer * mid * inner) || lo < (size_t)mid) {
    napi_throw_error(env, NULL, "saddle native kernels: sum operands do not match their shapes");
    return NULL;
  }
  double* acc = scratch(&acc_buf, &acc_have, sizeof(double) * (size_t)mid);
  memset(acc, 0, sizeof(double) * (size_t)mid);
  const float* p = x;
  for (long o = 0; o < outer; o++)
    for (long m = 0; m < mid; m++, p += inner) {
      double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      long i = 0;
      for (; i + 4 <= inner; i += 4) {
        s0 += p[i];
        s1 += p[i + 1];
        s2 += p[i + 2];
        s3 += p[i + 3];
      }
      for (; i < inner; i++) s0 += p[i];
      acc[m] += (s0 + s1) + (s2 + s3);
    }
  for (long m = 0; m < mid; m++) out[m] = (float)acc[m];
  return NULL;
}

// directConv(on): use the direct convolutions where they apply (the default), or the GEMM path
// everywhere; tests compare the two.
static napi_value js_direct_conv(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  int on = 1;
  if (argc >= 1 && !int_args(env, argv, 0, 1, &on)) return NULL;
  DIRECT_ON = on != 0;
  return NULL;
}

// isa(): the vector width in use; isa(name): switch to that width if this CPU has it ("avx512",
// "avx2", "baseline"), else keep the current one. Returns the width in use.
static napi_value js_isa(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc >= 1) {
    char name[16] = {0};
    size_t len = 0;
    if (napi_get_value_string_utf8(env, argv[0], name, sizeof name, &len) != napi_ok) {
      napi_throw_error(env, NULL, "saddle native kernels: isa() takes a name");
      return NULL;
    }
    Micro m;
    if (micro_named(name, &m)) MK = m;
  }
  napi_value s;
  napi_create_string_utf8(env, MK.name, NAPI_AUTO_LENGTH, &s);
  return s;
}

__attribute__((visibility("default"))) napi_value napi_register_module_v1(napi_env env, napi_value exports) {
  MK = pick_micro();
  const char* names[8] = {"gemm", "conv", "binary", "unary", "sumBlocks", "isa", "directConv", "erf"};
  napi_callback fns[8] = {js_gemm, js_conv, js_binary, js_unary, js_sum_blocks, js_isa, js_direct_conv, js_erf};
  for (int i = 0; i < 8; i++) {
    napi_value f;
    napi_create_function(env, names[i], NAPI_AUTO_LENGTH, fns[i], NULL, &f);
    napi_set_named_property(env, exports, names[i], f);
  }
  return exports;
}
