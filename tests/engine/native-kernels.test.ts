/**
 * The optional native kernels (native/kernels.c, built by `npm ci` where a C compiler exists)
 * against the float64 reference kernels on the same float32 inputs: GEMM with every transpose and
 * accumulate flag, K past one block, and convolutions with groups, strides, pads and dilations in
 * all three directions (forward, input adjoint, weight adjoint), at every vector width the CPU has;
 * and the direct stride-1 convolutions equal to the GEMM path to the bit. Without a compiler the engine runs
 * its WebAssembly kernels and this file is skipped locally; CI installs one, so there it must run.
 */
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { conv2d, conv2dBackInput, conv2dBackWeight } from '../../src/engine/cpu/conv';
import { binary, unary } from '../../src/engine/cpu/elementwise';
import { gemmJs, transposeBlock } from '../../src/engine/cpu/gemm';
import { nativeKernels, useNativeKernels } from '../../src/engine/cpu/native';
import { reduce } from '../../src/engine/cpu/reduce';
import { convOutSize } from '../../src/engine/graph';
import type { ConvGeom } from '../../src/engine/ir';
import { loadNativeKernels } from '../../src/evaluator/native';
import { ROOT, requireSystemPath } from '../helpers';
import { rng } from './derivatives';

const built = requireSystemPath(join(ROOT, 'native', 'build', 'saddle_kernels.node'), 'The native kernels addon');
const isa = built ? loadNativeKernels() : null;
const native = nativeKernels();
afterAll(() => useNativeKernels(native));

const random = (n: number, r: () => number) => Float32Array.from({ length: n }, () => r() * 2 - 1);
const relErr = (got: ArrayLike<number>, want: ArrayLike<number>) => {
  let num = 0;
  let den = 0;
  for (let i = 0; i < want.length; i++) {
    num += (got[i] - want[i]) ** 2;
    den += want[i] ** 2;
  }
  return Math.sqrt(num / den);
};

/** The vector widths this CPU runs, best first. */
const widths = ['avx512', 'avx2', 'baseline'].filter((name) => {
  const ok = native?.isa(name) === name;
  native?.isa(isa ?? 'baseline');
  return ok;
});

