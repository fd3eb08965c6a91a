/** `--weights` from every checkpoint format reproduces PyTorch's float64 loss (fixtures/gen_files.py). */
import { describe, expect, it } from 'vitest';
import { loadDataset } from '../../src/data/load';
import { Objective } from '../../src/evaluator/objective';
import { openCheckpoint } from '../../src/formats/checkpoint';
import { bindWeights } from '../../src/model/bind';
import { loadOnnxFile } from '../../src/model/open';
import { weightTargets } from '../../src/onnx-import/import';
import { fixture, readJson } from '../helpers';

const ref = readJson<Record<string, number> & { adam: { name: string; expAvgSqSum: number } }>(
  fixture('files', 'reference.json'),
);
const FILES = [
  'cnn_bn-zip.pt',
  'cnn_bn-legacy.pt',
  'cnn_bn-module.pt',
  'cnn_bn-nested.pt',
  'cnn_bn-f32.safetensors',
  'cnn_bn-f16.safetensors',
  'cnn_bn-bf16.safetensors',
];

describe('weights from checkpoints', () => {
  it.each(FILES)('%s gives PyTorch’s loss within 1e-5', async (file) => {
    const model = await loadOnnxFile(fixture('engine', 'cnn_bn.onnx'));
    const data = await loadDataset(fixture('engine', 'cnn_bn-data.npz'));
    const ckpt = openCheckpoint(fixture('files', file));
    const bound = bindWeights(weightTargets(model), ckpt);
    ckpt.close();
    expect(bound.report.matched).toHaveLength(14);
    const obj = new Objective(model, data, { loss: 'cross-entropy', bn: 'eval', batchSize: 10, weights: bound });
    const loss = (await obj.evaluate(obj.initialTheta())).loss;
    expect(Math.abs(loss - ref[file]) / ref[file]).toBeLessThan(1e-5);
    expect(Math.abs(loss - ref.onnx)).toBeGreaterThan(1e-3);
  });

  it('reads the nested checkpoint’s optimizer state and scalars', () => {
    const ckpt = openCheckpoint(fixture('files', 'cnn_bn-nested.pt'));
    expect(ckpt.stateDictPath).toBe('model_state_dict');
    expect(ckpt.info).toMatchObject({ epoch: 3, best_acc: 0.5 });
    const adam = ckpt.optimizer?.get(ref.adam.name);
    const sum = adam?.expAvgSq?.read().reduce((a, b) => a + b, 0) ?? 0;
    expect(Math.abs(sum - ref.adam.expAvgSqSum) / ref.adam.expAvgSqSum).toBeLessThan(1e-5);
    expect(ckpt.optimizer?.size).toBe(10);
    ckpt.close();
  });

  it('reports every mismatch at once', async () => {
    const model = await loadOnnxFile(fixture('demo', 'demo.onnx'));
    const ckpt = openCheckpoint(fixture('files', 'cnn_bn-zip.pt'));
    expect(() => bindWeights(weightTargets(model), ckpt)).toThrow(
      /^weights reader: the checkpoint does not fit the model: shape mismatch: conv1\.weight \(expected \[8, 1, 3, 3\], got \[8, 3, 3, 3\]\); conv2\.weight .*fc\.weight \(expected \[4, 256\], got \[5, 108\]\).*bn2\.running_var \(expected \[16\], got \[12\]\) \(in '.*cnn_bn-zip\.pt'\)$/,
    );
    ckpt.close();
  });
});
