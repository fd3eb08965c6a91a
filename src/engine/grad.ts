/**
 * Reverse-mode differentiation on the graph. Every rule is written with graph primitives, so the
 * result is itself differentiable: `gradients` of a gradient gives exact Hessian-vector products.
 */
import type { Graph, V } from './graph';
import type { Node } from './ir';
import { size } from './shape';

type Rule = (g: Graph, node: Node, gy: V) => Array<V | null>;

const SQRT_PI_2 = 2 / Math.sqrt(Math.PI);

/** The inverse of a permutation. */
const invert = (perm: number[]) => perm.map((_p, i) => perm.indexOf(i));

function swapLast(g: Graph, x: V): V {
  const r = g.shape(x).length;
  const perm = [...Array(r).keys()];
  [perm[r - 2], perm[r - 1]] = [perm[r - 1], perm[r - 2]];
  return g.transpose(x, perm);
}

const rules: Partial<Record<Node['op'], Rule>> = {
  neg: (g, _n, gy) => [g.neg(gy)],
  exp: (g, n, gy) => [g.mul(gy, n.id)],
  log: (g, n, gy) => [g.div(gy, n.inputs[0])],
  sqrt: (g, n, gy) => [g.div(g.mul(gy, g.scalar(0.5)), n.id)],
  tanh: (g, n, gy) => [g.mul(gy, g.sub(g.scalar(1), g.mul(n.id, n.id)))],
  sigmoid: (g, n, gy) => [g.mul(gy, g.mul(n.id, g.sub(g.scalar(1), n.id)))],
  erf: (g, n, gy) => {
    const x = n.inputs[0];
    return [g.mul(gy, g.mul(g.scalar(SQRT_PI_2), g.unary('exp', g.neg(g.mul(x, x)))))];
  },
  abs: (g, n, gy) => [g.mul(gy, g.unary('sign', n.inputs[0]))],
  relu: (g, n, gy) => [g.mul(gy, g.unary('step', n.inputs[0]))],
  sin: (g, n, gy) => [g.mul(gy, g.unary('cos', n.inputs[0]))],
  cos: (g, n, gy) => [g.neg(g.mul(gy, g.unary('sin', n.inputs[0])))],
  add: (g, n, gy) => n.inputs.map((i) => g.sumTo(gy, g.shape(i))),
  sub: (g, n, gy) => [g.sumTo(gy, g.shape(n.inputs[0])), g.sumTo(g.neg(gy), g.shape(n.inputs[1]))],
  mul: (g, n, gy) => {
    const [a, b] = n.inputs;
    return [g.sumTo(g.mul(gy, b), g.shape(a)), g.sumTo(g.mul(gy, a), g.shape(b))];
  },
  div: (g, n, gy) => {
    const [a, b] = n.inputs;
    const gb = g.node(b).requiresGrad ? g.sumTo(g.neg(g.div(g.mul(gy, n.id), b)), g.shape(b)) : null;
    return [g.sumTo(g.div(gy, b), g.shape(a)), gb];
  },
  pow: (g, n, gy) => {
    const [a, b] = n.inputs;
    const ga = g.mul(gy, g.mul(b, g.binary('pow', a, g.sub(b, g.scalar(1)))));
    const gb = g.node(b).requiresGrad ? g.sumTo(g.mul(gy, g.mul(n.id, g.unary('log', a))), g.shape(b)) : null;
    return [g.sumTo(ga, g.shape(a)), gb];
  },
  max: (g, n, gy) => minMax(g, n, gy, 'ge'),
  min: (g, n, gy) => minMax(g, n, gy, 'le'),
  where: (g, n, gy) => {
    const [c, a, b] = n.inputs;
    const zero = g.scalar(0);
    return [null, g.sumTo(g.where(c, gy, zero), g.shape(a)), g.sumTo(g.where(c, zero, gy), g.shape(b))];
  },
  sum: (g, n, gy) => [g.expand(gy, g.shape(n.inputs[0]))],
  rmax: (g, n, gy) => {
    const x = n.inputs[0];
    const mask = g.binary('eq', x, n.id);
    return [g.mul(g.expand(gy, g.shape(x)), mask)];
  },
  expand: (g, n, gy) => [g.sumTo(gy, g.shape(n.inputs[0]))],
  reshape: (g, n, gy) => [g.reshape(gy, g.shape(n.inputs[0]))],
  transpose: (g, n, gy) => [g.transpose(gy, invert(n.attrs.perm ?? []))],
  gatherMap: (g, n, gy) => [g.scatterMap(gy, n.attrs.map as Int32Array, g.shape(n.inputs[0]))],
  scatterMap: (g, n, gy) => [g.gatherMap(gy, n.attrs.map as Int32Array, g.shape(n.inputs[0]))],
  concat: (g, n, gy) => {
    const axis = n.attrs.axis ?? 0;
    let start = 0;
    return n.inputs.map((i) => {
      const len = g.shape(i)[axis];
      const piece = sliceAxis(g, gy, axis, start, len);
      start += len;
      return piece;
    });
  },
  gatherRows: (g, n, gy) => [g.add('scatterRows', [gy, n.inputs[1]], { perm: [...g.shape(n.inputs[0])] }), null],
  scatterRows: (g, n, gy) => [g.add('gatherRows', [gy, n.inputs[1]]), null],
  matmul: (g, n, gy) => {
    const [a, b] = n.inputs;
    return [g.sumTo(g.matmul(gy, swapLast(g, b)), g.shape(a)), g.sumTo(g.matmul(swapLast(g, a), gy), g.shape(b))];
  },
  conv: (g, n, gy) => {
    const [x, w] = n.inputs;
    const conv = n.attrs.conv;
    return [
      g.node(x).requiresGrad ? g.add('convBackInput', [gy, w], { conv, perm: [...g.shape(x)] }) : null,
      g.add('convBackWeight', [x, gy], { conv, perm: [...g.shape(w)] }),
    ];
  },
  convBackInput: (g, n, gy) => {
    const [dy, w] = n.inputs;
    const conv = n.attrs.conv;
    return [g.add('conv', [gy, w], { conv }), g.add('convBackWeight', [gy, dy], { conv, perm: [...g.shape(w)] })];
  },
  convBackWeight: (g, n, gy) => {
    const [x, dy] = n.inputs;
    const conv = n.attrs.conv;
    return [g.add('convBackInput', [dy, gy], { conv, perm: [...g.shape(x)] }), g.add('conv', [x, gy], { conv })];
  },
  maxpoolGather: (g, n, gy) => {
    const [x] = n.inputs;
    return [null, g.add('maxpoolScatter', [x, gy], { pool: n.attrs.pool, perm: [...g.shape(x)] })];
  },
  maxpoolScatter: (g, n, gy) => {
    const [x, src] = n.inputs;
    return [null, g.add('maxpoolGather', [x, gy], { pool: n.attrs.pool, perm: g.shape(src).slice(2) })];
  },
  avgpool: (g, n, gy) => [g.add('avgpoolT', [gy], { pool: n.attrs.pool, perm: [...g.shape(n.inputs[0])] })],
  avgpoolT: (g, n, gy) => [g.add('avgpool', [gy], { pool: n.attrs.pool, perm: g.shape(n.inputs[0]).slice(2) })],
};

