/** Elementwise ONNX operators and activations, written with the engine's primitives. */
import type { Graph, V } from '../engine/graph';
import type { OpContext, OpImporter } from './context';

const bin =
  (op: 'add' | 'sub' | 'mul' | 'div' | 'pow' | 'gt' | 'ge' | 'lt' | 'le' | 'eq' | 'and' | 'or' | 'mod'): OpImporter =>
  (c) => [c.g.binary(op, c.input(0), c.input(1))];
const un =
  (
    op:
      | 'neg'
      | 'exp'
      | 'log'
      | 'sqrt'
      | 'tanh'
      | 'sigmoid'
      | 'erf'
      | 'abs'
      | 'relu'
      | 'sin'
      | 'cos'
      | 'floor'
      | 'ceil'
      | 'round'
      | 'sign'
      | 'isnan',
  ): OpImporter =>
  (c) => [c.g.unary(op, c.input(0))];

function variadic(op: 'add' | 'max' | 'min'): OpImporter {
  return (c) => {
    const ins = c.node.inputs.map((_n, i) => c.input(i));
    return [ins.reduce((a, b) => c.g.binary(op, a, b))];
  };
}

/** Rounding toward zero: sign(x)·floor(|x|). */
export function truncate(g: Graph, x: V): V {
  return g.mul(g.unary('sign', x), g.unary('floor', g.unary('abs', x)));
}

/** softplus(x) = log(1 + e^x), computed as relu(x) + log(1 + e^-|x|) to stay finite. */
export function softplus(g: Graph, x: V): V {
  return g.addV(g.unary('relu', x), g.unary('log', g.addV(g.scalar(1), g.unary('exp', g.neg(g.unary('abs', x))))));
}

/** x where x > 0, else a·x: relu(x) − a·relu(−x) (a may be a tensor, as in PRelu). */
function leaky(g: Graph, x: V, slope: V): V {
  return g.sub(g.unary('relu', x), g.mul(slope, g.unary('relu', g.neg(x))));
}

function elu(g: Graph, x: V, alpha: number): V {
  const neg = g.mul(g.scalar(alpha), g.sub(g.unary('exp', g.binary('min', x, g.scalar(0))), g.scalar(1)));
  return g.addV(g.unary('relu', x), neg);
}

function hardSigmoid(g: Graph, x: V, alpha: number, beta: number): V {
  const lin = g.addV(g.mul(x, g.scalar(alpha)), g.scalar(beta));
  return g.binary('max', g.scalar(0), g.binary('min', g.scalar(1), lin));
}

export function gelu(g: Graph, x: V, approximate: string): V {
  if (approximate === 'tanh') {
    const inner = g.mul(g.scalar(Math.sqrt(2 / Math.PI)), g.addV(x, g.mul(g.scalar(0.044715), g.mul(x, g.mul(x, x)))));
    return g.mul(g.mul(g.scalar(0.5), x), g.addV(g.scalar(1), g.unary('tanh', inner)));
  }
  return g.mul(g.mul(g.scalar(0.5), x), g.addV(g.scalar(1), g.unary('erf', g.div(x, g.scalar(Math.SQRT2)))));
}

