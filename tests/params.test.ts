import { describe, expect, it } from 'vitest';
import { readOnnx } from '../src/formats/onnx/read';
import { findParameters } from '../src/model/params';
import { buildOnnx } from './onnx-builder';

const f = (n: number) => Array.from({ length: n }, (_, i) => i / 10);

describe('trainable parameters of a graph', () => {
  it('excludes BatchNorm statistics and shape inputs, and follows Identity aliases', () => {
    const bytes = buildOnnx({
      inputs: [{ name: 'x', shape: ['n', 2, 4, 4] }],
      outputs: [{ name: 'y' }],
      initializers: {
        'conv.weight': { dims: [2, 2, 1, 1], data: f(4) },
        'bn1.weight': { dims: [2], data: [1, 1] },
        'bn1.bias': { dims: [2], data: [0, 0] },
        'bn1.running_mean': { dims: [2], data: [0, 0] },
        'bn1.running_var': { dims: [2], data: [1, 1] },
        shape: { dims: [2], data: [-1, 32], type: 'int64' },
        'shape.float': { dims: [2], data: [-1, 32] },
      },
      nodes: [
        { op: 'Conv', inputs: ['x', 'conv.weight'], outputs: ['c'] },
        { op: 'Identity', inputs: ['bn1.weight'], outputs: ['bn2.weight'] },
        {
          op: 'BatchNormalization',
          inputs: ['c', 'bn1.weight', 'bn1.bias', 'bn1.running_mean', 'bn1.running_var'],
          outputs: ['b'],
        },
        {
          op: 'BatchNormalization',
          inputs: ['b', 'bn2.weight', 'bn1.bias', 'bn1.running_mean', 'bn1.running_var'],
          outputs: ['b2'],
        },
        { op: 'Reshape', inputs: ['b2', 'shape'], outputs: ['r'] },
        { op: 'Reshape', inputs: ['r', 'shape.float'], outputs: ['y'] },
      ],
    });
    const report = findParameters(readOnnx(bytes, 'test.onnx').graph);
    expect(report.params.map((p) => p.name)).toEqual(['conv.weight', 'bn1.weight', 'bn1.bias']);
    expect(report.params.map((p) => p.size)).toEqual([4, 2, 2]);
    expect(report.aliases).toEqual([{ name: 'bn2.weight', of: 'bn1.weight' }]);
    expect(report.buffers).toEqual(['bn1.running_mean', 'bn1.running_var', 'shape.float']);
  });

  it('counts an initializer used both as data and as a shape as a parameter', () => {
    const bytes = buildOnnx({
      inputs: [{ name: 'x', shape: [2] }],
      outputs: [{ name: 'y' }],
      initializers: { w: { dims: [2], data: [1, 2] } },
      nodes: [
        { op: 'Mul', inputs: ['x', 'w'], outputs: ['m'] },
        { op: 'Expand', inputs: ['m', 'w'], outputs: ['y'] },
      ],
    });
    expect(findParameters(readOnnx(bytes, 't.onnx').graph).params.map((p) => p.name)).toEqual(['w']);
  });
});

describe('model notes', () => {
  it('name unsupported operators, their nodes and the opset when the model is opened', async () => {
    const { summarizeOnnx } = await import('../src/model/summary');
    const bytes = buildOnnx({
      inputs: [{ name: 'x', shape: [1, 2, 3] }],
      outputs: [{ name: 'y' }],
      nodes: [{ op: 'LSTM', inputs: ['x'], outputs: ['y'] }],
      opset: 14,
    });
    const info = summarizeOnnx(readOnnx(bytes, 'lstm.onnx'));
    expect(info.notes[0]).toBe(
      "Saddle cannot analyze this model yet: unsupported operator LSTM (node 'LSTM_0', opset 14).",
    );
  });
});
