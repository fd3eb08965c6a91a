/**
 * The graph builder. Every primitive goes through `add`, which infers the output shape, folds
 * constant subgraphs with the CPU kernels (shape arithmetic, exporter constants) and hash-conses
 * identical nodes (common-subexpression elimination for free: the double backward pass rebuilds
 * many forward quantities).
 */
import { cpuKernel } from './cpu/kernels';
import {
  type Attrs,
  BINARY_OPS,
  COMPARE_OPS,
  type ConvGeom,
  type Node,
  type Op,
  type PoolGeom,
  STEP_OPS,
  UNARY_OPS,
} from './ir';
import { broadcastShapes, normalizeAxis, type Shape, shapeText, size } from './shape';

export type V = number;

const NON_DIFFERENTIABLE = new Set<Op>([...STEP_OPS, ...COMPARE_OPS]);
const UNARY = new Set<Op>([...UNARY_OPS, ...STEP_OPS]);
const BINARY = new Set<Op>([...BINARY_OPS, ...COMPARE_OPS]);

const bigAttrIds = new WeakMap<object, number>();
let nextBigId = 1;
function bigId(o: object): number {
  let id = bigAttrIds.get(o);
  if (id === undefined) {
    id = nextBigId++;
    bigAttrIds.set(o, id);
  }
  return id;
}

function attrKey(a: Attrs): string {
  return JSON.stringify(a, (_k, v) => (v instanceof Float64Array || v instanceof Int32Array ? `#${bigId(v)}` : v));
}

export function convOutSize(
  inp: number,
  k: number,
  stride: number,
  padBegin: number,
  padEnd: number,
  dilation: number,
): number {
  return Math.floor((inp + padBegin + padEnd - dilation * (k - 1) - 1) / stride) + 1;
}

export class Graph {
  readonly nodes: Node[] = [];
  private readonly memo = new Map<string, V>();

  shape(v: V): Shape {
    return this.nodes[v].shape;
  }

  node(v: V): Node {
    return this.nodes[v];
  }

  isConst(v: V): boolean {
    return this.nodes[v].op === 'const';
  }

  constData(v: V): Float64Array {
    const n = this.nodes[v];
    if (n.op !== 'const') throw new Error(`value ${v} (${n.op}) is not a constant`);
    return n.attrs.data as Float64Array;
  }

  // ---- leaves -------------------------------------------------------------------------------

  input(name: string, shape: Shape, differentiable = false): V {
    return this.leaf('input', shape, { name }, differentiable);
  }

  param(index: number, name: string, shape: Shape): V {
    return this.leaf('param', shape, { index, name }, true);
  }

  buffer(name: string, shape: Shape): V {
    return this.leaf('buffer', shape, { name }, false);
  }

  constant(data: ArrayLike<number>, shape: Shape): V {
    if (data.length !== size(shape))
      throw new Error(`constant of shape ${shapeText(shape)} needs ${size(shape)} values, got ${data.length}`);
    const d = Float64Array.from(data);
    // Small constants are memoized by value so that folding finds equal ones.
    const key = d.length <= 64 ? `const|${shape.join(',')}|${Array.from(d).join(',')}` : null;
    if (key && this.memo.has(key)) return this.memo.get(key)!;
    const id = this.push({ op: 'const', inputs: [], shape: [...shape], attrs: { data: d }, requiresGrad: false });
    if (key) this.memo.set(key, id);
    return id;
  }

  scalar(value: number): V {
    return this.constant([value], []);
  }

  private leaf(op: Op, shape: Shape, attrs: Attrs, requiresGrad: boolean): V {
    return this.push({ op, inputs: [], shape: [...shape], attrs, requiresGrad });
  }

  private push(n: Omit<Node, 'id'>): V {
    const id = this.nodes.length;
    this.nodes.push({ ...n, id });
    return id;
  }

  // ---- the generic constructor --------------------------------------------------------------

