/**
 * A torchvision classifier at ImageNet size: ShuffleNetV2 (torchvision's class, reduced width) on
 * two 224×224 images stored as bytes and read with --scale 255, against float64 PyTorch
 * (fixtures/gen_models.py): loss within 1e-5 and gradient within 1e-4 relative.
 */
import { describe, expect, it } from 'vitest';
import { loadDataset } from '../../src/data/load';
import { Objective } from '../../src/evaluator/objective';
import { loadOnnxFile } from '../../src/model/open';
import { fixture, readJson } from '../helpers';

interface Ref {
  loss: number;
  accuracy: number;
  gradNorm: number;
  tensors: Array<{ name: string; size: number; gradNorm: number; indices: number[]; grad: number[] }>;
}

describe('torchvision at 224×224', () => {
  it('shufflenet_v2: loss and gradient against PyTorch', async () => {
    const dir = (f: string) => fixture('models', 'imagenet', f);
    const ref = readJson<Ref>(dir('shufflenet_v2_224-ref.json'));
    const data = await loadDataset(dir('shufflenet_v2_224-data.npz'), { scale: 255 });
    expect(data.inputs.shape).toEqual([2, 3, 224, 224]);
    const obj = new Objective(await loadOnnxFile(dir('shufflenet_v2_224.onnx')), data, {
      loss: 'cross-entropy',
      bn: 'eval',
      batchSize: 2,
    });
    expect(obj.params.map((p) => p.name)).toEqual(ref.tensors.map((t) => t.name));
    const g = await obj.gradient(obj.initialTheta());
    expect(Math.abs(g.loss - ref.loss) / ref.loss).toBeLessThan(1e-5);
    expect(g.accuracy).toBeCloseTo(ref.accuracy, 12);
    let num = 0;
    let den = 0;
    ref.tensors.forEach((t, k) => {
      const off = obj.params[k].offset;
      t.indices.forEach((j, i) => {
        num += (g.grad[off + j] - t.grad[i]) ** 2;
        den += t.grad[i] ** 2;
      });
    });
    expect(Math.sqrt(num / den)).toBeLessThan(1e-4);
    obj.dispose();
  });
});
