/**
 * Batched matmul with NumPy broadcasting of the batch axes (cpu/matmul.ts): a [..., M, K] · b [..., K, N].
 * One dispatch of the tiled GEMM core (shaders/matmul_tile.wgsl: 64 × 64 tiles, K steps of 16 through
 * workgroup memory, 4 × 4 outputs per thread) with the batch on workgroup z.
 */
import matmulWgsl from '../../../../shaders/matmul.wgsl?raw';
import tileWgsl from '../../../../shaders/matmul_tile.wgsl?raw';
import { broadcastStrides, size } from '../../shape';
import type { Dispatch, GpuKernel } from '../kernel';
import { input, output } from '../kernel';

const MAX_BATCH_RANK = 8;

/** The GEMM core with a kernel's hooks spliced in. */
export function gemmSource(hooks: string): string {
  return tileWgsl.replace('HOOKS', hooks);
}

/** Workgroups for an M × N × Z GEMM on 64 × 64 tiles, clamped to the device (the shader loops over the rest). */
export function gemmGrid(M: number, N: number, Z: number, limits: Record<string, number>): [number, number, number] {
  const max = limits.maxComputeWorkgroupsPerDimension ?? 65535;
  return [Math.min(Math.ceil(N / 64), max), Math.min(Math.ceil(M / 64), max), Math.min(Z, max)];
}

export const matmulKernel: GpuKernel = (node, inShapes, ctx) => {
  const [aShape, bShape] = inShapes;
  const outShape = node.shape;
  const M = aShape[aShape.length - 2];
  const K = aShape[aShape.length - 1];
  const N = bShape[bShape.length - 1];
  const batchShape = outShape.slice(0, -2);
  const batch = size(batchShape);
  if (M === 0 || N === 0 || batch === 0) return [];
  if (batchShape.length > MAX_BATCH_RANK) {
    throw new Error(`matmul supports at most ${MAX_BATCH_RANK} batch axes, not ${batchShape.length}`);
  }
  const words = new Array<number>(8 + 3 * MAX_BATCH_RANK).fill(0);
  words[0] = M;
  words[1] = N;
  words[2] = batch;
  words[3] = K;
  words[4] = batchShape.length;
  const aStr = broadcastStrides(aShape.slice(0, -2), batchShape);
  const bStr = broadcastStrides(bShape.slice(0, -2), batchShape);
  batchShape.forEach((d, i) => {
    words[8 + i] = d;
    words[16 + i] = aStr[i];
    words[24 + i] = bStr[i];
  });
  const d: Dispatch = {
    source: gemmSource(matmulWgsl),
    buffers: [
      { ref: input(0), write: false },
      { ref: input(1), write: false },
      { ref: output, write: true },
    ],
    uniforms: words,
    workgroups: gemmGrid(M, N, batch, ctx.limits),
  };
  return [d];
};