function minMax(g: Graph, n: Node, gy: V, cmp: 'ge' | 'le'): V[] {
  const [a, b] = n.inputs;
  const mask = g.binary(cmp, a, b);
  const other = g.sub(g.scalar(1), mask);
  return [g.sumTo(g.mul(gy, mask), g.shape(a)), g.sumTo(g.mul(gy, other), g.shape(b))];
}

/** x[..., start:start+len, ...] along `axis`, as an index map. */
export function sliceAxis(g: Graph, x: V, axis: number, start: number, len: number): V {
  const shape = g.shape(x);
  if (start === 0 && len === shape[axis]) return x;
  const outer = shape.slice(0, axis).reduce((a, b) => a * b, 1);
  const inner = shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  const outShape = [...shape];
  outShape[axis] = len;
  const map = new Int32Array(size(outShape));
  let o = 0;
  for (let p = 0; p < outer; p++) {
    for (let k = 0; k < len; k++) {
      const base = (p * shape[axis] + start + k) * inner;
      for (let i = 0; i < inner; i++) map[o++] = base + i;
    }
  }
  return g.gatherMap(x, map, outShape);
}

/**
 * d(y)/d(wrt) for a scalar y (or Σ seed·y when a seed of y's shape is given). Returns one value
 * per `wrt` entry; an input that y does not depend on gets a zero constant.
 */
export function gradients(g: Graph, y: V, wrt: V[], seed?: V): V[] {
  // Only walk nodes that lie on a path from some wrt to y.
  const wrtSet = new Set(wrt);
  const leadsToWrt = new Uint8Array(y + 1);
  for (let id = 0; id <= y; id++) {
    const node = g.node(id);
    if (wrtSet.has(id)) leadsToWrt[id] = 1;
    else if (node.requiresGrad && node.inputs.some((i) => leadsToWrt[i])) leadsToWrt[id] = 1;
  }
  const pending = new Map<V, V[]>();
  pending.set(y, [seed ?? g.constant(new Float64Array(size(g.shape(y))).fill(1), g.shape(y))]);
  const result = new Map<V, V>();
  for (let id = y; id >= 0; id--) {
    const parts = pending.get(id);
    if (!parts) continue;
    pending.delete(id);
    const gy = parts.reduce((acc, p) => g.addV(acc, p));
    if (wrtSet.has(id)) result.set(id, gy);
    const node = g.node(id);
    if (node.inputs.length === 0) continue;
    const rule = rules[node.op];
    if (!rule) {
      if (node.requiresGrad) throw new Error(`no gradient rule for '${node.op}'`);
      continue;
    }
    const grads = rule(g, node, gy);
    node.inputs.forEach((input, k) => {
      const gi = grads[k];
      if (gi === null || gi === undefined || !leadsToWrt[input]) return;
      const list = pending.get(input) ?? [];
      list.push(gi);
      pending.set(input, list);
    });
  }
  return wrt.map((w) => result.get(w) ?? g.constant(new Float64Array(size(g.shape(w))), g.shape(w)));
}
