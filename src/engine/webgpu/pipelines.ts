/**
 * Shader modules, pipelines and bind group layouts, compiled once per device and cached by their
 * final source text (prelude + kernel + the uniform block's size and binding).
 */
import prelude from '../../../shaders/prelude.wgsl?raw';

export interface Compiled {
  pipeline: GPUComputePipeline;
  layout: GPUBindGroupLayout;
}

const caches = new WeakMap<GPUDevice, Map<string, Promise<Compiled>>>();

/** The full source a kernel's shader compiles from. */
export function fullSource(source: string, storageBindings: number, uniformWords: number): string {
  return `${prelude}\n${source}`
    .replaceAll('UWORDS4', String(Math.max(1, Math.ceil(uniformWords / 4))))
    .replaceAll('UBINDING', String(storageBindings));
}

/** Compile (or find) a pipeline; a WGSL error rejects with the compiler's messages. */
export function compile(device: GPUDevice, source: string, writes: boolean[], uniformWords: number): Promise<Compiled> {
  let cache = caches.get(device);
  if (!cache) {
    cache = new Map();
    caches.set(device, cache);
  }
  const code = fullSource(source, writes.length, uniformWords);
  const key = `${writes.map((w) => (w ? 'w' : 'r')).join('')}|${code}`;
  let hit = cache.get(key);
  if (!hit) {
    const entries: GPUBindGroupLayoutEntry[] = writes.map((w, i) => ({
      binding: i,
      visibility: GPUShaderStage.COMPUTE,
      buffer: { type: w ? 'storage' : 'read-only-storage' },
    }));
    entries.push({ binding: writes.length, visibility: GPUShaderStage.COMPUTE, buffer: { type: 'uniform' } });
    const layout = device.createBindGroupLayout({ entries });
    hit = (async () => {
      // An error scope, not getCompilationInfo: the latter aborts Dawn's OpenGL ES backend.
      device.pushErrorScope('validation');
      const module = device.createShaderModule({ code });
      const pipeline = device.createComputePipeline({
        layout: device.createPipelineLayout({ bindGroupLayouts: [layout] }),
        compute: { module, entryPoint: 'main' },
      });
      const error = await device.popErrorScope();
      if (error) {
        const first = code.split('\n').find((l) => l.includes('@compute')) ?? '';
        throw new Error(`A WGSL kernel failed to compile (${first.trim()}): ${error.message}`);
      }
      return { pipeline, layout };
    })();
    cache.set(key, hit);
    hit.catch(() => cache.delete(key));
  }
  return hit;
}
