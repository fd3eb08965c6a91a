/**
 * First and second derivatives of every differentiable ONNX operator the importer supports,
 * against float64 finite differences (see derivatives.ts). Each case feeds parameters into one
 * operator node and reads it out through a nonlinear scalar.
 */
import { describe, expect, it } from 'vitest';
import type { Graph, V } from '../../src/engine/graph';
import type { AttributeValue, OnnxNode } from '../../src/formats/onnx/read';
import { OpContext } from '../../src/onnx-import/context';
import { OPS } from '../../src/onnx-import/import';
import { fixture, readJson } from '../helpers';
import { checkDerivatives } from './derivatives';

interface OpCase {
  op: string;
  /** Parameter inputs by shape; `null` leaves an optional input out. */
  params: Array<number[] | null>;
  /** Constant inputs appended after the parameters (shapes, axes, pads...). */
  consts?: Array<{ data: number[]; shape: number[] }>;
  attrs?: Record<string, AttributeValue>;
  opset?: number;
  positive?: boolean;
  outputs?: number;
}

const C = (data: number[]) => ({ data, shape: [data.length] });

const CASES: Record<string, OpCase> = {
  Conv: { op: 'Conv', params: [[2, 3, 6, 5], [4, 3, 3, 2], [4]], attrs: { pads: [1, 0, 1, 1], strides: [2, 1] } },
  'Conv depthwise': {
    op: 'Conv',
    params: [
      [1, 4, 5, 5],
      [8, 1, 3, 3],
    ],
    attrs: { group: 4, auto_pad: 'SAME_UPPER' },
  },
  'Conv 1-D dilated': {
    op: 'Conv',
    params: [
      [2, 2, 9],
      [3, 2, 3],
    ],
    attrs: { dilations: [2], pads: [1, 1] },
  },
  ConvTranspose: {
    op: 'ConvTranspose',
    params: [[1, 3, 4, 4], [3, 2, 3, 3], [2]],
    attrs: { strides: [2, 2], pads: [1, 1, 1, 1], output_padding: [1, 1] },
  },
  Gemm: { op: 'Gemm', params: [[4, 3], [5, 3], [5]], attrs: { transB: 1, alpha: 0.7, beta: 1.3 } },
  MatMul: {
    op: 'MatMul',
    params: [
      [2, 3, 4],
      [4, 2],
    ],
  },
  'MatMul 1-D': { op: 'MatMul', params: [[4], [2, 4, 3]] },
  Pow: { op: 'Pow', params: [[5], [5]], positive: true },
  Sqrt: { op: 'Sqrt', params: [[5]], positive: true },
  Reciprocal: { op: 'Reciprocal', params: [[5]], positive: true },
  Log: { op: 'Log', params: [[5]], positive: true },
  LeakyRelu: { op: 'LeakyRelu', params: [[7]], attrs: { alpha: 0.2 } },
  PRelu: { op: 'PRelu', params: [[2, 3, 2, 2], [3]] },
  Elu: { op: 'Elu', params: [[7]], attrs: { alpha: 0.8 } },
  Selu: { op: 'Selu', params: [[7]] },
  Celu: { op: 'Celu', params: [[7]], attrs: { alpha: 1.5 } },
  Gelu: { op: 'Gelu', params: [[7]], opset: 20 },
  'Gelu tanh': { op: 'Gelu', params: [[7]], attrs: { approximate: 'tanh' }, opset: 20 },
  HardSigmoid: { op: 'HardSigmoid', params: [[7]], attrs: { alpha: 0.3, beta: 0.4 } },
  HardSwish: { op: 'HardSwish', params: [[7]] },
  Softplus: { op: 'Softplus', params: [[7]] },
  Softsign: { op: 'Softsign', params: [[7]] },
  Mish: { op: 'Mish', params: [[7]] },
  Clip: { op: 'Clip', params: [[9], [], []], opset: 13 },
  Min: { op: 'Min', params: [[2, 3], [3], [2, 1]] },
  Max: { op: 'Max', params: [[2, 3], [3]] },
  Mean: { op: 'Mean', params: [[2, 3], [3]] },
  Sum: { op: 'Sum', params: [[2, 3], [3], [1]] },
  Div: { op: 'Div', params: [[2, 3], [3]], positive: true },
  BatchNormalization: { op: 'BatchNormalization', params: [[2, 3, 2, 2], [3], [3], [3], [3]], positive: true },
  LayerNormalization: {
    op: 'LayerNormalization',
    params: [
      [2, 3, 4],
      [3, 4],
      [3, 4],
    ],
    attrs: { axis: -2 },
  },
  InstanceNormalization: { op: 'InstanceNormalization', params: [[2, 3, 5], [3], [3]] },
  GroupNormalization: { op: 'GroupNormalization', params: [[2, 4, 3], [2], [2]], attrs: { num_groups: 2 }, opset: 18 },
  MaxPool: {
    op: 'MaxPool',
    params: [[1, 2, 6, 7]],
    attrs: { kernel_shape: [3, 2], strides: [2, 2], pads: [1, 0, 1, 0], ceil_mode: 1 },
  },
  AveragePool: {
    op: 'AveragePool',
    params: [[1, 2, 6, 7]],
    attrs: { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] },
  },
  'AveragePool count_include_pad': {
    op: 'AveragePool',
    params: [[1, 2, 5, 5]],
    attrs: { kernel_shape: [2, 2], pads: [1, 1, 0, 0], count_include_pad: 1 },
  },
  GlobalAveragePool: { op: 'GlobalAveragePool', params: [[2, 3, 3, 2]] },
  GlobalMaxPool: { op: 'GlobalMaxPool', params: [[2, 3, 3, 2]] },
  Flatten: { op: 'Flatten', params: [[2, 3, 2]], attrs: { axis: 2 } },
  Reshape: { op: 'Reshape', params: [[2, 3, 2]], consts: [C([0, -1])] },
  Transpose: { op: 'Transpose', params: [[2, 3, 4]], attrs: { perm: [1, 2, 0] } },
  Squeeze: { op: 'Squeeze', params: [[2, 1, 3]], consts: [C([1])] },
  Unsqueeze: { op: 'Unsqueeze', params: [[2, 3]], consts: [C([0, 3])] },
  Concat: {
    op: 'Concat',
    params: [
      [2, 3],
      [2, 1],
    ],
    attrs: { axis: 1 },
  },
  Split: { op: 'Split', params: [[5, 2]], consts: [C([2, 3])], outputs: 2 },
  Slice: { op: 'Slice', params: [[5, 6]], consts: [C([4, 1]), C([0, 6]), C([0, 1]), C([-2, 2])] },
  Gather: { op: 'Gather', params: [[4, 3]], consts: [{ data: [3, 0, -1, 1], shape: [2, 2] }], attrs: { axis: 0 } },
  Expand: { op: 'Expand', params: [[3, 1]], consts: [C([2, 3, 4])] },
  Tile: { op: 'Tile', params: [[2, 3]], consts: [C([2, 2])] },
  'Pad reflect': { op: 'Pad', params: [[3, 4]], consts: [C([1, 2, 1, 1])], attrs: { mode: 'reflect' } },
  'Pad constant': { op: 'Pad', params: [[3, 4]], consts: [C([0, 1, 2, 0]), { data: [0.5], shape: [] }] },
  Where: { op: 'Where', params: [[2, 3], [3]], consts: [], attrs: {} },
  Softmax: { op: 'Softmax', params: [[2, 5]], attrs: { axis: 1 } },
  LogSoftmax: { op: 'LogSoftmax', params: [[2, 3, 4]], attrs: { axis: 1 } },
  ReduceMean: { op: 'ReduceMean', params: [[2, 3, 4]], attrs: { axes: [1, 2], keepdims: 0 } },
  ReduceSum: { op: 'ReduceSum', params: [[2, 3, 4]], consts: [C([0])] },
  ReduceMax: { op: 'ReduceMax', params: [[2, 3, 4]], attrs: { axes: [2] } },
  ReduceL2: { op: 'ReduceL2', params: [[2, 3]], attrs: { axes: [1] } },
  ReduceLogSumExp: { op: 'ReduceLogSumExp', params: [[2, 3]], attrs: { axes: [1] } },
  Einsum: {
    op: 'Einsum',
    params: [
      [2, 3, 4],
      [2, 4, 5],
    ],
    attrs: { equation: 'bij,bjk->bik' },
  },
  'Einsum sum-out': {
    op: 'Einsum',
    params: [
      [3, 4],
      [4, 2],
    ],
    attrs: { equation: 'ij,jk->k' },
  },
  Erf: { op: 'Erf', params: [[6]] },
  Tanh: { op: 'Tanh', params: [[6]] },
  Sigmoid: { op: 'Sigmoid', params: [[6]] },
  Exp: { op: 'Exp', params: [[6]] },
  Abs: { op: 'Abs', params: [[6]] },
  Neg: { op: 'Neg', params: [[6]] },
  Relu: { op: 'Relu', params: [[6]] },
  Identity: { op: 'Identity', params: [[6]] },
  Dropout: { op: 'Dropout', params: [[6]] },
};

