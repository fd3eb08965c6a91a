/**
 * Open a model, its data set and optional weights into an Evaluator: what every analysis needs,
 * shared by the CLI commands and the API service.
 */
import { subsample } from '../data/dataset';
import { loadDataset } from '../data/load';
import { type BackendChoice, selectBackendWithNotice } from '../engine/backends';
import type { LossKind } from '../engine/loss';
import { openCheckpoint } from '../formats/checkpoint';
import { type BindReport, bindWeights } from '../model/bind';
import { loadOnnxFile } from '../model/open';
import { weightTargets } from '../onnx-import/import';
import type { Evaluator } from './evaluator';
import type { ObjectiveOptions } from './objective';
import { createEvaluator } from './parallel';

export interface LossOptions {
  data: string;
  loss: 'auto' | LossKind;
  batchSize: number;
  samples?: number;
  seed: number;
  bn: 'eval' | 'train';
  /** The inputs' array, or input=array pairs (see DataOptions). */
  inputsKey?: string;
  /** `--inputs`: input=array pairs; wins over inputsKey. */
  inputs?: string;
  targetsKey?: string;
  threads: number;
  /** Run the CPU kernels on worker threads even for one thread (hosts with an event loop to keep free). */
  offMainThread?: boolean;
  /** Where kernels run: 'auto' (a hardware GPU when there is one, else the CPU) by default. */
  backend?: BackendChoice;
  weights?: string;
  scale?: number;
  mean?: number[];
  std?: number[];
  nhwc?: boolean;
  json?: boolean;
  /** Weights already bound by the caller (interpolation binds every checkpoint first); wins over `weights`. */
  boundWeights?: ObjectiveOptions['weights'];
}

/** One line saying what a checkpoint bound, for the CLI to print. */
export function describeBinding(file: string, r: BindReport): string {
  const notes = [
    r.prefix ? `prefix '${r.prefix}' stripped` : '',
    r.unexpected.length ? `${r.unexpected.length} unused key(s)` : '',
    r.missingBuffers.length ? `${r.missingBuffers.length} buffer(s) kept from the ONNX file` : '',
  ].filter(Boolean);
  return `weights: ${r.matched.length} tensors from ${file}${notes.length ? ` (${notes.join(', ')})` : ''}`;
}

export async function openEvaluator(
  modelPath: string,
  opts: LossOptions,
  onBound?: (report: BindReport) => void,
): Promise<Evaluator> {
  const model = await loadOnnxFile(modelPath);
  const data = subsample(
    await loadDataset(opts.data, {
      inputsKey: opts.inputs ?? opts.inputsKey,
      modelInputs: model.graph.inputs.filter((i) => !model.graph.initializers.has(i.name)).map((i) => i.name),
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
  let weights = opts.boundWeights;
  if (!weights && opts.weights) {
    const ckpt = openCheckpoint(opts.weights);
    try {
      const bound = bindWeights(weightTargets(model), ckpt);
      weights = { params: bound.params, buffers: bound.buffers };
      onBound?.(bound.report);
    } finally {
      ckpt.close();
    }
  }
  const { backend, notice } = await selectBackendWithNotice(opts.backend ?? 'auto');
  return createEvaluator(
    model,
    data,
    { loss, bn: opts.bn, batchSize: opts.batchSize, weights, backend, backendNotice: notice },
    opts.threads,
    opts.offMainThread,
  );
}
