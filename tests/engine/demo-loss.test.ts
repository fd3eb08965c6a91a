import { describe, expect, it } from 'vitest';
import { loadDataset } from '../../src/data/load';
import { Objective } from '../../src/evaluator/objective';
import { loadOnnxFile } from '../../src/model/open';
import { fixture, readJson } from '../helpers';

describe('the demo model', () => {
  it('reproduces PyTorch float64 loss and accuracy, independent of the batch size', async () => {
    const model = await loadOnnxFile(fixture('demo', 'demo.onnx'));
    const data = await loadDataset(fixture('demo', 'demo-data.npz'));
    const ref = readJson<{ loss: number; accuracy: number }>(fixture('demo', 'demo.json'));
    for (const batchSize of [256, 100]) {
      const obj = new Objective(model, data, { loss: 'cross-entropy', bn: 'eval', batchSize });
      const r = await obj.evaluate(obj.initialTheta());
      expect(Math.abs(r.loss - ref.loss) / ref.loss).toBeLessThan(1e-5);
      expect(r.accuracy).toBeCloseTo(ref.accuracy, 10);
    }
  });
});
