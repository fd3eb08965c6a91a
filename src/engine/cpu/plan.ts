/**
 * A compiled execution plan for the CPU backend: the nodes needed for the requested outputs in
 * topological order, each with its kernel and a buffer from a size-keyed pool that is reused once
 * the value is dead. Compiled once per input shape and run many times: a run is a loop over
 * prebuilt steps with no allocation.
 */
import type { Graph, V } from '../graph';
import type { Buf, Node } from '../ir';
import { size } from '../shape';
import { cpuKernel, type Kernel } from './kernels';

export type DType = 'float32' | 'float64';

/** Milliseconds per op kind, collected while set (SADDLE_PROFILE=1 in the bench). */
let opProfile: Map<string, number> | null = null;
export function profileOps(on: boolean): Map<string, number> | null {
  const previous = opProfile;
  opProfile = on ? new Map() : null;
  return previous;
}

export interface Feeds {
  /** Parameter tensors by parameter index. */
  params: Buf[];
  /** Inputs and buffers by name. */
  values: Map<string, Buf>;
}

interface Step {
  node: Node;
  kernel: Kernel;
  ins: number[];
  out: number;
}

export class CpuPlan {
  private readonly slots: Buf[] = [];
  private readonly steps: Step[] = [];
  private readonly leaves: Array<{ node: Node; slot: number }> = [];
  private readonly outputSlots: number[];
  private readonly inShapes: Array<Array<readonly number[]>> = [];

  constructor(
    private readonly graph: Graph,
    readonly outputs: V[],
    readonly dtype: DType = 'float32',
  ) {
    const alloc = (n: number): Buf => (dtype === 'float64' ? new Float64Array(n) : new Float32Array(n));
    const needed = this.neededNodes();
    // Reshapes alias their input's buffer; `root` follows the chain.
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

    const slotOf = new Map<V, number>();
    const free = new Map<number, number[]>();
    const take = (n: number): number => {
      const list = free.get(n);
      if (list?.length) return list.pop()!;
      this.slots.push(alloc(n));
      return this.slots.length - 1;
    };
    needed.forEach((id, pos) => {
      const n = graph.node(id);
      if (n.op === 'reshape') {
        slotOf.set(id, slotOf.get(rootOf(id))!);
        return;
      }
      const len = Math.max(size(n.shape), 1);
      if (n.op === 'const') {
        const slot = this.slots.push(alloc(len)) - 1;
        this.slots[slot].set(n.attrs.data as Float64Array);
        slotOf.set(id, slot);
        return;
      }
      const slot =
        n.op === 'input' || n.op === 'param' || n.op === 'buffer' ? this.slots.push(alloc(len)) - 1 : take(len);
      slotOf.set(id, slot);
      if (n.op === 'input' || n.op === 'param' || n.op === 'buffer') {
        this.leaves.push({ node: n, slot });
      } else {
        this.steps.push({ node: n, kernel: cpuKernel(n.op), ins: n.inputs.map((i) => slotOf.get(i)!), out: slot });
        this.inShapes.push(n.inputs.map((i) => graph.shape(i)));
      }
      // Release inputs whose last use was this step (never leaves or constants: they are refilled per run).
      for (const i of n.inputs) {
        const r = rootOf(i);
        const rn = graph.node(r);
        if (lastUse.get(r) === pos && !['input', 'param', 'buffer', 'const'].includes(rn.op)) {
          const s = slotOf.get(r)!;
          const l = Math.max(size(rn.shape), 1);
          const list = free.get(l) ?? [];
          if (!list.includes(s)) list.push(s);
          free.set(l, list);
          lastUse.delete(r);
        }
      }
    });
    this.outputSlots = outputs.map((o) => slotOf.get(o)!);
  }

  private neededNodes(): V[] {
    const seen = new Uint8Array(this.graph.nodes.length);
    const stack = [...this.outputs];
    while (stack.length) {
      const v = stack.pop()!;
      if (seen[v]) continue;
      seen[v] = 1;
      for (const i of this.graph.node(v).inputs) stack.push(i);
    }
    const out: V[] = [];
    for (let i = 0; i < seen.length; i++) if (seen[i]) out.push(i);
    return out;
  }

  /** Total bytes of all buffers this plan holds. */
  get bytes(): number {
    return this.slots.reduce((a, s) => a + s.byteLength, 0);
  }

  get stepCount(): number {
    return this.steps.length;
  }

  /** The nodes this plan computes, in order. */
  nodes(): Node[] {
    return this.steps.map((s) => s.node);
  }

  /** Run the plan; the returned buffers belong to the plan and are overwritten by the next run. */
  run(feeds: Feeds): Buf[] {
    for (const { node, slot } of this.leaves) {
      const src =
        node.op === 'param' ? feeds.params[node.attrs.index as number] : feeds.values.get(node.attrs.name as string);
      if (!src) throw new Error(`no value was fed for ${node.op} '${node.attrs.name}'`);
      const want = size(node.shape);
      if (src.length !== want)
        throw new Error(`${node.op} '${node.attrs.name}' needs ${want} values, got ${src.length}`);
      this.slots[slot].set(src);
    }
    const slots = this.slots;
    const profile = opProfile;
    for (let k = 0; k < this.steps.length; k++) {
      const s = this.steps[k];
      const t0 = profile ? performance.now() : 0;
      s.kernel(
        s.node,
        s.ins.map((i) => slots[i]),
        this.inShapes[k],
        slots[s.out],
      );
      if (profile) profile.set(s.node.op, (profile.get(s.node.op) ?? 0) + performance.now() - t0);
    }
    return this.outputSlots.map((s) => slots[s]);
  }
}
