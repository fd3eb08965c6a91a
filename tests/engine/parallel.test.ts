/** Worker threads (dist/worker.mjs, built by `npm test`) agree with one thread and are deterministic. */
import { describe, expect, it } from 'vitest';
import { loadDataset } from '../../src/data/load';
import { createEvaluator } from '../../src/evaluator/parallel';
import { loadOnnxFile } from '../../src/model/open';
import { fixture } from '../helpers';

describe('parallel evaluation', () => {
  it('matches one thread and repeats exactly', async () => {
    const model = await loadOnnxFile(fixture('engine', 'resnet_small.onnx'));
    const data = await loadDataset(fixture('engine', 'resnet_small-data.npz'));
    const options = { loss: 'cross-entropy' as const, bn: 'train' as const, batchSize: 6 };
    const one = createEvaluator(model, data, options, 1);
    const two = createEvaluator(model, data, options, 2);
    expect(two.threads).toBe(2);
    try {
      const theta = one.initialTheta();
      const v = Float32Array.from({ length: one.size }, (_x, j) => Math.cos(0.3 * j));
      const [g1, g2] = [await one.gradient(theta), await two.gradient(theta)];
      expect(Math.abs(g2.loss - g1.loss)).toBeLessThan(1e-12 * Math.abs(g1.loss));
      const [h1, h2, h2again] = [await one.hvp(theta, v), await two.hvp(theta, v), await two.hvp(theta, v)];
      const rel = (a: Float64Array, b: Float64Array) =>
        Math.sqrt(a.reduce((s, x, i) => s + (x - b[i]) ** 2, 0) / b.reduce((s, x) => s + x * x, 0));
      expect(rel(g2.grad, g1.grad)).toBeLessThan(1e-12);
      expect(rel(h2, h1)).toBeLessThan(1e-12);
      expect(h2again).toEqual(h2);
    } finally {
      await two.close();
    }
  });
});
