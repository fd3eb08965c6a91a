/**
 * Open a model, its data set and optional weights into an Evaluator: what every analysis needs,
 * shared by the CLI commands and the API service.
 */
import { subsample } from '../data/dataset';
import { loadDataset } from '../data/load';
import { createEvaluator, type Evaluator } from '../engine/cpu/parallel';
import type { LossKind } from '../engine/loss';
import type { ObjectiveOptions } from '../engine/objective';
import { openCheckpoint } from '../formats/checkpoint';
import { weightTargets } from '../onnx-import/import';
import { bindWeights } from './bind';
import { loadOnnxFile } from './open';

export interface LossOptions {
  data: string;
  loss: 'auto' | LossKind;
  batchSize: number;
  samples?: number;
  seed: number;
  bn: 'eval' | 'train';
  inputsKey?: string;
  targetsKey?: string;
  threads: number;
  weights?: string;
  scale?: number;
  mean?: number[];
  std?: number[];
  nhwc?: boolean;
  json?: boolean;
}

export async function openEvaluator(modelPath: string, opts: LossOptions): Promise<Evaluator> {
  const model = await loadOnnxFile(modelPath);
  const data = subsample(
    await loadDataset(opts.data, {
      inputsKey: opts.inputsKey,
      targetsKey: opts.targetsKey,
      scale: opts.scale,
      mean: opts.mean,
      std: opts.std,
      nhwc: opts.nhwc,
    }),
    opts.samples,
    opts.seed,
  );
  const loss: LossKind = opts.loss === 'auto' ? (data.targets.kind === 'indices' ? 'cross-entropy' : 'mse') : opts.loss;
  let weights: ObjectiveOptions['weights'];
  if (opts.weights) {
    const ckpt = openCheckpoint(opts.weights);
    try {
      const bound = bindWeights(weightTargets(model), ckpt);
      weights = { params: bound.params, buffers: bound.buffers };
      const r = bound.report;
      const notes = [
        r.prefix ? `prefix '${r.prefix}' stripped` : '',
        r.unexpected.length ? `${r.unexpected.length} unused key(s)` : '',
        r.missingBuffers.length ? `${r.missingBuffers.length} buffer(s) kept from the ONNX file` : '',
      ].filter(Boolean);
      if (!opts.json)
        process.stderr.write(
          `weights: ${r.matched.length} tensors from ${opts.weights}${notes.length ? ` (${notes.join(', ')})` : ''}\n`,
        );
    } finally {
      ckpt.close();
    }
  }
  return createEvaluator(model, data, { loss, bn: opts.bn, batchSize: opts.batchSize, weights }, opts.threads);
}