  add(op: Op, inputs: V[], attrs: Attrs = {}): V {
    const key = `${op}|${inputs.join(',')}|${attrKey(attrs)}`;
    const hit = this.memo.get(key);
    if (hit !== undefined) return hit;
    const shape = this.inferShape(op, inputs, attrs);
    let id: V;
    if (inputs.length > 0 && inputs.every((i) => this.isConst(i)) && size(shape) <= 1 << 20) {
      id = this.fold(op, inputs, attrs, shape);
    } else {
      const requiresGrad = !NON_DIFFERENTIABLE.has(op) && inputs.some((i) => this.nodes[i].requiresGrad);
      id = this.push({ op, inputs, shape, attrs, requiresGrad });
    }
    this.memo.set(key, id);
    return id;
  }

  private fold(op: Op, inputs: V[], attrs: Attrs, shape: Shape): V {
    const out = new Float64Array(size(shape));
    const node: Node = { id: -1, op, inputs, shape, attrs, requiresGrad: false };
    cpuKernel(op)(
      node,
      inputs.map((i) => this.constData(i)),
      inputs.map((i) => this.shape(i)),
      out,
    );
    return this.constant(out, shape);
  }

  private inferShape(op: Op, ins: V[], a: Attrs): number[] {
    const s = (i: number) => this.shape(ins[i]);
    if (UNARY.has(op)) return [...s(0)];
    if (BINARY.has(op)) return broadcastShapes(s(0), s(1));
    switch (op) {
      case 'where':
        return broadcastShapes(s(0), s(1), s(2));
      case 'sum':
      case 'rmax':
        return s(0).map((d, i) => (a.axes?.includes(i) ? 1 : d));
      case 'expand':
      case 'reshape':
        return [...(a.perm ?? [])];
      case 'transpose':
        return (a.perm ?? []).map((p) => s(0)[p]);
      case 'gatherMap':
      case 'scatterMap':
        return [...(a.perm ?? [])];
      case 'concat': {
        const axis = a.axis ?? 0;
        const out = [...s(0)];
        out[axis] = ins.reduce((acc, _v, i) => acc + s(i)[axis], 0);
        return out;
      }
      case 'gatherRows':
        return [...s(1), ...s(0).slice(1)];
      case 'scatterRows':
        return [...(a.perm ?? [])];
      case 'matmul': {
        const [x, y] = [s(0), s(1)];
        if (x.length < 2 || y.length < 2 || x[x.length - 1] !== y[y.length - 2]) {
          throw new Error(`matmul of ${shapeText(x)} and ${shapeText(y)}: inner dimensions differ`);
        }
        return [...broadcastShapes(x.slice(0, -2), y.slice(0, -2)), x[x.length - 2], y[y.length - 1]];
      }
      case 'conv': {
        const g = a.conv as ConvGeom;
        const [x, w] = [s(0), s(1)];
        if (x[1] !== w[1] * g.group)
          throw new Error(
            `Conv input has ${x[1]} channels but the weight ${shapeText(w)} with group ${g.group} expects ${w[1] * g.group}`,
          );
        return [
          x[0],
          w[0],
          convOutSize(x[2], w[2], g.strides[0], g.pads[0], g.pads[2], g.dilations[0]),
          convOutSize(x[3], w[3], g.strides[1], g.pads[1], g.pads[3], g.dilations[1]),
        ];
      }
      case 'convBackInput':
      case 'convBackWeight':
      case 'maxpoolScatter':
      case 'avgpoolT':
        return [...(a.perm ?? [])];
      case 'maxpoolGather':
      case 'avgpool': {
        const x = s(0);
        return [x[0], x[1], ...(a.perm ?? [])];
      }
      default:
        throw new Error(`cannot infer the shape of '${op}'`);
    }
  }

  // ---- typed helpers ------------------------------------------------------------------------
  // Ops whose output shape is not derivable from the inputs carry it in attrs.perm (a shape).

  unary(op: (typeof UNARY_OPS)[number] | (typeof STEP_OPS)[number], x: V): V {
    return this.add(op, [x]);
  }

  binary(op: (typeof BINARY_OPS)[number] | (typeof COMPARE_OPS)[number], x: V, y: V): V {
    return this.add(op, [x, y]);
  }

