import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openModelFile } from '../src/model/open';
import { fixture, readJson, requireSystemPath } from './helpers';

const TESTDATA = '/usr/share/libonnx-testdata/data/pytorch-converted';

describe('saddle info on the demo model', () => {
  it('lists the parameters that PyTorch counts', async () => {
    const info = await openModelFile(fixture('demo', 'demo.onnx'));
    const ref = readJson<{ nParams: number }>(fixture('demo', 'demo.json'));
    expect(info.nParams).toBe(ref.nParams);
    expect(info.params.map((p) => p.name)).toEqual([
      'conv1.weight',
      'conv1.bias',
      'bn1.weight',
      'bn1.bias',
      'conv2.weight',
      'conv2.bias',
      'bn2.weight',
      'bn2.bias',
      'fc.weight',
      'fc.bias',
    ]);
    expect(info.buffers).toEqual(
      expect.arrayContaining(['bn1.running_mean', 'bn1.running_var', 'bn2.running_mean', 'bn2.running_var']),
    );
    expect(info.ops).toEqual({ BatchNormalization: 2, Conv: 2, MaxPool: 2, Relu: 2, Flatten: 1, Gemm: 1 });
    expect(info.inputs).toEqual([{ name: 'input', shape: ['batch', 1, 16, 16], dtype: 'float' }]);
    expect(info.opset).toBe(17);
    expect(info.notes).toEqual([]);
  });
});

describe('saddle info on ONNX pytorch-converted test data', () => {
  const present = requireSystemPath(TESTDATA, 'libonnx-testdata');
  const expected = readJson<
    Record<
      string,
      { irVersion: number; opset: number; ops: Record<string, number>; params: unknown[]; nParams: number }
    >
  >(fixture('onnx-testdata-info.json'));
  const cases = present ? readdirSync(TESTDATA).filter((c) => c in expected) : [];
  it.runIf(present)('covers every committed case', () => {
    expect(cases.length).toBe(Object.keys(expected).length);
  });
  it.runIf(present).each(cases)('%s matches python3-onnx', async (name) => {
    const info = await openModelFile(join(TESTDATA, name, 'model.onnx'));
    const want = expected[name];
    expect(info.irVersion).toBe(want.irVersion);
    expect(info.opset).toBe(want.opset);
    expect(info.ops).toEqual(want.ops);
    expect(info.params).toEqual(want.params);
    expect(info.nParams).toBe(want.nParams);
  });
});
