/** Shape and data-movement ONNX operators. Shapes are static, so shape arithmetic folds away. */
import { sliceAxis } from '../engine/grad';
import type { V } from '../engine/graph';
import { normalizeAxis, size, stridesOf } from '../engine/shape';
import type { OpContext, OpImporter } from './context';

function axesFrom(c: OpContext, inputIndex: number, attrFromOpset: number): number[] | null {
  if (c.opset >= attrFromOpset) return c.maybeConstInts(inputIndex);
  return c.hasAttr('axes') ? c.attr<number[]>('axes', []) : null;
}

function unsqueeze(c: OpContext, x: V, axes: number[]): V {
  const s = c.shape(x);
  const rank = s.length + axes.length;
  const norm = axes.map((a) => normalizeAxis(a, rank)).sort((a, b) => a - b);
  const out: number[] = [];
  let k = 0;
  for (let i = 0; i < rank; i++) out.push(norm.includes(i) ? 1 : s[k++]);
  return c.g.reshape(x, out);
}

/** Index map for a strided slice: per axis (start, step, count). */
function sliceMap(shape: readonly number[], starts: number[], steps: number[], counts: number[]): Int32Array {
  const strides = stridesOf(shape);
  const out = new Int32Array(size(counts));
  const rank = shape.length;
  const idx = new Array<number>(rank).fill(0);
  for (let o = 0; o < out.length; o++) {
    let off = 0;
    for (let d = 0; d < rank; d++) off += (starts[d] + idx[d] * steps[d]) * strides[d];
    out[o] = off;
    for (let d = rank - 1; d >= 0; d--) {
      if (++idx[d] < counts[d]) break;
      idx[d] = 0;
    }
  }
  return out;
}

function slice(c: OpContext): V {
  const x = c.input(0);
  const shape = c.shape(x);
  const rank = shape.length;
  let starts: number[];
  let ends: number[];
  let axes: number[];
  let steps: number[];
  if (c.opset < 10) {
    starts = c.attr<number[]>('starts', []);
    ends = c.attr<number[]>('ends', []);
    axes = c.attr<number[]>(
      'axes',
      starts.map((_s, i) => i),
    );
    steps = starts.map(() => 1);
  } else {
    starts = c.constInts(1);
    ends = c.constInts(2);
    axes = c.maybeConstInts(3) ?? starts.map((_s, i) => i);
    steps = c.maybeConstInts(4) ?? starts.map(() => 1);
  }
  const st = shape.map(() => 0);
  const sp = shape.map(() => 1);
  const counts = [...shape];
  axes.forEach((a0, k) => {
    const a = normalizeAxis(a0, rank);
    const dim = shape[a];
    const step = steps[k];
    if (step === 0) throw c.error('a slice step of 0 is invalid');
    const clampIdx = (v: number, lo: number, hi: number) => Math.min(Math.max(v < 0 ? v + dim : v, lo), hi);
    const s = step > 0 ? clampIdx(starts[k], 0, dim) : clampIdx(starts[k], -1, dim - 1);
    const e = step > 0 ? clampIdx(ends[k], 0, dim) : clampIdx(ends[k], -1, dim - 1);
    st[a] = s;
    sp[a] = step;
    counts[a] = Math.max(0, Math.ceil((e - s) / step));
  });
  if (counts.every((n, i) => n === shape[i]) && sp.every((s) => s === 1)) return x;
  return c.g.gatherMap(x, sliceMap(shape, st, sp, counts), counts);
}

function pad(c: OpContext): V {
  const x = c.input(0);
  const shape = c.shape(x);
  const rank = shape.length;
  const mode = c.attr('mode', 'constant');
  let pads = c.opset >= 11 ? c.constInts(1) : c.attr<number[]>('pads', []);
  let value = c.opset >= 11 ? (c.maybeConstInts(2)?.[0] ?? 0) : c.attr('value', 0);
  const axes = c.opset >= 18 ? c.maybeConstInts(3) : null;
  if (axes) {
    const full = new Array<number>(2 * rank).fill(0);
    axes.forEach((a0, k) => {
      const a = normalizeAxis(a0, rank);
      full[a] = pads[k];
      full[a + rank] = pads[k + axes.length];
    });
    pads = full;
  }
  if (pads.every((p) => p === 0)) return x;
  const outShape = shape.map((d, i) => d + pads[i] + pads[i + rank]);
  const strides = stridesOf(shape);
  const map = new Int32Array(size(outShape));
  const idx = new Array<number>(rank).fill(0);
  for (let o = 0; o < map.length; o++) {
    let off = 0;
    for (let d = 0; d < rank && off >= 0; d++) {
      let i = idx[d] - pads[d];
      const n = shape[d];
      if (i < 0 || i >= n) {
        if (mode === 'constant') off = -1;
        else if (mode === 'edge') i = i < 0 ? 0 : n - 1;
        else if (mode === 'reflect') i = i < 0 ? -i : 2 * (n - 1) - i;
        else throw c.unsupported(`pad mode '${mode}' is not supported`);
      }
      if (off >= 0) off += i * strides[d];
    }
    map[o] = off;
    for (let d = rank - 1; d >= 0; d--) {
      if (++idx[d] < outShape[d]) break;
      idx[d] = 0;
    }
  }
  const padded = c.g.gatherMap(x, map, outShape);
  if (mode !== 'constant' || value === 0) return padded;
  // Padding cells (map −1) read 0; add the fill value there.
  value = Number(value);
  const fill = Float64Array.from(map, (m) => (m < 0 ? value : 0));
  return c.g.addV(padded, c.g.constant(fill, outShape));
}

