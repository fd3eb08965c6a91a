/** Reductions over axes (kept as size 1), accumulated in float64. */
import type { Buf } from '../ir';
import { blockPattern, type Shape, size, stridesOf } from '../shape';
import { nativeKernels } from './native';

/** Split the input shape into (outer, reduced, inner) when the reduced axes are contiguous. */
function contiguous(shape: Shape, axes: number[]): [number, number, number] | null {
  const sorted = [...axes].sort((a, b) => a - b);
  for (let i = 1; i < sorted.length; i++) if (sorted[i] !== sorted[i - 1] + 1) return null;
  const first = sorted[0];
  const last = sorted[sorted.length - 1];
  return [size(shape.slice(0, first)), size(shape.slice(first, last + 1)), size(shape.slice(last + 1))];
}

export function reduce(kind: 'sum' | 'max', x: Buf, shape: Shape, axes: number[], out: Buf): void {
  if (axes.length === 0) {
    out.set(x);
    return;
  }
  if (kind === 'sum' && keptBlock(shape, axes, x, out)) return;
  const split = contiguous(shape, axes);
  if (split) {
    const [outer, red, inner] = split;
    const acc = new Float64Array(inner);
    for (let o = 0; o < outer; o++) {
      const base = o * red * inner;
      if (kind === 'sum') {
        acc.fill(0);
        for (let r = 0; r < red; r++) {
          const off = base + r * inner;
          for (let i = 0; i < inner; i++) acc[i] += x[off + i];
        }
      } else {
        acc.fill(Number.NEGATIVE_INFINITY);
        for (let r = 0; r < red; r++) {
          const off = base + r * inner;
          for (let i = 0; i < inner; i++) if (x[off + i] > acc[i] || Number.isNaN(x[off + i])) acc[i] = x[off + i];
        }
      }
      for (let i = 0; i < inner; i++) out[o * inner + i] = acc[i];
    }
    return;
  }
  // General case: map every input element to its output slot.
  const outShape = shape.map((d, i) => (axes.includes(i) ? 1 : d));
  const outStrides = stridesOf(outShape).map((s, i) => (axes.includes(i) ? 0 : s));
  const acc = new Float64Array(out.length).fill(kind === 'sum' ? 0 : Number.NEGATIVE_INFINITY);
  const rank = shape.length;
  const idx = new Array<number>(rank).fill(0);
  let o = 0;
  for (let i = 0; i < x.length; i++) {
    if (kind === 'sum') acc[o] += x[i];
    else if (x[i] > acc[o]) acc[o] = x[i];
    for (let d = rank - 1; d >= 0; d--) {
      idx[d]++;
      o += outStrides[d];
      if (idx[d] < shape[d]) break;
      o -= outStrides[d] * shape[d];
      idx[d] = 0;
    }
  }
  for (let i = 0; i < out.length; i++) out[i] = acc[i];
}

/** Sum over everything but one contiguous block of axes (per-channel sums of [N, C, H, W]). */
function keptBlock(shape: Shape, axes: number[], x: Buf, out: Buf): boolean {
  const kept = shape.map((d, i) => (axes.includes(i) ? 1 : d));
  const block = blockPattern(kept, shape);
  if (!block) return false;
  const [outer, mid, inner] = block;
  const native = nativeKernels();
  // Small sums stay in JavaScript: a call into the addon costs more.
  if (native && x.length >= 512 && x instanceof Float32Array && out instanceof Float32Array) {
    native.sumBlocks(x, out, outer, mid, inner);
    return true;
  }
  const acc = new Float64Array(mid);
  let o = 0;
  for (let p = 0; p < outer; p++) {
    for (let m = 0; m < mid; m++) {
      let s = 0;
      for (let i = 0; i < inner; i++) s += x[o + i];
      acc[m] += s;
      o += inner;
    }
  }
  for (let m = 0; m < mid; m++) out[m] = acc[m];
  return true;
}