function buildNode(g: Graph, c: OpCase, params: V[]): V {
  const values = new Map<string, V>();
  const names: string[] = [];
  let p = 0;
  c.params.forEach((shape, i) => {
    if (shape === null || (shape.length === 0 && c.op === 'Clip')) {
      // Clip's bounds: fixed constants inside the data range.
      const bound = c.op === 'Clip' ? g.scalar(i === 1 ? -0.2 : 0.25) : null;
      if (bound === null) return names.push('');
      values.set(`in${i}`, bound);
      return names.push(`in${i}`);
    }
    values.set(`in${i}`, params[p++]);
    names.push(`in${i}`);
  });
  if (c.op === 'Where') {
    values.set('cond', g.constant([1, 0, 1, 0, 0, 1], [2, 3]));
    names.unshift('cond');
  }
  (c.consts ?? []).forEach((k, i) => {
    values.set(`k${i}`, g.constant(k.data, k.shape));
    names.push(`k${i}`);
  });
  const node: OnnxNode = {
    name: 'n',
    opType: c.op,
    domain: '',
    inputs: names,
    outputs: Array.from({ length: c.outputs ?? 1 }, (_v, i) => `out${i}`),
    attributes: new Map(Object.entries(c.attrs ?? {})),
  };
  const outs = OPS[c.op](new OpContext(g, node, c.opset ?? 17, values, { bn: 'eval' }, () => 0));
  const read = (v: V) => g.sumAll(g.mul(g.unary('tanh', v), g.unary('sin', g.addV(v, g.scalar(0.3)))));
  return outs
    .slice(0, c.outputs ?? 1)
    .map(read)
    .reduce((a, b) => g.addV(a, b));
}

