/** `saddle loss MODEL --data DATA.npz`: the loss, accuracy and gradient norm over a data set. */
import { describeBinding, type LossOptions, openEvaluator } from '../model/evaluator';
import { noteUnlessJson } from './progress';

export async function lossCommand(modelPath: string, opts: LossOptions): Promise<void> {
  const objective = await openEvaluator(modelPath, opts, (r) =>
    noteUnlessJson(opts)(describeBinding(opts.weights ?? '', r)),
  );
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
