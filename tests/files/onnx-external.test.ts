import { describe, expect, it } from 'vitest';
import { loadDataset } from '../../src/data/load';
import { Objective } from '../../src/evaluator/objective';
import { tensorValues } from '../../src/formats/onnx/tensor-data';
import { loadOnnxFile } from '../../src/model/open';
import { fixture } from '../helpers';

describe('ONNX external data', () => {
  it('loads initializers from the file beside the model', async () => {
    const data = await loadDataset(fixture('engine', 'mlp_tanh-data.npz'));
    const embedded = await loadOnnxFile(fixture('engine', 'mlp_tanh.onnx'));
    const external = await loadOnnxFile(fixture('files', 'mlp_tanh-ext.onnx'));
    const loss = async (m: typeof embedded) => {
      const o = new Objective(m, data, { loss: 'mse', bn: 'eval', batchSize: 16 });
      return (await o.evaluate(o.initialTheta())).loss;
    };
    expect(await loss(external)).toBe(await loss(embedded));
  });

  it('refuses external data outside the model folder', async () => {
    const model = await loadOnnxFile(fixture('files', 'mlp_tanh-ext.onnx'));
    const t = [...model.graph.initializers.values()][0];
    const hostile = { ...t, proto: { ...t.proto, externalData: [{ key: 'location', value: '../../../etc/passwd' }] } };
    expect(() => tensorValues(hostile, model.file)).toThrow(
      /points to external data '\.\.\/\.\.\/\.\.\/etc\/passwd' outside the model's folder; it was not read/,
    );
  });
});
