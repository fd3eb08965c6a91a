/**
 * The evaluator every analysis uses: L(θ), ∇L(θ) and H(θ)·v over a whole data set. Analyses depend
 * on this interface only, never on a backend or on how batches are spread over threads.
 */
import type { EvalResult, Objective, Vec } from './objective';

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
  /** Replace BatchNorm running statistics (by name) for the following calls. */
  setBuffers(buffers: Map<string, Float32Array>): void;
  close(): Promise<void>;
}
