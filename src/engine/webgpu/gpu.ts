/**
 * Opening a WebGPU device in Node through the `webgpu` package (Dawn). Real GPUs come through
 * Vulkan, Metal or D3D12; without one, Dawn's OpenGL ES backend over Mesa's llvmpipe gives a
 * software adapter in compatibility mode, used for correctness tests only (never by `auto`).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface GpuContext {
  device: GPUDevice;
  /** 'NVIDIA H200 (vulkan)', 'llvmpipe (opengles)'. */
  adapterName: string;
  /** Dawn's backend: vulkan, metal, d3d12, opengles. */
  api: string;
  software: boolean;
  limits: Record<string, number>;
  features: string[];
  /** Set once the device is lost; every later call fails with this sentence. */
  lost: string | null;
  /** Bytes of live device buffers: executables' (plans) and device arrays' (θ, v, analysis vectors). */
  memory: DeviceMemory;
}

export interface DeviceMemory {
  plans: number;
  arrays: number;
  /** The most plans + arrays held at once since the last resetPeak (staging buffers not counted). */
  peak: number;
}

/** Count a buffer created (bytes > 0) or destroyed (bytes < 0). */
export function trackMemory(ctx: GpuContext, kind: 'plans' | 'arrays', bytes: number): void {
  ctx.memory[kind] += bytes;
  ctx.memory.peak = Math.max(ctx.memory.peak, ctx.memory.plans + ctx.memory.arrays);
}

type DawnModule = { create(flags: string[]): GPU; globals: Record<string, unknown> };

let dawn: Promise<DawnModule> | null = null;
function loadDawn(): Promise<DawnModule> {
  dawn ??= import('webgpu').then((m) => {
    // Dawn's constants (GPUBufferUsage, GPUMapMode, ...) are globals in a browser; Node needs them put there.
    for (const [k, v] of Object.entries(m.globals as Record<string, unknown>)) {
      if (!(k in globalThis)) (globalThis as Record<string, unknown>)[k] = v;
    }
    return m as unknown as DawnModule;
  });
  return dawn;
}

const SOFTWARE = /llvmpipe|lavapipe|swiftshader|software|softpipe/i;

function describe(info: GPUAdapterInfo | undefined, api: string): { name: string; software: boolean } {
  const parts = [info?.vendor, info?.architecture, info?.device, info?.description].filter((s) => s && s.length > 0);
  const name = parts.length ? [...new Set(parts)].join(' ') : 'unknown adapter';
  return { name: `${name} (${api})`, software: SOFTWARE.test(name) || api === 'opengles' || api === 'opengl' };
}

/** The limits Saddle asks for: everything the adapter offers that matters to compute. */
const WANTED_LIMITS = [
  'maxStorageBufferBindingSize',
  'maxBufferSize',
  'maxStorageBuffersPerShaderStage',
  'maxComputeWorkgroupSizeX',
  'maxComputeWorkgroupSizeY',
  'maxComputeInvocationsPerWorkgroup',
  'maxComputeWorkgroupStorageSize',
  'maxComputeWorkgroupsPerDimension',
] as const;

const instances: GPU[] = [];

async function tryApi(m: DawnModule, api: string | null): Promise<GpuContext | null> {
  if (api === 'opengles') {
    process.env.EGL_PLATFORM ??= 'surfaceless';
    process.env.XDG_RUNTIME_DIR ??= '/tmp';
  }
  const gpu = m.create(api ? [`backend=${api}`] : []);
  // Instances stay referenced for the life of the process: Dawn aborts when one is collected while
  // another is in use.
  instances.push(gpu);
  const adapter = await gpu.requestAdapter(
    api === 'opengles'
      ? ({ featureLevel: 'compatibility' } as GPURequestAdapterOptions)
      : { powerPreference: 'high-performance' },
  );
  if (!adapter) return null;
  const requiredLimits: Record<string, number> = {};
  for (const k of WANTED_LIMITS) requiredLimits[k] = adapter.limits[k];
  const device = await adapter.requestDevice({ requiredLimits });
  const { name, software } = describe(adapter.info, api ?? 'default');
  const limits: Record<string, number> = {};
  for (const k of WANTED_LIMITS) limits[k] = device.limits[k];
  const ctx: GpuContext = {
    device,
    adapterName: name,
    api: api ?? 'default',
    software,
    limits,
    features: [...adapter.features].map(String),
    lost: null,
    memory: { plans: 0, arrays: 0, peak: 0 },
  };
  // Validation errors outside an error scope would only be printed; keep the first to fail on.
  device.addEventListener('uncapturederror', (ev) => {
    const err = (ev as GPUUncapturedErrorEvent).error;
    ctx.lost ??= `The GPU reported an error: ${err.message}`;
  });
  device.lost.then((info) => {
    ctx.lost = `The GPU device was lost (${info.reason}${info.message ? `: ${info.message}` : ''}).`;
  });
  return ctx;
}