describe('ONNX operators: first and second derivatives against finite differences', () => {
  it.each(Object.keys(CASES))('%s', (name) => {
    const c = CASES[name];
    const shapes = c.params.filter((s): s is number[] => s !== null && !(s.length === 0 && c.op === 'Clip'));
    checkDerivatives({
      params: shapes.map((shape, k) => ({
        shape,
        init: c.positive ? (i) => 0.6 + 0.37 * ((i * 7 + k * 3) % 5) : (i) => Math.sin(1.7 * i + 0.9 * k + 0.4) * 1.3,
      })),
      build: (g, params) => buildNode(g, c, params),
    });
  });
});

describe('operator coverage', () => {
  it('covers every operator PyTorch emits for torchvision models and a GPT block', () => {
    const zoo = readJson<Record<string, Record<string, number>>>(fixture('zoo-ops.json'));
    const missing = Object.entries(zoo).flatMap(([model, ops]) =>
      Object.keys(ops)
        .filter((op) => !OPS[op])
        .map((op) => `${model}: ${op}`),
    );
    expect(missing).toEqual([]);
    expect(Object.keys(zoo)).toEqual([
      'resnet18',
      'mobilenet_v2',
      'vgg11_bn',
      'squeezenet1_1',
      'densenet121',
      'efficientnet_b0',
      'gpt_block',
    ]);
  });
});