export const elementwiseOps: Record<string, OpImporter> = {
  Add: bin('add'),
  Sub: bin('sub'),
  Mul: bin('mul'),
  // On integer types ONNX's Div truncates toward zero (7 / -2 = -3), as C does.
  Div: (c) => {
    const q = c.g.div(c.input(0), c.input(1));
    return [c.isIntegerInput(0) || c.isIntegerInput(1) ? truncate(c.g, q) : q];
  },
  Pow: bin('pow'),
  // fmod=0 (integers only): the remainder takes the divisor's sign, as Python's %; fmod=1: the
  // dividend's, as C's fmod: a − b·trunc(a / b).
  Mod: (c) => {
    const [a, b] = [c.input(0), c.input(1)];
    if (!c.attr('fmod', 0)) return [c.g.binary('mod', a, b)];
    return [c.g.sub(a, c.g.mul(b, truncate(c.g, c.g.div(a, b))))];
  },
  Equal: bin('eq'),
  Greater: bin('gt'),
  GreaterOrEqual: bin('ge'),
  Less: bin('lt'),
  LessOrEqual: bin('le'),
  And: bin('and'),
  Or: bin('or'),
  Not: (c) => [c.g.binary('eq', c.input(0), c.g.scalar(0))],
  Max: variadic('max'),
  Min: variadic('min'),
  Sum: variadic('add'),
  Mean: (c) => [c.g.div(variadic('add')(c)[0], c.g.scalar(c.inputCount))],
  Where: (c) => [c.g.where(c.input(0), c.input(1), c.input(2))],
  Neg: un('neg'),
  Abs: un('abs'),
  Exp: un('exp'),
  Log: un('log'),
  Sqrt: un('sqrt'),
  Erf: un('erf'),
  Tanh: un('tanh'),
  Sigmoid: un('sigmoid'),
  Relu: un('relu'),
  Sin: un('sin'),
  Cos: un('cos'),
  Floor: un('floor'),
  Ceil: un('ceil'),
  Round: un('round'),
  Sign: un('sign'),
  IsNaN: un('isnan'),
  Reciprocal: (c) => [c.g.div(c.g.scalar(1), c.input(0))],
  Identity: (c) => [c.input(0)],
  Dropout: (c) => {
    const x = c.input(0);
    // Inference: identity; the optional mask output is all ones.
    return [x, c.g.expand(c.g.scalar(1), c.shape(x))];
  },
  Cast: (c) => {
    const to = c.attr('to', 1);
    const x = c.input(0);
    if (to === 9) return [c.g.binary('eq', c.g.binary('eq', x, c.g.scalar(0)), c.g.scalar(0))];
    if ([1, 10, 11, 16].includes(to)) return [x];
    // Integer casts truncate toward zero.
    return [truncate(c.g, x)];
  },
  LeakyRelu: (c) => [leaky(c.g, c.input(0), c.g.scalar(c.attr('alpha', 0.01)))],
  PRelu: (c) => {
    const x = c.input(0);
    let slope = c.input(1);
    // PyTorch exports PReLU's slope as [C] (or [C,1,1]): align it with the channel axis.
    const xs = c.shape(x);
    const ss = c.shape(slope);
    if (ss.length === 1 && ss[0] > 1 && xs.length > 2 && ss[0] === xs[1])
      slope = c.g.reshape(slope, [ss[0], ...new Array(xs.length - 2).fill(1)]);
    return [leaky(c.g, x, slope)];
  },
  Elu: (c) => [elu(c.g, c.input(0), c.attr('alpha', 1))],
  Selu: (c) => {
    const alpha = c.attr('alpha', 1.6732632423543772);
    const gamma = c.attr('gamma', 1.0507009873554805);
    return [c.g.mul(c.g.scalar(gamma), elu(c.g, c.input(0), alpha))];
  },
  Celu: (c) => {
    const alpha = c.attr('alpha', 1);
    const x = c.input(0);
    const neg = c.g.mul(
      c.g.scalar(alpha),
      c.g.sub(c.g.unary('exp', c.g.div(c.g.binary('min', x, c.g.scalar(0)), c.g.scalar(alpha))), c.g.scalar(1)),
    );
    return [c.g.addV(c.g.unary('relu', x), neg)];
  },
  Gelu: (c) => [gelu(c.g, c.input(0), c.attr('approximate', 'none'))],
  HardSigmoid: (c) => [hardSigmoid(c.g, c.input(0), c.attr('alpha', 0.2), c.attr('beta', 0.5))],
  HardSwish: (c) => [c.g.mul(c.input(0), hardSigmoid(c.g, c.input(0), 1 / 6, 0.5))],
  Softplus: (c) => [softplus(c.g, c.input(0))],
  Softsign: (c) => [c.g.div(c.input(0), c.g.addV(c.g.scalar(1), c.g.unary('abs', c.input(0))))],
  Mish: (c) => [c.g.mul(c.input(0), c.g.unary('tanh', softplus(c.g, c.input(0))))],
  ThresholdedRelu: (c) => {
    const x = c.input(0);
    return [c.g.mul(x, c.g.binary('gt', x, c.g.scalar(c.attr('alpha', 1))))];
  },
  Clip: (c) => {
    let x = c.input(0);
    const lo = c.opset >= 11 ? c.maybeInput(1) : c.hasAttr('min') ? c.g.scalar(c.attr('min', 0)) : null;
    const hi = c.opset >= 11 ? c.maybeInput(2) : c.hasAttr('max') ? c.g.scalar(c.attr('max', 0)) : null;
    if (lo !== null) x = c.g.binary('max', x, lo);
    if (hi !== null) x = c.g.binary('min', x, hi);
    return [x];
  },
};

export type { OpContext };
