/** Elementwise kernels (unary, binary, compare, where, expand) on one broadcasting shader. */
import elementwiseWgsl from '../../../../shaders/elementwise.wgsl?raw';
import mathWgsl from '../../../../shaders/math.wgsl?raw';
import type { Op } from '../../ir';
import { broadcastStrides, type Shape, sameShape, size } from '../../shape';
import { type Dispatch, type GpuKernel, grid, input, type KernelContext, output } from '../kernel';

const MAX_RANK = 8;

/** WGSL for each op over loaded values a, b, c (as f32). */
export const EXPRESSIONS: Partial<Record<Op, string>> = {
  neg: '-a',
  exp: 'exp(a)',
  log: 'log(a)',
  sqrt: 'sqrt(a)',
  tanh: 'tanh_(a)',
  sigmoid: 'sigmoid_(a)',
  erf: 'erf_(a)',
  abs: 'abs(a)',
  relu: 'max(a, 0.0)',
  sin: 'sin(a)',
  cos: 'cos(a)',
  step: 'select(0.0, 1.0, a > 0.0)',
  sign: 'sign(a)',
  floor: 'floor(a)',
  ceil: 'ceil(a)',
  round: 'round_(a)',
  isnan: 'isnan_(a)',
  detach: 'a',
  add: 'a + b',
  sub: 'a - b',
  mul: 'a * b',
  div: 'a / b',
  pow: 'pow_(a, b)',
  max: 'select(b, a, a >= b)',
  min: 'select(b, a, a <= b)',
  gt: 'select(0.0, 1.0, a > b)',
  ge: 'select(0.0, 1.0, a >= b)',
  lt: 'select(0.0, 1.0, a < b)',
  le: 'select(0.0, 1.0, a <= b)',
  eq: 'select(0.0, 1.0, a == b)',
  and: 'select(0.0, 1.0, a != 0.0 && b != 0.0)',
  or: 'select(0.0, 1.0, a != 0.0 || b != 0.0)',
  mod: 'mod_(a, b)',
  where: 'select(c, b, a != 0.0)',
  expand: 'a',
};

const NAMES = ['a', 'b', 'c'];

function source(arity: number, expr: string): string {
  const bindings = [
    ...NAMES.slice(0, arity).map((n, i) => `@group(0) @binding(${i}) var<storage, read> ${n}_: array<f32>;`),
    `@group(0) @binding(${arity}) var<storage, read_write> out: array<f32>;`,
  ].join('\n');
  const loads = NAMES.slice(0, arity)
    .map((n, i) => `let ${n} = ${n}_[offsetOf(i, ${i}u)];`)
    .join('\n  ');
  return elementwiseWgsl
    .replace('BINDINGS', bindings)
    .replace('FUNCTIONS', mathWgsl)
    .replace('LOADS', loads)
    .replace('EXPR', expr);
}

/** One dispatch computing `expr` over inputs of the given shapes, broadcast to `outShape`. */
export function elementwise(expr: string, inShapes: Shape[], outShape: Shape, ctx: KernelContext): Dispatch {
  if (outShape.length > MAX_RANK) throw new Error(`elementwise ops support rank ≤ ${MAX_RANK}, not ${outShape.length}`);
  const n = size(outShape);
  const words = new Array<number>(8 + 4 * MAX_RANK).fill(0);
  words[0] = n;
  words[1] = outShape.length;
  outShape.forEach((d, i) => {
    words[8 + i] = d;
  });
  inShapes.forEach((s, k) => {
    const mode = sameShape(s, outShape) ? 0 : size(s) === 1 ? 1 : 2;
    words[2 + k] = mode;
    if (mode === 2) {
      broadcastStrides(s, outShape).forEach((st, d) => {
        words[16 + 8 * k + d] = st;
      });
    }
  });
  return {
    source: source(inShapes.length, expr),
    buffers: [...inShapes.map((_s, k) => ({ ref: input(k), write: false })), { ref: output, write: true }],
    uniforms: words,
    workgroups: grid(n, 256, ctx.limits),
  };
}

export const elementwiseKernel: GpuKernel = (node, inShapes, ctx) => {
  const expr = EXPRESSIONS[node.op];
  if (!expr) throw new Error(`no elementwise expression for '${node.op}'`);
  return [elementwise(expr, inShapes, node.shape, ctx)];
};
