/**
 * Picking a backend: `cpu`, `webgpu` (any adapter, software ones included, so tests can run on
 * llvmpipe) or `auto` (a hardware GPU when one is usable, else the CPU, with a notice saying why).
 * The GPU is opened once per process and shared.
 */
import type { Backend, BackendName } from './backend';
import { cpuBackend } from './cpu/backend';

export type BackendChoice = BackendName | 'auto';
export const BACKEND_CHOICES: readonly BackendChoice[] = ['auto', 'cpu', 'webgpu'];

export interface Selected {
  backend: Backend;
  /** Why `auto` did not use the GPU, when it did not. */
  notice: string | null;
}

const opened = new Map<string, Promise<Backend>>();

function openWebGpu(allowSoftware: boolean): Promise<Backend> {
  const key = allowSoftware ? 'any' : 'hardware';
  let p = opened.get(key);
  if (!p) {
    p = import('./webgpu/backend').then((m) => m.openWebGpuBackend({ allowSoftware }));
    // A failure is remembered too: probing again would cost the same and fail the same.
    opened.set(key, p);
  }
  return p;
}

export async function selectBackendWithNotice(choice: BackendChoice): Promise<Selected> {
  if (choice === 'cpu') return { backend: cpuBackend, notice: null };
  if (choice === 'webgpu') return { backend: await openWebGpu(true), notice: null };
  if (process.env.SADDLE_NO_GPU) return { backend: cpuBackend, notice: 'SADDLE_NO_GPU is set' };
  try {
    return { backend: await openWebGpu(false), notice: null };
  } catch (e) {
    return { backend: cpuBackend, notice: `the GPU was not used: ${e instanceof Error ? e.message : String(e)}` };
  }
}

export async function selectBackend(choice: BackendChoice): Promise<Backend> {
  return (await selectBackendWithNotice(choice)).backend;
}

export function parseBackendChoice(s: string): BackendChoice {
  if ((BACKEND_CHOICES as readonly string[]).includes(s)) return s as BackendChoice;
  throw new Error(`--backend must be one of ${BACKEND_CHOICES.join(', ')}, not '${s}'.`);
}