  addV(x: V, y: V): V {
    return this.add('add', [x, y]);
  }
  sub(x: V, y: V): V {
    return this.add('sub', [x, y]);
  }
  mul(x: V, y: V): V {
    return this.add('mul', [x, y]);
  }
  div(x: V, y: V): V {
    return this.add('div', [x, y]);
  }
  neg(x: V): V {
    return this.add('neg', [x]);
  }
  /** The same value with no gradient flowing through it (a stop-gradient). */
  detach(x: V): V {
    return this.add('detach', [x]);
  }
  where(c: V, x: V, y: V): V {
    return this.add('where', [c, x, y]);
  }

  sum(x: V, axes: number[]): V {
    const rank = this.shape(x).length;
    const ax = [...new Set(axes.map((a) => normalizeAxis(a, rank)))].sort((a, b) => a - b);
    if (ax.length === 0) return x;
    return this.add('sum', [x], { axes: ax });
  }

  rmax(x: V, axes: number[]): V {
    const rank = this.shape(x).length;
    const ax = [...new Set(axes.map((a) => normalizeAxis(a, rank)))].sort((a, b) => a - b);
    if (ax.length === 0) return x;
    return this.add('rmax', [x], { axes: ax });
  }

  /** Sum over every axis, to a scalar of shape []. */
  sumAll(x: V): V {
    const rank = this.shape(x).length;
    return this.reshape(this.sum(x, [...Array(rank).keys()]), []);
  }

  expand(x: V, shape: Shape): V {
    const target = broadcastShapes(this.shape(x), shape);
    if (target.join() === this.shape(x).join()) return x;
    return this.add('expand', [x], { perm: target });
  }

  reshape(x: V, shape: Shape): V {
    if (size(shape) !== size(this.shape(x)))
      throw new Error(`cannot reshape ${shapeText(this.shape(x))} to ${shapeText(shape)}`);
    if (shape.join() === this.shape(x).join()) return x;
    const src = this.node(x);
    if (src.op === 'reshape') return this.reshape(src.inputs[0], shape);
    return this.add('reshape', [x], { perm: [...shape] });
  }

  transpose(x: V, perm: number[]): V {
    if (perm.every((p, i) => p === i)) return x;
    return this.add('transpose', [x], { perm });
  }

  /** Reduce a broadcast result back to `shape` (the adjoint of broadcasting). */
  sumTo(x: V, shape: Shape): V {
    const xs = this.shape(x);
    if (xs.join() === shape.join()) return x;
    const lead = xs.length - shape.length;
    const axes: number[] = [];
    for (let i = 0; i < xs.length; i++) {
      if (i < lead || (shape[i - lead] === 1 && xs[i] !== 1)) axes.push(i);
    }
    return this.reshape(this.sum(x, axes), shape);
  }

  gatherMap(x: V, map: Int32Array, shape: Shape): V {
    return this.add('gatherMap', [x], { map, perm: [...shape] });
  }

  scatterMap(g: V, map: Int32Array, shape: Shape): V {
    return this.add('scatterMap', [g], { map, perm: [...shape] });
  }

  concat(xs: V[], axis: number): V {
    if (xs.length === 1) return xs[0];
    return this.add('concat', xs, { axis: normalizeAxis(axis, this.shape(xs[0]).length) });
  }

  matmul(x: V, y: V): V {
    return this.add('matmul', [x, y]);
  }

  conv(x: V, w: V, geom: ConvGeom): V {
    return this.add('conv', [x, w], { conv: geom });
  }

  maxpool(x: V, pool: PoolGeom): V {
    return this.add('maxpoolGather', [x, x], { pool, perm: this.poolOut(x, pool) });
  }

  avgpool(x: V, pool: PoolGeom): V {
    return this.add('avgpool', [x], { pool, perm: this.poolOut(x, pool) });
  }

  private poolOut(x: V, p: PoolGeom): number[] {
    const s = this.shape(x);
    return [
      convOutSize(s[2], p.kernel[0], p.strides[0], p.pads[0], p.pads[2], p.dilations[0]),
      convOutSize(s[3], p.kernel[1], p.strides[1], p.pads[1], p.pads[3], p.dilations[1]),
    ];
  }
}