function gather(c: OpContext): V {
  const data = c.input(0);
  const indices = c.input(1);
  const shape = c.shape(data);
  const axis = normalizeAxis(c.attr('axis', 0), shape.length);
  const idxShape = c.shape(indices);
  const outShape = [...shape.slice(0, axis), ...idxShape, ...shape.slice(axis + 1)];
  if (c.g.isConst(indices)) {
    const idx = Array.from(c.g.constData(indices)).map((i) => {
      const j = i < 0 ? i + shape[axis] : i;
      if (j < 0 || j >= shape[axis])
        throw c.error(`index ${i} is out of range for axis ${axis} of size ${shape[axis]}`);
      return j;
    });
    const outer = size(shape.slice(0, axis));
    const inner = size(shape.slice(axis + 1));
    const map = new Int32Array(size(outShape));
    let o = 0;
    for (let p = 0; p < outer; p++)
      for (const j of idx) for (let i = 0; i < inner; i++) map[o++] = (p * shape[axis] + j) * inner + i;
    return c.g.gatherMap(data, map, outShape);
  }
  if (axis !== 0) {
    // Move the axis first, gather rows, move it back.
    const perm = [axis, ...shape.keys()].filter((d, i) => i === 0 || d !== axis);
    const moved = c.g.transpose(data, perm);
    const rows = c.g.add('gatherRows', [moved, indices]);
    const r = idxShape.length;
    const restRank = shape.length - 1;
    const back = [...Array(axis).keys()].map((d) => r + d);
    const permOut = [...back, ...[...Array(r).keys()], ...[...Array(restRank - axis).keys()].map((d) => r + axis + d)];
    return c.g.transpose(rows, permOut);
  }
  return c.g.add('gatherRows', [data, indices]);
}

function split(c: OpContext): V[] {
  const x = c.input(0);
  const shape = c.shape(x);
  const axis = normalizeAxis(c.attr('axis', 0), shape.length);
  const outputs = c.node.outputs.length;
  let sizes = c.opset >= 13 ? c.maybeConstInts(1) : c.hasAttr('split') ? c.attr<number[]>('split', []) : null;
  if (!sizes) {
    const n = c.opset >= 18 && c.hasAttr('num_outputs') ? c.attr('num_outputs', outputs) : outputs;
    const chunk = Math.ceil(shape[axis] / n);
    sizes = Array.from({ length: n }, (_v, i) => Math.min(chunk, shape[axis] - i * chunk));
  }
  let start = 0;
  return sizes.map((len) => {
    const piece = sliceAxis(c.g, x, axis, start, len);
    start += len;
    return piece;
  });
}

/**
 * ScatterND with constant indices (what exporters emit for `x[a:b, c:d] = value`, Swin's attention
 * mask): every output cell reads either `data` or one `updates` cell, so the op is one index map over
 * [data, updates] concatenated, differentiable in both.
 */
function scatterND(c: OpContext): V {
  const data = c.input(0);
  const updates = c.input(2);
  if (c.attr('reduction', 'none') !== 'none')
    throw c.unsupported(`reduction '${c.attr('reduction', '')}' is not supported`);
  const shape = c.shape(data);
  const idxShape = c.shape(c.input(1));
  const idx = c.constInts(1);
  const k = idxShape[idxShape.length - 1];
  const slice = size(shape.slice(k));
  const strides = stridesOf(shape);
  const n = size(shape);
  const map = Int32Array.from({ length: n }, (_v, i) => i);
  const tuples = idx.length / k;
  for (let t = 0; t < tuples; t++) {
    let off = 0;
    for (let d = 0; d < k; d++) {
      const raw = idx[t * k + d];
      const j = raw < 0 ? raw + shape[d] : raw;
      if (j < 0 || j >= shape[d]) throw c.error(`index ${raw} is out of range for axis ${d} of size ${shape[d]}`);
      off += j * strides[d];
    }
    for (let i = 0; i < slice; i++) map[off + i] = n + t * slice + i;
  }
  const both = c.g.concat([c.g.reshape(data, [n]), c.g.reshape(updates, [size(c.shape(updates))])], 0);
  return c.g.gatherMap(both, map, shape);
}

