/** `saddle loss MODEL --data DATA.npz`: the loss, accuracy and gradient norm over a data set. */
import { describeBinding, type LossOptions, openEvaluator } from '../evaluator/open';
import { recorded } from '../runs/recorder';
import { noteUnlessJson, runSpec } from './progress';

export async function lossCommand(modelPath: string, opts: LossOptions & { db?: string }): Promise<void> {
  const objective = await openEvaluator(modelPath, opts, (r) =>
    noteUnlessJson(opts)(describeBinding(opts.weights ?? '', r)),
  );
  const started = performance.now();
  const { r, result } = await recorded(opts.db, runSpec('loss', modelPath, opts), async (rec) => {
    rec?.computedOn(objective);
    const r = await objective.gradient(objective.initialTheta());
    const gradNorm = Math.sqrt(r.grad.reduce((a, x) => a + x * x, 0));
    const result = { loss: r.loss, accuracy: r.accuracy, gradNorm, samples: r.samples };
    rec?.result('loss', result);
    return { r, result };
  }).finally(() => objective.close());
  const { gradNorm } = result;
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
    `backend    ${objective.backend}`,
    `time       ${seconds.toFixed(2)} s`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}
