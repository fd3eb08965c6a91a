/** Linear algebra, convolution, pooling, normalization, softmax and reductions. */
import type { V } from '../engine/graph';
import type { ConvGeom, PoolGeom } from '../engine/ir';
import { normalizeAxis, size } from '../engine/shape';
import type { OpContext, OpImporter } from './context';

type Pair = [number, number];
type Quad = [number, number, number, number];

/** Lift a 1-D spatial tensor [N, C, L] to 2-D [N, C, 1, L]; reject 3-D. */
function spatial2d(c: OpContext, x: V): { x: V; lifted: boolean } {
  const s = c.shape(x);
  if (s.length === 4) return { x, lifted: false };
  if (s.length === 3) return { x: c.g.reshape(x, [s[0], s[1], 1, s[2]]), lifted: true };
  throw c.unsupported(`${s.length - 2}-D spatial input is not supported (only 1-D and 2-D)`);
}

const lift = (v: number[], fill: number): Pair => (v.length === 1 ? [fill, v[0]] : [v[0], v[1]]);

/** Padding from `pads`/`auto_pad` for a 2-D window; `extraEnd` adds ceil_mode slack. */
function windowPads(
  c: OpContext,
  inHW: Pair,
  kernel: Pair,
  strides: Pair,
  dil: Pair,
  lifted: boolean,
  ceilMode: boolean,
): Quad {
  const autoPad = c.attr('auto_pad', 'NOTSET');
  let pads: Quad;
  if (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') {
    pads = [0, 0, 0, 0];
    for (let d = 0; d < 2; d++) {
      const out = Math.ceil(inHW[d] / strides[d]);
      const total = Math.max(0, (out - 1) * strides[d] + (kernel[d] - 1) * dil[d] + 1 - inHW[d]);
      const small = Math.floor(total / 2);
      pads[d] = autoPad === 'SAME_UPPER' ? small : total - small;
      pads[d + 2] = total - pads[d];
    }
  } else if (autoPad === 'VALID') {
    pads = [0, 0, 0, 0];
  } else {
    const p = c.attr<number[]>('pads', []);
    if (p.length === 0) pads = [0, 0, 0, 0];
    else if (lifted) pads = [0, p[0], 0, p[1]];
    else pads = [p[0], p[1], p[2], p[3]];
  }
  if (ceilMode) {
    for (let d = 0; d < 2; d++) {
      const span = inHW[d] + pads[d] + pads[d + 2] - dil[d] * (kernel[d] - 1) - 1;
      let out = Math.ceil(span / strides[d]) + 1;
      // PyTorch: the last window must start inside the input or the left padding.
      if ((out - 1) * strides[d] >= inHW[d] + pads[d]) out--;
      const need = (out - 1) * strides[d] + dil[d] * (kernel[d] - 1) + 1 - (inHW[d] + pads[d] + pads[d + 2]);
      if (need > 0) pads[d + 2] += need;
    }
  }
  return pads;
}

function convGeom(c: OpContext, xShape: readonly number[], wShape: readonly number[], lifted: boolean): ConvGeom {
  const kernel: Pair = [wShape[2], wShape[3]];
  const strides = lift(c.attr<number[]>('strides', [1, 1]), 1);
  const dilations = lift(c.attr<number[]>('dilations', [1, 1]), 1);
  const pads = windowPads(c, [xShape[2], xShape[3]], kernel, strides, dilations, lifted, false);
  return { strides, pads, dilations, group: c.attr('group', 1) };
}

function addChannelBias(c: OpContext, y: V, b: V | null): V {
  if (b === null) return y;
  const s = c.shape(y);
  return c.g.addV(y, c.g.reshape(b, [s[1], ...new Array(s.length - 2).fill(1)]));
}

function unlift(c: OpContext, y: V, lifted: boolean): V {
  if (!lifted) return y;
  const s = c.shape(y);
  return c.g.reshape(y, [s[0], s[1], s[3]]);
}

function conv(c: OpContext): V {
  const { x, lifted } = spatial2d(c, c.input(0));
  let w = c.input(1);
  const ws = c.shape(w);
  if (lifted) w = c.g.reshape(w, [ws[0], ws[1], 1, ws[2]]);
  const geom = convGeom(c, c.shape(x), c.shape(w), lifted);
  return unlift(c, addChannelBias(c, c.g.conv(x, w, geom), c.maybeInput(2)), lifted);
}

