/**
 * Loads the optional native kernels (native/build/saddle_kernels.node, built by `npm ci` where a C
 * compiler exists; see scripts/build-native.mjs) into the CPU backend, once per thread. Without the
 * addon, or with SADDLE_NATIVE=0, the engine keeps its WebAssembly kernels.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { type NativeKernels, useNativeKernels } from '../engine/cpu/native';
import { packageRoot } from '../resources';

let state: { isa: string | null; problem: string | null } | null = null;

/** Install the addon if it is there; returns the vector code it uses, or null (WebAssembly). */
export function loadNativeKernels(): string | null {
  if (state) return state.isa;
  state = { isa: null, problem: null };
  if (process.env.SADDLE_NATIVE === '0') return null;
  try {
    const file = join(packageRoot(), 'native', 'build', 'saddle_kernels.node');
    if (!existsSync(file)) return null;
    const kernels = createRequire(import.meta.url)(file) as NativeKernels;
    useNativeKernels(kernels);
    state.isa = kernels.isa();
  } catch (e) {
    // A stale or foreign build must not stop the engine: say why once, and compute in WebAssembly.
    state.problem = e instanceof Error ? e.message : String(e);
    process.emitWarning(`Saddle's native kernels did not load (${state.problem}); using WebAssembly.`);
  }
  return state.isa;
}
