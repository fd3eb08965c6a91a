/** Data movement: transpose, index maps, concat, row gathers. */
import type { Buf } from '../ir';
import { type Shape, size, stridesOf } from '../shape';

export function transpose(x: Buf, shape: Shape, perm: number[], out: Buf): void {
  const rank = shape.length;
  const inStrides = stridesOf(shape);
  const outShape = perm.map((p) => shape[p]);
  const st = perm.map((p) => inStrides[p]);
  // Fast path: 2-D (or batched 2-D) transpose of the last two axes.
  if (
    rank >= 2 &&
    perm.slice(0, rank - 2).every((p, i) => p === i) &&
    perm[rank - 2] === rank - 1 &&
    perm[rank - 1] === rank - 2
  ) {
    const rows = shape[rank - 2];
    const cols = shape[rank - 1];
    const batch = size(shape.slice(0, rank - 2));
    for (let b = 0; b < batch; b++) {
      const base = b * rows * cols;
      for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[base + c * rows + r] = x[base + r * cols + c];
    }
    return;
  }
  const idx = new Array<number>(rank).fill(0);
  let off = 0;
  for (let o = 0; o < out.length; o++) {
    out[o] = x[off];
    for (let d = rank - 1; d >= 0; d--) {
      idx[d]++;
      off += st[d];
      if (idx[d] < outShape[d]) break;
      off -= st[d] * outShape[d];
      idx[d] = 0;
    }
  }
}

export function gatherMap(x: Buf, map: Int32Array, out: Buf): void {
  for (let i = 0; i < out.length; i++) {
    const j = map[i];
    out[i] = j >= 0 ? x[j] : 0;
  }
}

export function scatterMap(g: Buf, map: Int32Array, out: Buf): void {
  out.fill(0);
  for (let i = 0; i < map.length; i++) {
    const j = map[i];
    if (j >= 0) out[j] += g[i];
  }
}

export function concat(xs: Buf[], shapes: Shape[], axis: number, out: Buf): void {
  const outer = size(shapes[0].slice(0, axis));
  const chunks = shapes.map((s) => size(s.slice(axis)));
  let o = 0;
  for (let p = 0; p < outer; p++) {
    for (let k = 0; k < xs.length; k++) {
      const c = chunks[k];
      out.set(xs[k].subarray(p * c, (p + 1) * c), o);
      o += c;
    }
  }
}

/** out[i, ...] = table[idx[i], ...] (indices already normalized and checked). */
export function gatherRows(table: Buf, rowSize: number, idx: Buf, out: Buf): void {
  for (let i = 0; i < idx.length; i++) {
    const r = idx[i];
    out.set(table.subarray(r * rowSize, (r + 1) * rowSize), i * rowSize);
  }
}

export function scatterRows(g: Buf, rowSize: number, idx: Buf, out: Buf): void {
  out.fill(0);
  for (let i = 0; i < idx.length; i++) {
    const r = idx[i] * rowSize;
    const s = i * rowSize;
    for (let k = 0; k < rowSize; k++) out[r + k] += g[s + k];
  }
}
