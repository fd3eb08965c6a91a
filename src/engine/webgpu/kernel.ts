/**
 * What a WebGPU kernel is: a function of the node that returns the dispatches computing it, as data.
 * The plan compiles each dispatch's shader once (pipelines are cached by source), binds buffers by
 * slot and caches the bind groups, so a run is a replay of prebuilt dispatches.
 *
 * A shader's bindings are, in order: the storage buffers listed in `buffers` (binding 0, 1, ...),
 * then one uniform block `U` of u32 words (`uniforms`, read with the prelude's `u(i)` / `uf(i)`).
 */
import type { Node } from '../ir';
import type { Shape } from '../shape';

/** A buffer a dispatch binds: an input or the output of the node, or a buffer the kernel owns. */
export type BufRef =
  | { kind: 'input'; index: number }
  | { kind: 'output' }
  | { kind: 'scratch'; id: number }
  | { kind: 'table'; id: number };

export interface Dispatch {
  /** The shader's WGSL source (with the prelude and any defines already applied). */
  source: string;
  /** Whether each binding is written (read_write) or only read. */
  buffers: Array<{ ref: BufRef; write: boolean }>;
  /** u32 words; floats are bit-cast by the kernel (see `f32Bits`). */
  uniforms: number[];
  workgroups: [number, number, number];
}

/** What a kernel may ask of the plan while it is built. */
export interface KernelContext {
  /** A device scratch buffer of `bytes`, alive for this node's dispatches only. */
  scratch(bytes: number): BufRef;
  /** A read-only table uploaded once when the plan is built (index maps, inverted scatters). */
  table(data: Int32Array | Uint32Array | Float32Array): BufRef;
  /** Device limits (maxComputeWorkgroupsPerDimension, ...). */
  limits: Record<string, number>;
}

export type GpuKernel = (node: Node, inShapes: Shape[], ctx: KernelContext) => Dispatch[];

export const input = (index: number): BufRef => ({ kind: 'input', index });
export const output: BufRef = { kind: 'output' };

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);
/** The bits of a float32, to pass a float through the u32 uniform block. */
export function f32Bits(x: number): number {
  f32[0] = x;
  return u32[0];
}

/**
 * Workgroups for `n` invocations of `wg` threads, folded into two dimensions when one is not enough
 * (maxComputeWorkgroupsPerDimension is 65535 on most devices). Shaders recover the flat index with
 * the prelude's `flatIndex`.
 */
export function grid(n: number, wg: number, limits: Record<string, number>): [number, number, number] {
  const groups = Math.max(1, Math.ceil(n / wg));
  const max = limits.maxComputeWorkgroupsPerDimension ?? 65535;
  if (groups <= max) return [groups, 1, 1];
  const y = Math.ceil(groups / max);
  return [Math.ceil(groups / y), y, 1];
}
