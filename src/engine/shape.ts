/** Shape arithmetic shared by the graph builder and the kernels. */
export type Shape = readonly number[];

export const size = (s: Shape): number => s.reduce((a, b) => a * b, 1);

export function stridesOf(s: Shape): number[] {
  const out = new Array<number>(s.length);
  let acc = 1;
  for (let i = s.length - 1; i >= 0; i--) {
    out[i] = acc;
    acc *= s[i];
  }
  return out;
}

export function sameShape(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** NumPy broadcasting of two or more shapes; throws with both shapes on a mismatch. */
export function broadcastShapes(...shapes: Shape[]): number[] {
  const rank = Math.max(...shapes.map((s) => s.length));
  const out = new Array<number>(rank).fill(1);
  for (const s of shapes) {
    const off = rank - s.length;
    for (let i = 0; i < s.length; i++) {
      const d = s[i];
      if (d === out[off + i] || d === 1) continue;
      if (out[off + i] === 1) out[off + i] = d;
      else throw new Error(`shapes ${shapes.map((x) => `[${x.join(', ')}]`).join(' and ')} do not broadcast`);
    }
  }
  return out;
}

/** Strides of `s` viewed at rank `rank` against `out`, with 0 where `s` is broadcast. */
export function broadcastStrides(s: Shape, out: Shape): number[] {
  const st = stridesOf(s);
  const off = out.length - s.length;
  return out.map((_d, i) => (i < off || s[i - off] === 1 ? 0 : st[i - off]));
}

export function normalizeAxis(axis: number, rank: number): number {
  const a = axis < 0 ? axis + rank : axis;
  if (a < 0 || a >= Math.max(rank, 1)) throw new Error(`axis ${axis} is out of range for rank ${rank}`);
  return a;
}

export function shapeText(s: Shape): string {
  return `[${s.join(', ')}]`;
}

/**
 * When `small` (right-aligned against `big`) equals `big` on one contiguous block of axes and is 1
 * elsewhere, return the block's [outer, mid, inner] sizes: `small` is then a vector of `mid`
 * values repeated over `outer` and `inner` (per-channel scales, biases, statistics).
 */
export function blockPattern(small: Shape, big: Shape): [number, number, number] | null {
  const rank = big.length;
  const padded = [...new Array(rank - small.length).fill(1), ...small];
  let lo = 0;
  while (lo < rank && padded[lo] === 1) lo++;
  let hi = rank;
  while (hi > lo && padded[hi - 1] === 1) hi--;
  for (let d = lo; d < hi; d++) if (padded[d] !== big[d]) return null;
  return [size(big.slice(0, lo)), size(big.slice(lo, hi)), size(big.slice(hi))];
}
