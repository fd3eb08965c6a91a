/** Elementwise kernels with NumPy broadcasting. JS arithmetic is float64; storage decides rounding. */
import type { Buf } from '../ir';
import { blockPattern, broadcastStrides, type Shape, sameShape, size } from '../shape';
import { nativeKernels } from './native';

const NATIVE_BINARY: Record<string, number> = { add: 0, sub: 1, mul: 2, div: 3, max: 4, min: 5 };
/** Below this many values a call into the addon costs more than the JavaScript loop. */
const NATIVE_MIN = 512;
const NATIVE_UNARY: Record<string, number> = { relu: 0, step: 1, neg: 2 };

const SQRT_2_PI = 2 / Math.sqrt(Math.PI);

/** erf by Abramowitz-Stegun 7.1.26 is only 1e-7 accurate; this series/continued-fraction pair is ~1e-15. */
export function erfReference(x: number): number {
  const ax = Math.abs(x);
  if (ax < 2.5) {
    // Taylor series: erf(x) = 2/sqrt(pi) * sum (-1)^n x^(2n+1) / (n! (2n+1))
    let term = ax;
    let sum = ax;
    const x2 = ax * ax;
    for (let n = 1; n < 60; n++) {
      term *= -x2 / n;
      const add = term / (2 * n + 1);
      sum += add;
      if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
    }
    return Math.sign(x) * SQRT_2_PI * sum;
  }
  // erfc continued fraction (Lentz) for |x| >= 2.5.
  const x2 = ax * ax;
  let f = ax;
  let c = ax;
  let d = 0;
  for (let n = 1; n < 200; n++) {
    const an = n / 2;
    d = ax + an * d;
    d = d === 0 ? 1e-300 : 1 / d;
    c = ax + an / c;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  const erfc = Math.exp(-x2) / (f * Math.sqrt(Math.PI));
  return Math.sign(x) * (1 - erfc);
}

/**
 * erf for the kernels: a Taylor expansion of ERF_TERMS terms around the nearest point of a grid of
 * step 1/ERF_GRID on [0, ERF_MAX], with the coefficients erf⁽ᵏ⁾(x₀)/k! from erfReference and the
 * Hermite recurrence (erf⁽ᵏ⁺¹⁾(x) = (2/√π)(−1)ᵏ Hₖ(x) e^(−x²)). |h| ≤ 1/(2·ERF_GRID) keeps the
 * truncation below 1e-17; it matches erfReference to ~1e-14 (that function's own accuracy) at twice its speed (GELU).
 */
const ERF_GRID = 32;
const ERF_MAX = 6;
const ERF_TERMS = 9;
const erfTable = (() => {
  const points = ERF_MAX * ERF_GRID + 1;
  const t = new Float64Array(points * ERF_TERMS);
  const h = new Float64Array(ERF_TERMS);
  for (let p = 0; p < points; p++) {
    const x0 = p / ERF_GRID;
    const e = SQRT_2_PI * Math.exp(-x0 * x0);
    // Hermite polynomials H_0..H_{TERMS-2} at x0.
    h[0] = 1;
    h[1] = 2 * x0;
    for (let n = 1; n + 1 < ERF_TERMS; n++) h[n + 1] = 2 * x0 * h[n] - 2 * n * h[n - 1];
    t[p * ERF_TERMS] = erfReference(x0);
    let fact = 1;
    for (let k = 1; k < ERF_TERMS; k++) {
      fact *= k;
      t[p * ERF_TERMS + k] = (((k - 1) % 2 === 0 ? 1 : -1) * h[k - 1] * e) / fact;
    }
  }
  return t;
})();

export function erf(x: number): number {
  const ax = Math.abs(x);
  if (!(ax < ERF_MAX)) return Number.isNaN(x) ? x : Math.sign(x);
  const p = Math.round(ax * ERF_GRID);
  const d = ax - p / ERF_GRID;
  const base = p * ERF_TERMS;
  let y = erfTable[base + ERF_TERMS - 1];
  for (let k = ERF_TERMS - 2; k >= 0; k--) y = y * d + erfTable[base + k];
  return x < 0 ? -y : y;
}

export const unaryFns: Record<string, (x: number) => number> = {
  neg: (x) => -x,
  exp: Math.exp,
  log: Math.log,
  sqrt: Math.sqrt,
  tanh: Math.tanh,
  sigmoid: (x) => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x))),
  erf,
  abs: Math.abs,
  relu: (x) => (x > 0 ? x : 0),
  sin: Math.sin,
  cos: Math.cos,
  step: (x) => (x > 0 ? 1 : 0),
  sign: Math.sign,
  floor: Math.floor,
  ceil: Math.ceil,
  // ONNX Round: half to even.
  round: (x) => {
    const r = Math.round(x);
    return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
  },
  isnan: (x) => (Number.isNaN(x) ? 1 : 0),
  detach: (x) => x,
};