function convTranspose(c: OpContext): V {
  const { x, lifted } = spatial2d(c, c.input(0));
  let w = c.input(1);
  const ws0 = c.shape(w);
  if (lifted) w = c.g.reshape(w, [ws0[0], ws0[1], 1, ws0[2]]);
  const xs = c.shape(x);
  const ws = c.shape(w);
  const group = c.attr('group', 1);
  const strides = lift(c.attr<number[]>('strides', [1, 1]), 1);
  const dil = lift(c.attr<number[]>('dilations', [1, 1]), 1);
  const outPad = lift(c.attr<number[]>('output_padding', [0, 0]), 0);
  if (c.attr('auto_pad', 'NOTSET') !== 'NOTSET' || c.hasAttr('output_shape'))
    throw c.unsupported('auto_pad and output_shape are not supported; use pads');
  const p = c.attr<number[]>('pads', []);
  const pads: Quad = p.length === 0 ? [0, 0, 0, 0] : lifted ? [0, p[0], 0, p[1]] : [p[0], p[1], p[2], p[3]];
  const out = [0, 1].map(
    (d) => strides[d] * (xs[d + 2] - 1) + outPad[d] + (ws[d + 2] - 1) * dil[d] + 1 - pads[d] - pads[d + 2],
  );
  const geom: ConvGeom = { strides, pads, dilations: dil, group };
  const y = c.g.add('convBackInput', [x, w], { conv: geom, perm: [xs[0], ws[1] * group, out[0], out[1]] });
  return unlift(c, addChannelBias(c, y, c.maybeInput(2)), lifted);
}

function pool(c: OpContext, kind: 'max' | 'avg'): V {
  const { x, lifted } = spatial2d(c, c.input(0));
  const s = c.shape(x);
  const kernel = lift(c.attr<number[]>('kernel_shape', []), 1);
  const strides = lift(c.attr<number[]>('strides', [1, 1]), 1);
  const dilations = lift(c.attr<number[]>('dilations', [1, 1]), 1);
  if (c.node.outputs.length > 1 && c.node.outputs[1])
    throw c.unsupported('the Indices output of MaxPool is not supported');
  const ceil = c.attr('ceil_mode', 0) === 1;
  const pads = windowPads(c, [s[2], s[3]], kernel, strides, dilations, lifted, false);
  const geom: PoolGeom = { kernel, strides, pads, dilations, countIncludePad: c.attr('count_include_pad', 0) === 1 };
  if (ceil) {
    const withCeil = windowPads(c, [s[2], s[3]], kernel, strides, dilations, lifted, true);
    // The extra end padding is not real padding: it must not count in an average's divisor.
    if (kind === 'avg' && geom.countIncludePad && withCeil.some((v, i) => v !== pads[i])) {
      throw c.unsupported('ceil_mode with count_include_pad is not supported');
    }
    geom.pads = withCeil;
  }
  const y = kind === 'max' ? c.g.maxpool(x, geom) : c.g.avgpool(x, geom);
  return unlift(c, y, lifted);
}

function moments(c: OpContext, x: V, axes: number[]): { mean: V; variance: V } {
  const n = axes.reduce((a, ax) => a * c.shape(x)[ax], 1);
  const mean = c.g.div(c.g.sum(x, axes), c.g.scalar(n));
  const d = c.g.sub(x, mean);
  return { mean, variance: c.g.div(c.g.sum(c.g.mul(d, d), axes), c.g.scalar(n)) };
}

function normalize(c: OpContext, x: V, mean: V, variance: V, eps: number): V {
  return c.g.div(c.g.sub(x, mean), c.g.unary('sqrt', c.g.addV(variance, c.g.scalar(eps))));
}

