/** The CPU backend's kernel table: one entry per primitive op. It is the reference for every other backend. */
import type { Buf, Node, Op } from '../ir';
import type { Shape } from '../shape';
import { conv2d, conv2dBackInput, conv2dBackWeight } from './conv';
import { binary, expand, unary, where } from './elementwise';
import { matmul } from './matmul';
import { concat, gatherMap, gatherRows, scatterMap, scatterRows, transpose } from './movement';
import { avgpool, avgpoolT, maxpoolGather, maxpoolScatter } from './pool';
import { reduce } from './reduce';

export type Kernel = (node: Node, ins: Buf[], inShapes: Shape[], out: Buf) => void;

const unaryKernel: Kernel = (node, ins, _s, out) => unary(node.op, ins[0], out);
const binaryKernel: Kernel = (node, ins, s, out) => binary(node.op, ins[0], s[0], ins[1], s[1], out, node.shape);

function checkedRows(idx: Buf, rows: number, node: Node): Buf {
  for (let i = 0; i < idx.length; i++) {
    const r = idx[i];
    if (!Number.isInteger(r) || r < -rows || r >= rows) {
      throw new Error(`Gather index ${r} is out of range for ${rows} rows (node ${node.id}).`);
    }
  }
  if (idx.every((r) => r >= 0)) return idx;
  return idx.map((r) => (r < 0 ? r + rows : r)) as Buf;
}

const table: Partial<Record<Op, Kernel>> = {
  where: (n, ins, s, out) => where(ins[0], s[0], ins[1], s[1], ins[2], s[2], out, n.shape),
  sum: (n, ins, s, out) => reduce('sum', ins[0], s[0], n.attrs.axes ?? [], out),
  rmax: (n, ins, s, out) => reduce('max', ins[0], s[0], n.attrs.axes ?? [], out),
  expand: (n, ins, s, out) => expand(ins[0], s[0], out, n.shape),
  reshape: (_n, ins, _s, out) => out.set(ins[0]),
  transpose: (n, ins, s, out) => transpose(ins[0], s[0], n.attrs.perm ?? [], out),
  gatherMap: (n, ins, _s, out) => gatherMap(ins[0], n.attrs.map as Int32Array, out),
  scatterMap: (n, ins, _s, out) => scatterMap(ins[0], n.attrs.map as Int32Array, out),
  concat: (n, ins, s, out) => concat(ins, s, n.attrs.axis ?? 0, out),
  gatherRows: (n, ins, s, out) => {
    const rowSize = s[0].slice(1).reduce((a, b) => a * b, 1);
    gatherRows(ins[0], rowSize, checkedRows(ins[1], s[0][0], n), out);
  },
  scatterRows: (n, ins, _s, out) => {
    const rowSize = n.shape.slice(1).reduce((a, b) => a * b, 1);
    scatterRows(ins[0], rowSize, checkedRows(ins[1], n.shape[0], n), out);
  },
  matmul: (n, ins, s, out) => matmul(ins[0], s[0], ins[1], s[1], out, n.shape),
  conv: (n, ins, s, out) => conv2d(ins[0], s[0], ins[1], s[1], out, n.shape, n.attrs.conv!),
  convBackInput: (n, ins, s, out) => conv2dBackInput(ins[0], s[0], ins[1], s[1], out, n.shape, n.attrs.conv!),
  convBackWeight: (n, ins, s, out) => conv2dBackWeight(ins[0], s[0], ins[1], s[1], out, n.shape, n.attrs.conv!),
  maxpoolGather: (n, ins, s, out) => maxpoolGather(ins[0], s[0], ins[1], out, n.shape, n.attrs.pool!),
  maxpoolScatter: (n, ins, s, out) => maxpoolScatter(ins[0], s[0], ins[1], s[1], out, n.attrs.pool!),
  avgpool: (n, ins, s, out) => avgpool(ins[0], s[0], out, n.shape, n.attrs.pool!),
  avgpoolT: (n, ins, s, out) => avgpoolT(ins[0], s[0], out, n.shape, n.attrs.pool!),
};

for (const op of [
  'neg',
  'exp',
  'log',
  'sqrt',
  'tanh',
  'sigmoid',
  'erf',
  'abs',
  'relu',
  'sin',
  'cos',
  'step',
  'sign',
  'floor',
  'ceil',
  'round',
  'isnan',
  'detach',
] as const) {
  table[op] = unaryKernel;
}
for (const op of [
  'add',
  'sub',
  'mul',
  'div',
  'pow',
  'max',
  'min',
  'gt',
  'ge',
  'lt',
  'le',
  'eq',
  'and',
  'or',
  'mod',
] as const) {
  table[op] = binaryKernel;
}

export function cpuKernel(op: Op): Kernel {
  const k = table[op];
  if (!k) throw new Error(`The CPU backend has no kernel for '${op}'.`);
  return k;
}
