/**
 * Loss heads. Each builds the *sum* of the per-position loss over a batch; the evaluator divides by
 * the number of positions in the whole data set, so a short last batch is weighted by its size.
 */
import type { Graph, V } from './graph';
import { size } from './shape';

export type LossKind = 'cross-entropy' | 'mse';

export interface LossHead {
  /** Σ over the batch of the per-position loss (a scalar). */
  sum: V;
  /** The targets input the head reads: one-hot/soft class scores, or regression values. */
  targetShape: number[];
  /** Positions (samples × spatial/time cells) that one batch contributes to the mean. */
  positions: number;
}

/** Cross-entropy on logits [N, C, d1, ...] with a soft/one-hot target of the same shape (PyTorch's layout). */
export function crossEntropySum(g: Graph, logits: V, targets: V): V {
  const x = logits;
  const shift = g.detach(g.rmax(x, [1]));
  const z = g.sub(x, shift);
  const logp = g.sub(z, g.unary('log', g.sum(g.unary('exp', z), [1])));
  return g.neg(g.sumAll(g.mul(targets, logp)));
}

export function mseSum(g: Graph, y: V, targets: V): V {
  const d = g.sub(y, targets);
  return g.sumAll(g.mul(d, d));
}

export function buildLoss(g: Graph, kind: LossKind, output: V): LossHead {
  const shape = [...g.shape(output)];
  if (kind === 'cross-entropy') {
    if (shape.length < 2)
      throw new Error(
        `cross-entropy needs logits of shape [N, C, ...], but the model output has shape [${shape.join(', ')}]`,
      );
    const targets = g.input('targets', shape);
    return { sum: crossEntropySum(g, output, targets), targetShape: shape, positions: size(shape) / shape[1] };
  }
  const targets = g.input('targets', shape);
  return { sum: mseSum(g, output, targets), targetShape: shape, positions: size(shape) };
}
