/** The WebGPU backend: float32 kernels from shaders/ on one device. */
import { type Backend, checkDType } from '../backend';
import { type GpuContext, openGpu } from './gpu';
import { GpuArray, GpuPlan } from './plan';

export function webgpuBackend(ctx: GpuContext): Backend {
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
    dispose: () => ctx.device.destroy(),
  };
  return backend;
}

export async function openWebGpuBackend(opts: { allowSoftware: boolean }): Promise<Backend & { gpu: GpuContext }> {
  const ctx = await openGpu(opts);
  return Object.assign(webgpuBackend(ctx), { gpu: ctx });
}
