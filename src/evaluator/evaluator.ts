/**
 * The evaluator every analysis uses: L(θ), ∇L(θ) and H(θ)·v over a whole data set. Analyses depend
 * on this interface only, never on a backend or on how batches are spread over threads.
 */
import type { EvalResult, Objective, Vec } from './objective';
import type { Vector, VectorSpace } from './vectors';

export interface Evaluator {
  readonly size: number;
  readonly params: Objective['params'];
  readonly threads: number;
  /** The backend that computes, as recorded in runs: 'cpu', 'webgpu (NVIDIA H200, vulkan)'. */
  readonly backend: string;
  /** Why `--backend auto` did not use the GPU, when it did not. */
  readonly backendNotice: string | null;
  initialTheta(): Float32Array;
  evaluate(theta: Vec): Promise<EvalResult>;
  gradient(theta: Vec): Promise<EvalResult & { grad: Float64Array }>;
  hvp(theta: Vec, v: Vec): Promise<Float64Array>;
  /**
   * Where analyses keep their P-vectors: host float64 on the CPU, the GPU's float32 arrays on a
   * device backend (see vectors.ts). The two calls below take and give vectors of this space.
   */
  readonly space: VectorSpace;
  evaluateAt(theta: Vector): Promise<EvalResult>;
  hvpAt(theta: Vector, v: Vector): Promise<Vector>;
  /** Device buffers held (executables, arrays) and the most held at once; null on the CPU. */
  deviceMemory(): { plans: number; arrays: number; peak: number } | null;
  /** Count the peak from now (at the start of a run). */
  resetDevicePeak(): void;
  /** Replace BatchNorm running statistics (by name) for the following calls. */
  setBuffers(buffers: Map<string, Float32Array>): void;
  close(): Promise<void>;
}