export const shapeOps: Record<string, OpImporter> = {
  ScatterND: (c) => [scatterND(c)],
  Shape: (c) => {
    const s = c.shape(c.input(0));
    const start = c.attr('start', 0);
    const end = c.hasAttr('end') ? c.attr('end', s.length) : s.length;
    const norm = (v: number) => Math.min(Math.max(v < 0 ? v + s.length : v, 0), s.length);
    const dims = s.slice(norm(start), norm(end));
    return [c.g.constant(dims, [dims.length])];
  },
  Size: (c) => [c.g.constant([size(c.shape(c.input(0)))], [])],
  Reshape: (c) => {
    const x = c.input(0);
    const s = c.shape(x);
    const target = c.opset >= 5 ? c.constInts(1) : c.attr<number[]>('shape', []);
    const allowZero = c.attr('allowzero', 0);
    const out = target.map((d, i) => (d === 0 && !allowZero ? s[i] : d));
    const known = out.filter((d) => d !== -1).reduce((a, b) => a * b, 1);
    const filled = out.map((d) => (d === -1 ? size(s) / known : d));
    if (size(filled) !== size(s) || filled.some((d) => !Number.isInteger(d)))
      throw c.error(`cannot reshape [${s.join(', ')}] to [${target.join(', ')}]`);
    return [c.g.reshape(x, filled)];
  },
  Flatten: (c) => {
    const x = c.input(0);
    const s = c.shape(x);
    const axis = c.attr('axis', 1);
    const a = axis < 0 ? axis + s.length : axis;
    return [c.g.reshape(x, [size(s.slice(0, a)), size(s.slice(a))])];
  },
  Transpose: (c) => {
    const x = c.input(0);
    const rank = c.shape(x).length;
    const perm = c.attr<number[]>('perm', [...Array(rank).keys()].reverse());
    return [c.g.transpose(x, perm)];
  },
  Squeeze: (c) => {
    const x = c.input(0);
    const s = c.shape(x);
    const axes =
      axesFrom(c, 1, 13)?.map((a) => normalizeAxis(a, s.length)) ?? s.flatMap((d, i) => (d === 1 ? [i] : []));
    return [
      c.g.reshape(
        x,
        s.filter((_d, i) => !axes.includes(i)),
      ),
    ];
  },
  Unsqueeze: (c) => [unsqueeze(c, c.input(0), axesFrom(c, 1, 13) ?? [])],
  Concat: (c) => {
    const ins = c.node.inputs.map((_n, i) => c.input(i)).filter((v) => size(c.shape(v)) > 0 || c.shape(v).length > 1);
    return [c.g.concat(ins, c.attr('axis', 0))];
  },
  Split: split,
  Slice: (c) => [slice(c)],
  Gather: (c) => [gather(c)],
  Pad: (c) => [pad(c)],
  Expand: (c) => [c.g.expand(c.input(0), c.constInts(1))],
  Tile: (c) => {
    const x = c.input(0);
    const reps = c.constInts(1);
    const s = c.shape(x);
    // Tile = expand over an interleaved axis, then merge: [d] -> [r, d] -> [r*d].
    const inter = s.flatMap((d) => [1, d]);
    const target = s.flatMap((d, i) => [reps[i], d]);
    return [
      c.g.reshape(
        c.g.expand(c.g.reshape(x, inter), target),
        s.map((d, i) => d * reps[i]),
      ),
    ];
  },
  Constant: (c) => {
    const n = c.node.attributes;
    if (n.has('value')) return [c.tensorOf(c.attr('value', 0) as never)];
    if (n.has('value_float')) return [c.g.scalar(c.attr('value_float', 0))];
    if (n.has('value_int')) return [c.g.scalar(c.attr('value_int', 0))];
    if (n.has('value_floats')) {
      const v = c.attr<number[]>('value_floats', []);
      return [c.g.constant(v, [v.length])];
    }
    if (n.has('value_ints')) {
      const v = c.attr<number[]>('value_ints', []);
      return [c.g.constant(v, [v.length])];
    }
    throw c.unsupported('only tensor, float and int constants are supported');
  },
  ConstantOfShape: (c) => {
    const shape = c.constInts(0);
    const value = c.node.attributes.get('value');
    const v = value ? Array.from(c.g.constData(c.tensorOf(value as never)))[0] : 0;
    return [c.g.constant(new Float64Array(size(shape)).fill(v), shape)];
  },
  Range: (c) => {
    const [start] = c.constInts(0);
    const [limit] = c.constInts(1);
    const [delta] = c.constInts(2);
    const n = Math.max(Math.ceil((limit - start) / delta), 0);
    return [
      c.g.constant(
        Array.from({ length: n }, (_v, i) => start + i * delta),
        [n],
      ),
    ];
  },
  EyeLike: (c) => {
    const [r, k] = c.shape(c.input(0));
    const off = c.attr('k', 0);
    const d = new Float64Array(r * k);
    for (let i = 0; i < r; i++) if (i + off >= 0 && i + off < k) d[i * k + i + off] = 1;
    return [c.g.constant(d, [r, k])];
  },
  Trilu: (c) => {
    const x = c.input(0);
    const s = c.shape(x);
    const k = c.maybeConstInts(1)?.[0] ?? 0;
    const upper = c.attr('upper', 1);
    const [R, C] = s.slice(-2);
    const mask = new Float64Array(R * C);
    for (let i = 0; i < R; i++) for (let j = 0; j < C; j++) mask[i * C + j] = (upper ? j - i >= k : j - i <= k) ? 1 : 0;
    return [c.g.mul(x, c.g.constant(mask, [R, C]))];
  },
};