function batchNorm(c: OpContext): V {
  const x = c.input(0);
  const s = c.shape(x);
  const ch = [s[1], ...new Array(s.length - 2).fill(1)];
  const [scale, bias, mean, variance] = [1, 2, 3, 4].map((i) => c.g.reshape(c.input(i), ch));
  const eps = c.attr('epsilon', 1e-5);
  if (c.options.bn === 'train') {
    const axes = [0, ...Array.from({ length: s.length - 2 }, (_v, i) => i + 2)];
    const m = moments(c, x, axes);
    return c.g.addV(c.g.mul(normalize(c, x, m.mean, m.variance, eps), scale), bias);
  }
  // Eval mode is a per-channel affine map: y = x·a + b', with a and b' computed on [C] vectors,
  // so the large tensors see one multiply and one add (and their derivatives stay as cheap).
  const a = c.g.div(scale, c.g.unary('sqrt', c.g.addV(variance, c.g.scalar(eps))));
  const shift = c.g.sub(bias, c.g.mul(mean, a));
  return c.g.addV(c.g.mul(x, a), shift);
}

/** LayerNormalization and its optional Mean and InvStdDev outputs. */
function layerNorm(c: OpContext): V[] {
  const x = c.input(0);
  const s = c.shape(x);
  const axis = normalizeAxis(c.attr('axis', -1), s.length);
  const axes = Array.from({ length: s.length - axis }, (_v, i) => axis + i);
  const m = moments(c, x, axes);
  const invStd = c.g.div(c.g.scalar(1), c.g.unary('sqrt', c.g.addV(m.variance, c.g.scalar(c.attr('epsilon', 1e-5)))));
  let y = c.g.mul(c.g.sub(x, m.mean), invStd);
  y = c.g.mul(y, c.input(1));
  const b = c.maybeInput(2);
  return [b === null ? y : c.g.addV(y, b), m.mean, invStd];
}

function instanceNorm(c: OpContext): V {
  const x = c.input(0);
  const s = c.shape(x);
  const axes = Array.from({ length: s.length - 2 }, (_v, i) => i + 2);
  const m = moments(c, x, axes);
  const y = normalize(c, x, m.mean, m.variance, c.attr('epsilon', 1e-5));
  return addChannelBias(c, c.g.mul(y, c.g.reshape(c.input(1), [s[1], ...new Array(s.length - 2).fill(1)])), c.input(2));
}

function groupNorm(c: OpContext): V {
  const x = c.input(0);
  const s = c.shape(x);
  const G = c.attr('num_groups', 1);
  const grouped = c.g.reshape(x, [s[0], G, size(s.slice(1)) / G]);
  const m = moments(c, grouped, [2]);
  const y = c.g.reshape(normalize(c, grouped, m.mean, m.variance, c.attr('epsilon', 1e-5)), s);
  // Opset 18 gives scale and bias per group; opset 21 per channel.
  const perGroup = c.shape(c.input(1))[0] === G && G !== s[1];
  const expandTo = (v: V) => (perGroup ? c.g.reshape(c.g.expand(c.g.reshape(v, [G, 1]), [G, s[1] / G]), [s[1]]) : v);
  const ch = [s[1], ...new Array(s.length - 2).fill(1)];
  return c.g.addV(c.g.mul(y, c.g.reshape(expandTo(c.input(1)), ch)), c.g.reshape(expandTo(c.input(2)), ch));
}

function softmaxAxes(c: OpContext, x: V): number[] {
  const rank = c.shape(x).length;
  // Before opset 13 the input is coerced to 2-D at `axis` (default 1) and normalized over the tail.
  if (c.opset < 13) {
    const axis = normalizeAxis(c.attr('axis', 1), rank);
    return Array.from({ length: rank - axis }, (_v, i) => axis + i);
  }
  return [normalizeAxis(c.attr('axis', -1), rank)];
}

export function logSoftmax(c: OpContext, x: V, axes: number[]): V {
  // The max shift is for range only; it cancels exactly, so no gradient flows through it.
  const shift = c.g.detach(c.g.rmax(x, axes));
  const z = c.g.sub(x, shift);
  return c.g.sub(z, c.g.unary('log', c.g.sum(c.g.unary('exp', z), axes)));
}