describe.runIf(built)('native kernels', () => {
  it('loaded with a vector ISA', () => {
    expect(['avx512', 'avx2', 'baseline']).toContain(isa);
  });

  it.each([
    [16, 1024, 144],
    [7, 13, 300],
    [33, 65, 1025],
    [1, 1, 1],
    [9, 40, 256],
  ])('GEMM %i×%i×%i matches the float64 reference for every flag and vector width', (M, N, K) => {
    const r = rng(M * 7 + N + K);
    for (const [width, flags] of widths.flatMap((wd) => [0, 1, 2, 3, 4, 5, 6, 7].map((f) => [wd, f] as const))) {
      native?.isa(width);
      const [acc, tA, tB] = [flags & 1, flags & 2, flags & 4];
      const A = random(M * K, r);
      const B = random(K * N, r);
      const C0 = random(M * N, r);
      const got = Float32Array.from(C0);
      native?.gemm(A, 0, B, 0, got, 0, M, N, K, flags);
      // The reference in float64, with the transposed operands laid out plainly first.
      const a = new Float64Array(M * K);
      const b = new Float64Array(K * N);
      if (tA) transposeBlock(A, 0, K, M, a);
      else a.set(A);
      if (tB) transposeBlock(B, 0, N, K, b);
      else b.set(B);
      const want = Float64Array.from(C0);
      gemmJs(a, 0, b, 0, want, 0, M, N, K, acc === 1);
      expect(relErr(got, want), `${width} flags ${flags}`).toBeLessThan(2e-6);
    }
    native?.isa(isa ?? 'baseline');
  });

  it('elementwise ops and per-channel sums equal the JavaScript kernels', () => {
    // Large enough (≥ 512 values) that the native kernels take them.
    const r = rng(5);
    const full = [3, 4, 8, 16];
    const x = random(1536, r);
    x[7] = Number.NaN;
    x[8] = 0;
    const shapes = [full, [1, 4, 1, 1], [4, 8, 16], [1], [3, 4, 1, 1], [16]];
    const run = (on: boolean, f: () => Float32Array) => {
      useNativeKernels(on ? native : null);
      try {
        return f();
      } finally {
        useNativeKernels(native);
      }
    };
    for (const op of ['add', 'sub', 'mul', 'div', 'max', 'min']) {
      for (const s of shapes) {
        const y = random(
          s.reduce((a, b) => a * b, 1),
          r,
        );
        for (const [a, as, b, bs] of [
          [x, full, y, s],
          [y, s, x, full],
        ] as const) {
          const out = () => {
            const o = new Float32Array(1536);
            binary(op, a, as, b, bs, o, full);
            return o;
          };
          expect(run(true, out), `${op} ${as} ${bs}`).toEqual(run(false, out));
        }
      }
    }
    for (const op of ['relu', 'step', 'neg']) {
      const out = () => {
        const o = new Float32Array(1536);
        unary(op, x, o);
        return o;
      };
      expect(run(true, out), op).toEqual(run(false, out));
    }
    const finite = x.map((v) => (Number.isNaN(v) ? 0.5 : v));
    const sums = () => {
      const o = new Float32Array(4);
      reduce('sum', finite, full, [0, 2, 3], o);
      return o;
    };
    expect(relErr(run(true, sums), run(false, sums))).toBeLessThan(1e-7);
  });

  it('erf (GELU) equals the JavaScript kernel to the bit', () => {
    const r = rng(17);
    const special = [0, -0, Number.NaN, Infinity, -Infinity, 6, -6, 5.999999, 1e-30, -1e-30, 3.4e38];
    // Grid midpoints, where Math.round's half-up rule decides the expansion point.
    const halves = Array.from({ length: 384 }, (_v, k) => (k - 192 + 0.5) / 32);
    const x = Float32Array.from([...special, ...halves, ...Array.from({ length: 200_000 }, () => (r() * 2 - 1) * 7)]);
    const run = (on: boolean) => {
      useNativeKernels(on ? native : null);
      try {
        const out = new Float32Array(x.length).fill(0.5);
        unary('erf', x, out);
        return out;
      } finally {
        useNativeKernels(native);
      }
    };
    expect(typeof native?.erf).toBe('function');
    const [got, want] = [run(true), run(false)];
    expect(got).toEqual(want);
    expect(Array.from(got.subarray(0, 5))).toEqual([0, 0, Number.NaN, 1, -1]);
  });

  const geoms: Array<[string, number[], number[], Partial<ConvGeom>]> = [
    ['3×3 pad 1', [4, 16, 12, 12], [16, 16, 3, 3], { pads: [1, 1, 1, 1] }],
    ['stride 2, uneven pads', [3, 6, 11, 9], [8, 6, 3, 3], { strides: [2, 2], pads: [1, 0, 2, 1] }],
    ['groups 2, dilation 2', [2, 6, 10, 10], [4, 3, 3, 3], { group: 2, dilations: [2, 2], pads: [2, 2, 2, 2] }],
    ['1×1 stride 2', [5, 8, 9, 9], [12, 8, 1, 1], { strides: [2, 2] }],
    ['depthwise 5×3', [2, 4, 9, 13], [4, 1, 5, 3], { group: 4, pads: [2, 1, 2, 1], strides: [1, 2] }],
  ];
  it.each(geoms)('convolution, %s: forward and both adjoints match the float64 reference', (_n, xs, ws, o) => {
    const geom: ConvGeom = { strides: [1, 1], pads: [0, 0, 0, 0], dilations: [1, 1], group: 1, ...o };
    const ys = [
      xs[0],
      ws[0],
      convOutSize(xs[2], ws[2], geom.strides[0], geom.pads[0], geom.pads[2], geom.dilations[0]),
      convOutSize(xs[3], ws[3], geom.strides[1], geom.pads[1], geom.pads[3], geom.dilations[1]),
    ];
    const n = (s: number[]) => s.reduce((a, b) => a * b, 1);
    const r = rng(n(xs) + n(ws));
    const [x, w, dy] = [random(n(xs), r), random(n(ws), r), random(n(ys), r)];
    const f64 = (a: Float32Array) => Float64Array.from(a);
    const cases: Array<[string, (out: Float32Array | Float64Array, d: boolean) => void, number[]]> = [
      ['forward', (out, d) => conv2d(d ? f64(x) : x, xs, d ? f64(w) : w, ws, out, ys, geom), ys],
      ['input adjoint', (out, d) => conv2dBackInput(d ? f64(dy) : dy, ys, d ? f64(w) : w, ws, out, xs, geom), xs],
      ['weight adjoint', (out, d) => conv2dBackWeight(d ? f64(x) : x, xs, d ? f64(dy) : dy, ys, out, ws, geom), ws],
    ];
    for (const [what, run, shape] of cases) {
      const got = new Float32Array(n(shape)).fill(Number.NaN);
      run(got, false);
      const want = new Float64Array(n(shape));
      run(want, true);
      expect(relErr(got, want), what).toBeLessThan(2e-6);
    }
  });

  // Stride-1 convolutions and weight adjoints skip the column matrix (direct tiles on a zero-padded grid) yet must give
  // the GEMM path's numbers to the bit: the same products, in the same order and K blocks.
  const direct: Array<[string, number[], number[], Partial<ConvGeom>]> = [
    ['3×3 pad 1, 16 channels', [3, 16, 12, 12], [16, 16, 3, 3], { pads: [1, 1, 1, 1] }],
    ['3×3 pad 1, K past one block', [2, 40, 7, 9], [20, 40, 3, 3], { pads: [1, 1, 1, 1] }],
    ['5×3 uneven pads, groups 2', [2, 6, 9, 13], [4, 3, 5, 3], { group: 2, pads: [2, 0, 1, 2] }],
    ['1×1 no pad', [4, 8, 5, 5], [12, 8, 1, 1], {}],
    ['3×3 no pad, 300 output channels', [1, 3, 6, 6], [300, 3, 3, 3], {}],
    ['depthwise 3×3 pad 1', [2, 5, 8, 8], [5, 1, 3, 3], { group: 5, pads: [1, 1, 1, 1] }],
  ];
  it.each(direct)('direct convolution, %s: the GEMM path to the bit', (_n, xs, ws, o) => {
    const geom: ConvGeom = { strides: [1, 1], pads: [0, 0, 0, 0], dilations: [1, 1], group: 1, ...o };
    const ys = [
      xs[0],
      ws[0],
      convOutSize(xs[2], ws[2], 1, geom.pads[0], geom.pads[2], 1),
      convOutSize(xs[3], ws[3], 1, geom.pads[1], geom.pads[3], 1),
    ];
    const n = (s: number[]) => s.reduce((a, b) => a * b, 1);
    const r = rng(n(xs) * 3 + n(ws));
    const [x, w, dy] = [random(n(xs), r), random(n(ws), r), random(n(ys), r)];
    expect(typeof native?.directConv).toBe('function');
    const both = (run: (out: Float32Array) => void, size: number) =>
      [1, 0].map((on) => {
        native?.directConv?.(on);
        const out = new Float32Array(size).fill(Number.NaN);
        run(out);
        return out;
      });
    const f64 = (a: Float32Array) => Float64Array.from(a);
    // Every vector width this CPU has, so a machine without AVX-512 runs tested kernels too.
    try {
      for (const width of widths) {
        expect(native?.isa(width)).toBe(width);
        const [fd, fg] = both((out) => conv2d(x, xs, w, ws, out, ys, geom), n(ys));
        expect(fd, width).toEqual(fg);
        const [bd, bg] = both((out) => conv2dBackInput(dy, ys, w, ws, out, xs, geom), n(xs));
        expect(bd, width).toEqual(bg);
        const [wd, wg] = both((out) => conv2dBackWeight(x, xs, dy, ys, out, ws, geom), n(ws));
        expect(wd, width).toEqual(wg);
        expect([fd, bd, wd].some((a) => a.some(Number.isNaN))).toBe(false);
        const want = new Float64Array(n(ys));
        conv2d(f64(x), xs, f64(w), ws, want, ys, geom);
        expect(relErr(fd, want), `${width} forward`).toBeLessThan(2e-6);
      }
    } finally {
      native?.directConv?.(1);
      native?.isa(isa ?? 'baseline');
    }
  });
});
