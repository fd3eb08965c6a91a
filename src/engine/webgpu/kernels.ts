/**
 * The WebGPU backend's kernel table. Its type lists every computing op of the IR, so an op without
 * a kernel fails the build; the CPU table (cpu/kernels.ts) is the reference each is tested against.
 */
import type { Op } from '../ir';
import type { GpuKernel } from './kernel';
import { conv2dKernel, convBackInputKernel, convBackWeightKernel } from './kernels/conv';
import { elementwiseKernel } from './kernels/elementwise';
import { matmulKernel } from './kernels/matmul';
import {
  concatKernel,
  gatherMapKernel,
  gatherRowsKernel,
  scatterMapKernel,
  scatterRowsKernel,
  transposeKernel,
} from './kernels/movement';
import { avgpoolKernel, avgpoolTKernel, maxpoolGatherKernel, maxpoolScatterKernel } from './kernels/pool';
import { reduceKernel } from './kernels/reduce';

/** Ops that compute (leaves and constants are bound, reshapes alias their input). */
export type ComputeOp = Exclude<Op, 'input' | 'param' | 'buffer' | 'const' | 'reshape'>;

const e = elementwiseKernel;

export const GPU_KERNELS: Record<ComputeOp, GpuKernel> = {
  neg: e,
  exp: e,
  log: e,
  sqrt: e,
  tanh: e,
  sigmoid: e,
  erf: e,
  abs: e,
  relu: e,
  sin: e,
  cos: e,
  step: e,
  sign: e,
  floor: e,
  ceil: e,
  round: e,
  isnan: e,
  detach: e,
  add: e,
  sub: e,
  mul: e,
  div: e,
  pow: e,
  max: e,
  min: e,
  gt: e,
  ge: e,
  lt: e,
  le: e,
  eq: e,
  and: e,
  or: e,
  mod: e,
  where: e,
  expand: e,
  sum: reduceKernel,
  rmax: reduceKernel,
  transpose: transposeKernel,
  gatherMap: gatherMapKernel,
  scatterMap: scatterMapKernel,
  concat: concatKernel,
  gatherRows: gatherRowsKernel,
  scatterRows: scatterRowsKernel,
  matmul: matmulKernel,
  conv: conv2dKernel,
  convBackInput: convBackInputKernel,
  convBackWeight: convBackWeightKernel,
  maxpoolGather: maxpoolGatherKernel,
  maxpoolScatter: maxpoolScatterKernel,
  avgpool: avgpoolKernel,
  avgpoolT: avgpoolTKernel,
};

export function gpuKernel(op: Op): GpuKernel {
  const k = (GPU_KERNELS as Partial<Record<Op, GpuKernel>>)[op];
  if (!k) throw new Error(`The WebGPU backend has no kernel for '${op}'.`);
  return k;
}