function reduce(kind: 'sum' | 'mean' | 'max' | 'min' | 'l2' | 'sumsq' | 'logsumexp' | 'l1'): OpImporter {
  return (c) => {
    let x = c.input(0);
    const s = c.shape(x);
    const fromInput = kind === 'sum' ? 13 : 18;
    let axes = c.opset >= fromInput ? c.maybeConstInts(1) : c.hasAttr('axes') ? c.attr<number[]>('axes', []) : null;
    if (!axes || axes.length === 0) axes = c.attr('noop_with_empty_axes', 0) ? [] : [...s.keys()];
    axes = axes.map((a) => normalizeAxis(a, s.length));
    const keep = c.attr('keepdims', 1) === 1;
    let y: V;
    if (kind === 'max') y = c.g.rmax(x, axes);
    else if (kind === 'min') y = c.g.neg(c.g.rmax(c.g.neg(x), axes));
    else {
      if (kind === 'l2' || kind === 'sumsq') x = c.g.mul(x, x);
      if (kind === 'l1') x = c.g.unary('abs', x);
      if (kind === 'logsumexp') {
        const shift = c.g.detach(c.g.rmax(x, axes));
        y = c.g.addV(c.g.unary('log', c.g.sum(c.g.unary('exp', c.g.sub(x, shift)), axes)), shift);
      } else {
        y = c.g.sum(x, axes);
        if (kind === 'mean') y = c.g.div(y, c.g.scalar(axes.reduce((a, ax) => a * s[ax], 1)));
        if (kind === 'l2') y = c.g.unary('sqrt', y);
      }
    }
    return [
      keep
        ? y
        : c.g.reshape(
            y,
            s.filter((_d, i) => !axes.includes(i)),
          ),
    ];
  };
}

function matmul(c: OpContext): V {
  let a = c.input(0);
  let b = c.input(1);
  const as = c.shape(a);
  const bs = c.shape(b);
  if (as.length === 1) a = c.g.reshape(a, [1, as[0]]);
  if (bs.length === 1) b = c.g.reshape(b, [bs[0], 1]);
  let y = c.g.matmul(a, b);
  const ys = c.shape(y);
  if (as.length === 1) y = c.g.reshape(y, [...ys.slice(0, -2), ys[ys.length - 1]]);
  if (bs.length === 1) y = c.g.reshape(y, c.shape(y).slice(0, -1));
  return y;
}

function gemm(c: OpContext): V {
  let a = c.input(0);
  let b = c.input(1);
  if (c.attr('transA', 0)) a = c.g.transpose(a, [1, 0]);
  if (c.attr('transB', 0)) b = c.g.transpose(b, [1, 0]);
  let y = c.g.matmul(a, b);
  const alpha = c.attr('alpha', 1);
  if (alpha !== 1) y = c.g.mul(y, c.g.scalar(alpha));
  const bias = c.maybeInput(2);
  if (bias !== null) {
    const beta = c.attr('beta', 1);
    y = c.g.addV(y, beta === 1 ? bias : c.g.mul(bias, c.g.scalar(beta)));
  }
  return y;
}

export const nnOps: Record<string, OpImporter> = {
  Conv: (c) => [conv(c)],
  ConvTranspose: (c) => [convTranspose(c)],
  MatMul: (c) => [matmul(c)],
  Gemm: (c) => [gemm(c)],
  MaxPool: (c) => [pool(c, 'max')],
  AveragePool: (c) => [pool(c, 'avg')],
  GlobalAveragePool: (c) => {
    const x = c.input(0);
    const axes = [...c.shape(x).keys()].slice(2);
    return [c.g.div(c.g.sum(x, axes), c.g.scalar(axes.reduce((a, ax) => a * c.shape(x)[ax], 1)))];
  },
  GlobalMaxPool: (c) => {
    const x = c.input(0);
    return [c.g.rmax(x, [...c.shape(x).keys()].slice(2))];
  },
  BatchNormalization: (c) => [batchNorm(c)],
  LayerNormalization: layerNorm,
  InstanceNormalization: (c) => [instanceNorm(c)],
  GroupNormalization: (c) => [groupNorm(c)],
  Softmax: (c) => {
    const x = c.input(0);
    return [c.g.unary('exp', logSoftmax(c, x, softmaxAxes(c, x)))];
  },
  LogSoftmax: (c) => {
    const x = c.input(0);
    return [logSoftmax(c, x, softmaxAxes(c, x))];
  },
  ReduceSum: reduce('sum'),
  ReduceMean: reduce('mean'),
  ReduceMax: reduce('max'),
  ReduceMin: reduce('min'),
  ReduceL1: reduce('l1'),
  ReduceL2: reduce('l2'),
  ReduceSumSquare: reduce('sumsq'),
  ReduceLogSumExp: reduce('logsumexp'),
};
