/**
 * The part of compiling a graph that every backend shares: the nodes the outputs need, in
 * topological order, and a slot (buffer) for each value from a size-keyed pool, reused once the
 * value is dead. Reshapes alias their input's slot. Leaves and constants get slots of their own that
 * are never reused (they are refilled or rebound per run).
 */
import type { Graph, V } from './graph';
import type { Node } from './ir';
import { size } from './shape';

export interface Schedule {
  /** Elements of each slot (at least 1). */
  slotSizes: number[];
  /** Leaves (input, param, buffer) with their slots. */
  leaves: Array<{ node: Node; slot: number }>;
  /** Constants with their slots. */
  consts: Array<{ node: Node; slot: number }>;
  /** Computed nodes in order, with their input slots and output slot. */
  steps: Array<{ node: Node; ins: number[]; out: number }>;
  outputSlots: number[];
}

const LEAF_OPS = new Set(['input', 'param', 'buffer']);

export function neededNodes(graph: Graph, outputs: V[]): V[] {
  const seen = new Uint8Array(graph.nodes.length);
  const stack = [...outputs];
  while (stack.length) {
    const v = stack.pop()!;
    if (seen[v]) continue;
    seen[v] = 1;
    for (const i of graph.node(v).inputs) stack.push(i);
  }
  const out: V[] = [];
  for (let i = 0; i < seen.length; i++) if (seen[i]) out.push(i);
  return out;
}

export function schedule(graph: Graph, outputs: V[]): Schedule {
  const needed = neededNodes(graph, outputs);
  const root = new Map<V, V>();
  const rootOf = (v: V): V => root.get(v) ?? v;
  for (const id of needed) {
    const n = graph.node(id);
    if (n.op === 'reshape') root.set(id, rootOf(n.inputs[0]));
  }
  const lastUse = new Map<V, number>();
  needed.forEach((id, pos) => {
    for (const i of graph.node(id).inputs) lastUse.set(rootOf(i), pos);
  });
  for (const o of outputs) lastUse.set(rootOf(o), Number.POSITIVE_INFINITY);

  const s: Schedule = { slotSizes: [], leaves: [], consts: [], steps: [], outputSlots: [] };
  const slotOf = new Map<V, number>();
  const free = new Map<number, number[]>();
  const fresh = (n: number) => s.slotSizes.push(n) - 1;
  const take = (n: number): number => {
    const list = free.get(n);
    if (list?.length) return list.pop()!;
    return fresh(n);
  };
  needed.forEach((id, pos) => {
    const n = graph.node(id);
    if (n.op === 'reshape') {
      slotOf.set(id, slotOf.get(rootOf(id))!);
      return;
    }
    const len = Math.max(size(n.shape), 1);
    if (n.op === 'const') {
      const slot = fresh(len);
      s.consts.push({ node: n, slot });
      slotOf.set(id, slot);
      return;
    }
    const leaf = LEAF_OPS.has(n.op);
    const slot = leaf ? fresh(len) : take(len);
    slotOf.set(id, slot);
    if (leaf) s.leaves.push({ node: n, slot });
    else s.steps.push({ node: n, ins: n.inputs.map((i) => slotOf.get(i)!), out: slot });
    // Release inputs whose last use was this step (never leaves or constants).
    for (const i of n.inputs) {
      const r = rootOf(i);
      const rn = graph.node(r);
      if (lastUse.get(r) === pos && !LEAF_OPS.has(rn.op) && rn.op !== 'const') {
        const sl = slotOf.get(r)!;
        const l = Math.max(size(rn.shape), 1);
        const list = free.get(l) ?? [];
        if (!list.includes(sl)) list.push(sl);
        free.set(l, list);
        lastUse.delete(r);
      }
    }
  });
  s.outputSlots = outputs.map((o) => slotOf.get(o)!);
  return s;
}
