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
  /** Correct top-1 predictions in the batch (a scalar; cross-entropy only). */
  hits: V | null;
  /** The targets input the head reads: one-hot/soft class scores, or regression values. */
  targetShape: number[];
  /** Positions (samples × spatial/time cells) that one batch contributes to the mean. */
  positions: number;
}

/**
 * Cross-entropy on logits with a soft/one-hot target of the same shape, over the class axis: 1 for
 * PyTorch's layout [N, C, d1, ...], the last for a language model's [N, T, V]. A position whose
 * target row is all zero (an ignored position: padding) contributes nothing.
 */
export function crossEntropySum(g: Graph, logits: V, targets: V, classAxis = 1): V {
  const x = logits;
  const shift = g.detach(g.rmax(x, [classAxis]));
  const z = g.sub(x, shift);
  const logp = g.sub(z, g.unary('log', g.sum(g.unary('exp', z), [classAxis])));
  return g.neg(g.sumAll(g.mul(targets, logp)));
}

export function mseSum(g: Graph, y: V, targets: V): V {
  const d = g.sub(y, targets);
  return g.sumAll(g.mul(d, d));
}

export function buildLoss(g: Graph, kind: LossKind, output: V, classAxis = 1): LossHead {
  const shape = [...g.shape(output)];
  if (kind === 'cross-entropy') {
    if (shape.length < 2)
      throw new Error(
        `cross-entropy needs logits of shape [N, C, ...], but the model output has shape [${shape.join(', ')}]`,
      );
    const targets = g.input('targets', shape);
    return {
      sum: crossEntropySum(g, output, targets, classAxis),
      hits: hitsSum(g, output, targets, classAxis),
      targetShape: shape,
      positions: size(shape) / shape[classAxis],
    };
  }
  const targets = g.input('targets', shape);
  return { sum: mseSum(g, output, targets), hits: null, targetShape: shape, positions: size(shape) };
}

/**
 * The index of the first maximum along the class axis, as a float (exact below 2^24 classes), with
 * that axis kept as size 1: ties go to the lowest class, as a scan with a strict `>` picks.
 */
export function firstArgmax(g: Graph, x: V, classAxis = 1): V {
  const shape = g.shape(x);
  const C = shape[classAxis];
  const iotaShape = shape.map((d, i) => (i === classAxis ? d : 1));
  const iota = g.constant(
    Array.from({ length: C }, (_v, c) => c),
    iotaShape,
  );
  const isMax = g.binary('eq', x, g.rmax(x, [classAxis]));
  const candidate = g.where(isMax, iota, g.scalar(C));
  return g.neg(g.rmax(g.neg(candidate), [classAxis]));
}

/**
 * Σ over counted positions of [first argmax of the logits = first argmax of the target scores]. A
 * position counts when its target row has a positive sum: ignored (padding) positions, whose one-hot
 * row is all zero, are never hits.
 */
export function hitsSum(g: Graph, logits: V, targets: V, classAxis = 1): V {
  const same = g.binary('eq', firstArgmax(g, logits, classAxis), firstArgmax(g, targets, classAxis));
  const counted = g.binary('gt', g.sum(targets, [classAxis]), g.scalar(0));
  return g.sumAll(g.mul(same, counted));
}
