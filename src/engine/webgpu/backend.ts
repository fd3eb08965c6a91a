/** The WebGPU backend: float32 kernels from shaders/ on one device. */
import { type Backend, checkDType, type DeviceVectorOps } from '../backend';
import { type GpuContext, openGpu } from './gpu';
import { GpuArray, GpuPlan } from './plan';
import { gpuVectorOps } from './vectors';

export function webgpuBackend(ctx: GpuContext, vectors: DeviceVectorOps): Backend {
  const backend: Backend = {
    name: 'webgpu',
    description: `webgpu (${ctx.adapterName})`,
    dtypes: ['float32'],
    createArray: (length, dtype) => {
      checkDType(backend, dtype);
      return new GpuArray(ctx, length);
    },
    compile: async (graph, outputs, dtype) => {
      checkDType(backend, dtype);
      return GpuPlan.create(ctx, graph, outputs);
    },
    vectors,
    memory: () => ({ ...ctx.memory }),
    resetPeak: () => {
      ctx.memory.peak = ctx.memory.plans + ctx.memory.arrays;
    },
    dispose: () => ctx.device.destroy(),
  };
  return backend;
}

export async function openWebGpuBackend(opts: { allowSoftware: boolean }): Promise<Backend & { gpu: GpuContext }> {
  const ctx = await openGpu(opts);
  return Object.assign(webgpuBackend(ctx, await gpuVectorOps(ctx)), { gpu: ctx });
}
