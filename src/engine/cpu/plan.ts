/**
 * A compiled execution plan for the CPU backend: the nodes needed for the requested outputs in
 * topological order, each with its kernel and a buffer from a size-keyed pool that is reused once
 * the value is dead. Compiled once per input shape and run many times: a run is a loop over
 * prebuilt steps with no allocation.
 */
import type { DType, Executable, Feeds, LeafValue } from '../backend';
import type { Graph, V } from '../graph';
import type { Buf, Node } from '../ir';
import { schedule } from '../schedule';
import { size } from '../shape';
import { cpuKernel, type Kernel } from './kernels';

export type { DType, Feeds } from '../backend';

/** Milliseconds per op kind, collected while set (SADDLE_PROFILE=1 in the bench). */
let opProfile: Map<string, number> | null = null;
export function profileOps(on: boolean): Map<string, number> | null {
  const previous = opProfile;
  opProfile = on ? new Map() : null;
  return previous;
}

interface Step {
  node: Node;
  kernel: Kernel;
  ins: number[];
  out: number;
}

export class CpuPlan implements Executable {
  private readonly slots: Buf[] = [];
  private readonly steps: Step[] = [];
  /** Leaves bind a fed array of the plan's dtype by reference; `own` holds converted copies. */
  private readonly leaves: Array<{ node: Node; slot: number; own: Buf }> = [];
  private readonly outputSlots: number[];
  private readonly inShapes: Array<Array<readonly number[]>> = [];
  private sums: Float64Array[] | null = null;

  constructor(
    graph: Graph,
    readonly outputs: V[],
    readonly dtype: DType = 'float32',
  ) {
    const alloc = (n: number): Buf => (dtype === 'float64' ? new Float64Array(n) : new Float32Array(n));
    const s = schedule(graph, outputs);
    for (const n of s.slotSizes) this.slots.push(alloc(n));
    for (const { node, slot } of s.consts) this.slots[slot].set(node.attrs.data as Float64Array);
    for (const { node, slot } of s.leaves) this.leaves.push({ node, slot, own: this.slots[slot] });
    for (const { node, ins, out } of s.steps) {
      this.steps.push({ node, kernel: cpuKernel(node.op), ins, out });
      this.inShapes.push(node.inputs.map((i) => graph.shape(i)));
    }
    this.outputSlots = s.outputSlots;
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

  async run(feeds: Feeds): Promise<Buf[]> {
    return this.execute(feeds);
  }

  /** The same as `run`, synchronously: the CPU computes on the calling thread anyway (tests, folding). */
  runNow(feeds: Feeds): Buf[] {
    return this.execute(feeds);
  }

  accumulate(feeds: Feeds): void {
    const outs = this.execute(feeds);
    if (!this.sums) this.sums = outs.map((o) => new Float64Array(o.length));
    outs.forEach((o, i) => {
      const sum = (this.sums as Float64Array[])[i];
      for (let j = 0; j < o.length; j++) sum[j] += o[j];
    });
  }

  async takeSums(): Promise<Float64Array[] | null> {
    const sums = this.sums;
    this.sums = null;
    return sums;
  }

  dispose(): void {
    this.slots.length = 0;
  }

  /** Bind (same dtype) or copy (converting) a fed leaf into its slot. */
  private bindLeaf(leaf: { node: Node; slot: number; own: Buf }, fed: LeafValue | undefined): void {
    const { node } = leaf;
    if (!fed) throw new Error(`no value was fed for ${node.op} '${node.attrs.name}'`);
    const src =
      fed instanceof Float32Array || fed instanceof Float64Array ? fed : (fed as unknown as { data?: Buf }).data;
    if (!src) throw new Error(`${node.op} '${node.attrs.name}' was fed an array of another backend`);
    const want = size(node.shape);
    if (src.length !== want) throw new Error(`${node.op} '${node.attrs.name}' needs ${want} values, got ${src.length}`);
    const sameType = this.dtype === 'float64' ? src instanceof Float64Array : src instanceof Float32Array;
    if (sameType) this.slots[leaf.slot] = src;
    else {
      leaf.own.set(src);
      this.slots[leaf.slot] = leaf.own;
    }
  }

  /** Run the plan; the returned buffers belong to the plan and are overwritten by the next run. */
  private execute(feeds: Feeds): Buf[] {
    for (const leaf of this.leaves) {
      const { node } = leaf;
      this.bindLeaf(
        leaf,
        node.op === 'param' ? feeds.params[node.attrs.index as number] : feeds.values.get(node.attrs.name as string),
      );
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
