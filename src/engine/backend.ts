/**
 * The backend interface: a backend compiles a graph's outputs into an executable once and runs it
 * many times with fed leaves. Kernels are keyed by (op, backend): the CPU backend's table is
 * cpu/kernels.ts and is the reference every other backend is tested against on the same inputs.
 * Analyses only see the Objective/Evaluator, never a backend.
 */
import { CpuPlan, type DType, type Feeds } from './cpu/plan';
import type { Graph, V } from './graph';
import type { Buf, Node } from './ir';

export interface Executable {
  /** Run with the given leaves; the returned buffers are owned by the executable until the next run. */
  run(feeds: Feeds): Buf[];
  /** The nodes it computes, in order (for FLOP counts and profiles). */
  nodes(): Node[];
  /** Device memory it holds, in bytes. */
  readonly bytes: number;
}

export interface Backend {
  readonly name: string;
  compile(graph: Graph, outputs: V[], dtype: DType): Executable;
}

export const cpuBackend: Backend = {
  name: 'cpu',
  compile: (graph, outputs, dtype) => new CpuPlan(graph, outputs, dtype),
};
