/** `saddle loss MODEL --data DATA.npz`: the loss, accuracy and gradient norm over a data set. */
import { subsample } from '../data/dataset';
import { loadDataset } from '../data/load';
import { createEvaluator, type Evaluator } from '../engine/cpu/parallel';
import type { LossKind } from '../engine/loss';
import { loadOnnxFile } from '../model/open';

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
  json?: boolean;
}

export async function openEvaluator(modelPath: string, opts: LossOptions): Promise<Evaluator> {
  const model = await loadOnnxFile(modelPath);
  const data = subsample(
    await loadDataset(opts.data, { inputsKey: opts.inputsKey, targetsKey: opts.targetsKey }),
    opts.samples,
    opts.seed,
  );
  const loss: LossKind = opts.loss === 'auto' ? (data.targets.kind === 'indices' ? 'cross-entropy' : 'mse') : opts.loss;
  return createEvaluator(model, data, { loss, bn: opts.bn, batchSize: opts.batchSize }, opts.threads);
}

export async function lossCommand(modelPath: string, opts: LossOptions): Promise<void> {
  const objective = await openEvaluator(modelPath, opts);
  const started = performance.now();
  const r = await objective.gradient(objective.initialTheta()).finally(() => objective.close());
  const gradNorm = Math.sqrt(r.grad.reduce((a, x) => a + x * x, 0));
  const result = { loss: r.loss, accuracy: r.accuracy, gradNorm, samples: r.samples };
  if (opts.json) {
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return;
  }
  const seconds = (performance.now() - started) / 1000;
  const lines = [
    `loss       ${r.loss.toPrecision(8)}`,
    `accuracy   ${r.accuracy === null ? 'n/a (regression)' : `${(100 * r.accuracy).toFixed(2)}%`}`,
    `‖∇L‖       ${gradNorm.toPrecision(6)}`,
    `samples    ${r.samples}`,
    `parameters ${objective.size.toLocaleString('en-US')}`,
    `threads    ${objective.threads}`,
    `time       ${seconds.toFixed(2)} s`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}