export const binaryFns: Record<string, (a: number, b: number) => number> = {
  add: (a, b) => a + b,
  sub: (a, b) => a - b,
  mul: (a, b) => a * b,
  div: (a, b) => a / b,
  pow: (a, b) => a ** b,
  max: (a, b) => (a >= b ? a : b),
  min: (a, b) => (a <= b ? a : b),
  gt: (a, b) => (a > b ? 1 : 0),
  ge: (a, b) => (a >= b ? 1 : 0),
  lt: (a, b) => (a < b ? 1 : 0),
  le: (a, b) => (a <= b ? 1 : 0),
  eq: (a, b) => (a === b ? 1 : 0),
  and: (a, b) => (a && b ? 1 : 0),
  or: (a, b) => (a || b ? 1 : 0),
  mod: (a, b) => a - b * Math.floor(a / b),
};

export function unary(op: string, x: Buf, out: Buf): void {
  const native = nativeKernels();
  if (
    native &&
    out.length >= NATIVE_MIN &&
    op in NATIVE_UNARY &&
    x instanceof Float32Array &&
    out instanceof Float32Array
  ) {
    native.unary(NATIVE_UNARY[op], x, out);
    return;
  }
  const f = unaryFns[op];
  const n = out.length;
  if (op === 'relu') {
    for (let i = 0; i < n; i++) out[i] = x[i] > 0 ? x[i] : 0;
    return;
  }
  if (op === 'erf') {
    if (native?.erf && n >= NATIVE_MIN && x instanceof Float32Array && out instanceof Float32Array) {
      native.erf(x, out, erfTable, ERF_GRID, ERF_MAX, ERF_TERMS);
      return;
    }
    for (let i = 0; i < n; i++) out[i] = erf(x[i]);
    return;
  }
  for (let i = 0; i < n; i++) out[i] = f(x[i]);
}

/** Walk the output with an odometer, yielding the flat input offsets for each broadcast input. */
function broadcastLoop(outShape: Shape, inShapes: Shape[], body: (o: number, offs: number[]) => void): void {
  const rank = outShape.length;
  const strides = inShapes.map((s) => broadcastStrides(s, outShape));
  const n = size(outShape);
  const idx = new Array<number>(rank).fill(0);
  const offs = new Array<number>(inShapes.length).fill(0);
  for (let o = 0; o < n; o++) {
    body(o, offs);
    for (let d = rank - 1; d >= 0; d--) {
      idx[d]++;
      for (let k = 0; k < offs.length; k++) offs[k] += strides[k][d];
      if (idx[d] < outShape[d]) break;
      for (let k = 0; k < offs.length; k++) offs[k] -= strides[k][d] * outShape[d];
      idx[d] = 0;
    }
  }
}

/** The native kernel's layout for this broadcast, when it has one: [outer, mid, inner, layout]. */
function nativeLayout(a: Buf, aShape: Shape, b: Buf, bShape: Shape, outShape: Shape): number[] | null {
  const n = size(outShape);
  if (sameShape(aShape, bShape)) return [1, 1, n, 0];
  if (b.length === 1 && a.length === n) return [1, 1, n, 1];
  if (a.length === 1 && b.length === n) return [1, 1, n, 2];
  const full = sameShape(aShape, outShape) ? 1 : sameShape(bShape, outShape) ? 2 : 0;
  if (!full) return null;
  const block = blockPattern(full === 1 ? bShape : aShape, outShape);
  return block ? [...block, full] : null;
}

export function binary(op: string, a: Buf, aShape: Shape, b: Buf, bShape: Shape, out: Buf, outShape: Shape): void {
  const native = nativeKernels();
  if (
    native &&
    out.length >= NATIVE_MIN &&
    op in NATIVE_BINARY &&
    a instanceof Float32Array &&
    b instanceof Float32Array &&
    out instanceof Float32Array
  ) {
    const layout = nativeLayout(a, aShape, b, bShape, outShape);
    if (layout) {
      native.binary(NATIVE_BINARY[op], a, b, out, layout[0], layout[1], layout[2], layout[3]);
      return;
    }
  }
  const f = binaryFns[op];
  const n = out.length;
  if (sameShape(aShape, bShape)) {
    if (op === 'add') for (let i = 0; i < n; i++) out[i] = a[i] + b[i];
    else if (op === 'mul') for (let i = 0; i < n; i++) out[i] = a[i] * b[i];
    else if (op === 'sub') for (let i = 0; i < n; i++) out[i] = a[i] - b[i];
    else for (let i = 0; i < n; i++) out[i] = f(a[i], b[i]);
    return;
  }
  if (b.length === 1) {
    const bv = b[0];
    if (op === 'mul') for (let i = 0; i < n; i++) out[i] = a[i] * bv;
    else if (op === 'add') for (let i = 0; i < n; i++) out[i] = a[i] + bv;
    else for (let i = 0; i < n; i++) out[i] = f(a[i], bv);
    return;
  }
  if (a.length === 1) {
    const av = a[0];
    for (let i = 0; i < n; i++) out[i] = f(av, b[i]);
    return;
  }
  if (innerBroadcast(op, f, a, aShape, b, bShape, out, outShape)) return;
  broadcastLoop(outShape, [aShape, bShape], (o, offs) => {
    out[o] = f(a[offs[0]], b[offs[1]]);
  });
}

