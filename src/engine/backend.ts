/**
 * The backend contract: a backend compiles a graph's outputs into an executable once and runs it
 * many times. It is shaped for a device with its own memory (WebGPU) as much as for the CPU:
 * - leaves that stay fixed over many mini-batches (θ, the H·v direction v, BatchNorm statistics)
 *   live in device arrays, written once per call of the objective, not once per mini-batch;
 * - runs are asynchronous (a device reads back with mapAsync);
 * - mini-batch sums (loss, hits, gradient or H·v vectors) accumulate where the outputs are and are
 *   read back once per call with `takeSums`.
 * Kernels are keyed by (op, backend): the CPU backend's table (cpu/kernels.ts) is the reference
 * every other backend is tested against on the same inputs. Analyses never see a backend: they use
 * the evaluator (src/evaluator/).
 */
import type { Graph, V } from './graph';
import type { Buf, Node } from './ir';

export type DType = 'float32' | 'float64';
export type BackendName = 'cpu' | 'webgpu';
export const BACKEND_NAMES: readonly BackendName[] = ['cpu', 'webgpu'];

/** A leaf value that lives on the backend's device; rewritten in place, bound by reference. */
export interface DeviceArray {
  readonly length: number;
  readonly dtype: DType;
  /** Replace the contents (length must match). */
  write(data: ArrayLike<number> & { length: number }): void;
  dispose(): void;
}

/** A leaf given to a run: a host array (copied or aliased per run) or a device array (bound). */
export type LeafValue = Buf | DeviceArray;

export interface Feeds {
  /** Parameter tensors by parameter index. */
  params: LeafValue[];
  /** Inputs and buffers by name. */
  values: Map<string, LeafValue>;
}

export interface Executable {
  /** Run once and read every output back to the host (tests, folding, small programs). */
  run(feeds: Feeds): Promise<Buf[]>;
  /**
   * Run once and add every output, element by element, into this executable's running sums;
   * nothing is read back. Sums are float64 on the CPU and compensated float32 on a GPU.
   */
  accumulate(feeds: Feeds): void;
  /** The running sums as float64 (one array per output), reset to zero; null before any accumulate. */
  takeSums(): Promise<Float64Array[] | null>;
  /**
   * Device backends: add the running sums into a flat device array (output i from element
   * offsets[i]) and reset them, without reading anything back.
   */
  addSumsTo?(target: DeviceArray, offsets: number[]): Promise<void>;
  /** The nodes it computes, in order (for FLOP counts and profiles). */
  nodes(): Node[];
  /** Device memory it holds, in bytes. */
  readonly bytes: number;
  dispose(): void;
}

export interface Backend {
  readonly name: BackendName;
  /** What ran, for run records: 'cpu (WebAssembly SIMD)', 'webgpu (NVIDIA H200, vulkan)'. */
  readonly description: string;
  readonly dtypes: readonly DType[];
  createArray(length: number, dtype: DType): DeviceArray;
  /** Asynchronous: a device compiles its pipelines (and reports shader errors) before the first run. */
  compile(graph: Graph, outputs: V[], dtype: DType): Promise<Executable>;
  /** Vector arithmetic on this backend's arrays; absent on the CPU, whose analyses keep float64 host vectors. */
  readonly vectors?: DeviceVectorOps;
  /** Bytes of device buffers held (executables and arrays) and the most held at once; absent on the CPU. */
  memory?(): { plans: number; arrays: number; peak: number };
  /** Start a new peak from what is held now (one per analysis run). */
  resetPeak?(): void;
  /** Free the device (the backend is unusable afterwards). */
  dispose(): void;
}

/**
 * Vector arithmetic on a device's arrays, so analyses keep their vectors where H·v is computed (the
 * Krylov basis, probes, landscape points) and read back only scalars. Arrays are float32; dot
 * products are summed with compensation on the device and finished in float64. Lengths and offsets
 * count elements. Operations are queued in order; only `read` and `dot` wait for the device.
 */
export interface DeviceVectorOps {
  /** The most elements one array may hold (the device's binding limit). */
  readonly maxLength: number;
  /** A zero-filled array. */
  zeros(length: number): DeviceArray;
  read(a: DeviceArray): Promise<Float32Array>;
  /** dst[dstOffset + i] = src[srcOffset + i] for i < length. */
  copy(src: DeviceArray, srcOffset: number, dst: DeviceArray, dstOffset: number, length: number): void;
  /** Σ_i a[aOffset + i]·b[i] over b's length. */
  dot(a: DeviceArray, b: DeviceArray, aOffset?: number): Promise<number>;
  /** y += alpha·x[xOffset + i]. */
  axpy(alpha: number, x: DeviceArray, y: DeviceArray, xOffset?: number): void;
  /** x *= alpha. */
  scale(x: DeviceArray, alpha: number): void;
  /** out = x + a·y + b·z (z null: out = x + a·y). */
  affine(out: DeviceArray, x: DeviceArray, a: number, y: DeviceArray, b: number, z: DeviceArray | null): void;
  /** into[at + r] = Σ_i M[r·n + i]·x[i] for r < rows, n = x.length (Mᵀx for rows stored one after another). */
  project(M: DeviceArray, rows: number, x: DeviceArray, into: DeviceArray, at: number): void;
  /** y[i] += alpha·Σ_r c[at + r]·M[r·n + i] for r < rows, n = y.length. */
  combine(M: DeviceArray, rows: number, c: DeviceArray, at: number, alpha: number, y: DeviceArray): void;
}

/** Refuse a dtype the backend cannot compute in, with a sentence that says what to do. */
export function checkDType(backend: Backend, dtype: DType): void {
  if (!backend.dtypes.includes(dtype)) {
    throw new Error(
      `The ${backend.name} backend computes in ${backend.dtypes.join(' or ')}, not ${dtype}; use --backend cpu for ${dtype}.`,
    );
  }
}