/** Backends to try, best first: the platform's native API, then OpenGL ES (software here). */
function apis(): string[] {
  const forced = process.env.SADDLE_GPU_API;
  if (forced) return [forced];
  if (process.platform === 'darwin') return ['metal'];
  if (process.platform === 'win32') return ['d3d12', 'vulkan'];
  return ['vulkan', 'opengles'];
}

/**
 * Why probing `api` cannot find a usable adapter here, or null: OpenGL (ES) adapters count as
 * software (not for `auto`), and Vulkan needs its loader (libvulkan.so.1), which Dawn would otherwise complain about.
 */
function pointlessProbe(api: string, allowSoftware: boolean): string | null {
  if (!allowSoftware && (api === 'opengles' || api === 'opengl'))
    return 'counted as software (used only with --backend webgpu)';
  if (api === 'vulkan' && process.platform === 'linux' && !linuxLibraryPresent('libvulkan.so.1'))
    return 'no Vulkan loader (libvulkan.so.1) on this machine';
  return null;
}

/** Whether the dynamic loader can find `lib`: in LD_LIBRARY_PATH or in its cache (ldconfig). */
function linuxLibraryPresent(lib: string): boolean {
  for (const dir of (process.env.LD_LIBRARY_PATH ?? '').split(':').filter(Boolean))
    if (existsSync(join(dir, lib))) return true;
  try {
    return readFileSync('/etc/ld.so.cache').includes(lib);
  } catch {
    // No cache to read: let Dawn try.
    return true;
  }
}

/**
 * Open a device. Throws a sentence naming what was tried when no adapter is usable; with
 * `allowSoftware` false, a software adapter counts as none.
 */
export async function openGpu(opts: { allowSoftware: boolean }): Promise<GpuContext> {
  let m: DawnModule;
  try {
    m = await loadDawn();
  } catch (e) {
    throw new Error(`The webgpu package could not be loaded: ${e instanceof Error ? e.message : String(e)}`);
  }
  const tried: string[] = [];
  for (const api of apis()) {
    // Probing prints Dawn's warnings on stderr: skip the probes that cannot give what was asked.
    const skip = pointlessProbe(api, opts.allowSoftware);
    if (skip) {
      tried.push(`${api}: ${skip}`);
      continue;
    }
    let ctx: GpuContext | null = null;
    try {
      ctx = await tryApi(m, api);
    } catch (e) {
      tried.push(`${api}: ${e instanceof Error ? e.message : String(e)}`);
      continue;
    }
    if (!ctx) {
      tried.push(`${api}: no adapter`);
      continue;
    }
    if (ctx.software && !opts.allowSoftware) {
      tried.push(`${api}: only the software adapter ${ctx.adapterName}`);
      ctx.device.destroy();
      continue;
    }
    await checkReadBack(ctx);
    return ctx;
  }
  throw new Error(`No usable GPU adapter (${tried.join('; ')}).`);
}

/**
 * Electron forbids the external ArrayBuffers that Dawn's getMappedRange returns (its V8 memory
 * cage); find that out with a 16-byte read-back before any work is given to the device.
 */
async function checkReadBack(ctx: GpuContext): Promise<void> {
  const { device } = ctx;
  const buf = device.createBuffer({ size: 16, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  try {
    await buf.mapAsync(GPUMapMode.READ);
    new Float32Array(buf.getMappedRange()).slice();
    buf.unmap();
  } catch (e) {
    device.destroy();
    throw new Error(
      `GPU read-back is not possible in this process (${e instanceof Error ? e.message : String(e)}); Electron's memory cage refuses Dawn's mapped buffers.`,
    );
  } finally {
    buf.destroy();
  }
}