/**
 * Fast path for the common per-channel case: one operand has the full output shape and the other
 * is one block of axes repeated over the rest (e.g. [N,C,H,W] with [1,C,1,1]; see blockPattern).
 */
function innerBroadcast(
  op: string,
  f: (a: number, b: number) => number,
  a: Buf,
  aShape: Shape,
  b: Buf,
  bShape: Shape,
  out: Buf,
  outShape: Shape,
): boolean {
  const full = sameShape(aShape, outShape) ? 'a' : sameShape(bShape, outShape) ? 'b' : null;
  if (!full) return false;
  const block = blockPattern(full === 'a' ? bShape : aShape, outShape);
  if (!block) return false;
  const [outer, mid, inner] = block;
  const fullBuf = full === 'a' ? a : b;
  const smallBuf = full === 'a' ? b : a;
  let o = 0;
  for (let p = 0; p < outer; p++) {
    for (let m = 0; m < mid; m++) {
      const s = smallBuf[m];
      if (full === 'a') {
        if (op === 'mul') for (let i = 0; i < inner; i++, o++) out[o] = fullBuf[o] * s;
        else if (op === 'add') for (let i = 0; i < inner; i++, o++) out[o] = fullBuf[o] + s;
        else if (op === 'sub') for (let i = 0; i < inner; i++, o++) out[o] = fullBuf[o] - s;
        else for (let i = 0; i < inner; i++, o++) out[o] = f(fullBuf[o], s);
      } else {
        for (let i = 0; i < inner; i++, o++) out[o] = f(s, fullBuf[o]);
      }
    }
  }
  return true;
}

export function where(
  c: Buf,
  cShape: Shape,
  a: Buf,
  aShape: Shape,
  b: Buf,
  bShape: Shape,
  out: Buf,
  outShape: Shape,
): void {
  // Fast path: a per-block condition (an attention mask over the batch) choosing between values
  // that are each a scalar or of the full output shape.
  const n = size(outShape);
  const block = blockPattern(cShape, outShape);
  const aFull = a.length === n && sameShape(aShape, outShape);
  const bFull = b.length === n && sameShape(bShape, outShape);
  if (block && (aFull || a.length === 1) && (bFull || b.length === 1)) {
    const [outer, mid, inner] = block;
    const [a0, b0] = [a[0], b[0]];
    let o = 0;
    for (let p = 0; p < outer; p++) {
      for (let m = 0; m < mid; m++) {
        const cm = c[m];
        for (let i = 0; i < inner; i++, o++) out[o] = cm ? (aFull ? a[o] : a0) : bFull ? b[o] : b0;
      }
    }
    return;
  }
  broadcastLoop(outShape, [cShape, aShape, bShape], (o, offs) => {
    out[o] = c[offs[0]] ? a[offs[1]] : b[offs[2]];
  });
}

/** Broadcast `x` to `outShape`. */
export function expand(x: Buf, xShape: Shape, out: Buf, outShape: Shape): void {
  if (x.length === 1) {
    out.fill(x[0]);
    return;
  }
  const block = blockPattern(xShape, outShape);
  if (block) {
    const [outer, mid, inner] = block;
    if (inner === 1) {
      // x is one row repeated (a bias over the batch): copy it whole.
      for (let p = 0; p < outer; p++) out.set(x.subarray(0, mid), p * mid);
      return;
    }
    let o = 0;
    if (inner < 16) {
      for (let p = 0; p < outer; p++) {
        for (let m = 0; m < mid; m++) {
          const v = x[m];
          for (let i = 0; i < inner; i++) out[o++] = v;
        }
      }
      return;
    }
    for (let p = 0; p < outer; p++) {
      for (let m = 0; m < mid; m++) {
        out.fill(x[m], o, o + inner);
        o += inner;
      }
    }
    return;
  }
  broadcastLoop(outShape, [xShape], (o, offs) => {
    out[o] = x[offs[0]];
  });
}
