/**
 * The backends the op harness and the fixture tests run on besides the CPU. WebGPU needs an
 * adapter: on a machine without a GPU, Dawn's OpenGL ES over Mesa's llvmpipe. In CI (CI=true) an
 * unusable WebGPU fails the suite with the reason; elsewhere the GPU cases are skipped, saying why.
 */
import type { Backend } from '../../src/engine/backend';
import { selectBackend } from '../../src/engine/backends';

export async function openTestGpu(): Promise<{ backend: Backend | null; reason: string | null }> {
  try {
    return { backend: await selectBackend('webgpu'), reason: null };
  } catch (e) {
    const reason = e instanceof Error ? e.message : String(e);
    if (process.env.CI) throw new Error(`WebGPU must run in CI: ${reason}`);
    console.warn(`WebGPU cases skipped: ${reason}`);
    return { backend: null, reason };
  }
}
