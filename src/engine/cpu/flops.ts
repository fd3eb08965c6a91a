/** Floating-point operation counts of a plan's nodes (multiply-add = 2), for GFLOP/s reports. */
import type { Graph } from '../graph';
import type { Node } from '../ir';
import { size } from '../shape';

export function nodeFlops(g: Graph, n: Node): number {
  const out = size(n.shape);
  switch (n.op) {
    case 'conv': {
      const w = g.shape(n.inputs[1]);
      return 2 * out * w[1] * w[2] * w[3];
    }
    case 'convBackInput': {
      const dy = g.shape(n.inputs[0]);
      const w = g.shape(n.inputs[1]);
      return 2 * size(dy) * w[1] * w[2] * w[3];
    }
    case 'convBackWeight': {
      const dy = g.shape(n.inputs[1]);
      return 2 * size(dy) * n.shape[1] * n.shape[2] * n.shape[3];
    }
    case 'matmul': {
      const a = g.shape(n.inputs[0]);
      return 2 * out * a[a.length - 1];
    }
    case 'reshape':
    case 'input':
    case 'param':
    case 'buffer':
    case 'const':
      return 0;
    default:
      return out;
  }
}

export function planFlops(g: Graph, nodes: readonly Node[]): number {
  return nodes.reduce((acc, n) => acc + nodeFlops(g, n), 0);
}
