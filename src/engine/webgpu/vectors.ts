/**
 * Vector arithmetic on the device (DeviceVectorOps): what Lanczos, Hutchinson, SLQ and landscapes
 * need so their vectors never leave the GPU. Each operation is one dispatch queued in order; dot
 * products read back only their per-workgroup partials (at most 1,024 floats) and finish the sum
 * in float64, and projections onto a basis (Mᵀx) finish on the device.
 */
import affineWgsl from '../../../shaders/vector_affine.wgsl?raw';
import axpyWgsl from '../../../shaders/vector_axpy.wgsl?raw';
import combineWgsl from '../../../shaders/vector_combine.wgsl?raw';
import dotWgsl from '../../../shaders/vector_dot.wgsl?raw';
import dotFinishWgsl from '../../../shaders/vector_dot_finish.wgsl?raw';
import scaleWgsl from '../../../shaders/vector_scale.wgsl?raw';
import type { DeviceArray, DeviceVectorOps } from '../backend';
import type { GpuContext } from './gpu';
import { f32Bits, grid } from './kernel';
import { type Compiled, compile } from './pipelines';
import { GpuArray } from './plan';

/** Workgroups per row of a dot product: enough to fill a large GPU, few enough to read back. */
const MAX_GROUPS = 1024;

function gpuArray(a: DeviceArray): GpuArray {
  if (!(a instanceof GpuArray)) throw new Error('a vector operation was given an array of another backend');
  return a;
}

/** Compile every vector pipeline once (shader errors surface when the backend opens). */
export async function gpuVectorOps(ctx: GpuContext): Promise<DeviceVectorOps> {
  const { device } = ctx;
  const pipe = (source: string, writes: boolean[], words: number) => compile(device, source, writes, words);
  const p = {
    dot: await pipe(dotWgsl, [false, false, true], 3),
    finish: await pipe(dotFinishWgsl, [false, true], 2),
    axpy: await pipe(axpyWgsl, [false, true], 3),
    scale: await pipe(scaleWgsl, [true], 2),
    affine: await pipe(affineWgsl, [false, false, false, true], 3),
    combine: await pipe(combineWgsl, [false, false, true], 4),
  };
  // Dot partials, kept for the device's life (their bytes count as arrays): room for a 32-row
  // chunk of a basis (DeviceBasis's largest) at the most workgroups; grown if ever asked for more.
  let partials: GpuArray | null = new GpuArray(ctx, 32 * MAX_GROUPS);
  const partialsFor = (count: number): GpuArray => {
    if (!partials || partials.length < count) {
      partials?.dispose();
      partials = new GpuArray(ctx, count);
    }
    return partials;
  };

  const check = () => {
    if (ctx.lost) throw new Error(ctx.lost);
  };

  /** One dispatch: bind the buffers then a uniform block of u32 words, and submit. */
  const dispatch = (c: Compiled, buffers: GPUBuffer[], words: number[], workgroups: [number, number, number]) => {
    check();
    const data = new Uint32Array(Math.max(4, Math.ceil(words.length / 4) * 4));
    data.set(words);
    const uniform = device.createBuffer({
      size: data.byteLength,
      usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST,
    });
    device.queue.writeBuffer(uniform, 0, data);
    const entries = [...buffers, uniform].map((buffer, binding) => ({ binding, resource: { buffer } }));
    const enc = device.createCommandEncoder();
    const pass = enc.beginComputePass();
    pass.setPipeline(c.pipeline);
    pass.setBindGroup(0, device.createBindGroup({ layout: c.layout, entries }));
    pass.dispatchWorkgroups(...workgroups);
    pass.end();
    device.queue.submit([enc.finish()]);
    // Destroying after submit is safe: the device keeps it until the work that uses it is done.
    uniform.destroy();
  };

  const groupsFor = (n: number) => Math.max(1, Math.min(MAX_GROUPS, Math.ceil(n / 1024)));

  /** First pass of rows dot products into the shared partials; returns them and their count per row. */
  const dotPartials = (M: GpuArray, mOffset: number, rows: number, x: GpuArray) => {
    const n = x.length;
    if (mOffset + rows * n > M.length) throw new Error('internal: a dot product runs past its array');
    const groups = groupsFor(n);
    const part = partialsFor(rows * groups);
    dispatch(p.dot, [M.buffer, x.buffer, part.buffer], [n, mOffset, groups], [groups, rows, 1]);
    return { part, groups };
  };

  const read = async (a: GpuArray, length = a.length): Promise<Float32Array> => {
    check();
    const bytes = Math.max(4, length * 4);
    const staging = device.createBuffer({ size: bytes, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    try {
      const enc = device.createCommandEncoder();
      enc.copyBufferToBuffer(a.buffer, 0, staging, 0, bytes);
      device.queue.submit([enc.finish()]);
      await staging.mapAsync(GPUMapMode.READ);
      check();
      const out = new Float32Array(staging.getMappedRange()).slice(0, length);
      staging.unmap();
      return out;
    } finally {
      staging.destroy();
    }
  };

  return {
    maxLength: Math.floor(ctx.limits.maxStorageBufferBindingSize / 4),
    zeros: (length) => new GpuArray(ctx, length),
    read: (a) => read(gpuArray(a)),
    copy(src, srcOffset, dst, dstOffset, length) {
      check();
      if (length === 0) return;
      const enc = device.createCommandEncoder();
      enc.copyBufferToBuffer(gpuArray(src).buffer, srcOffset * 4, gpuArray(dst).buffer, dstOffset * 4, length * 4);
      device.queue.submit([enc.finish()]);
    },
    async dot(a, b, aOffset = 0) {
      const { part, groups } = dotPartials(gpuArray(a), aOffset, 1, gpuArray(b));
      const partial = await read(part, groups);
      let s = 0;
      for (const x of partial) s += x;
      return s;
    },
    axpy(alpha, x, y, xOffset = 0) {
      const n = y.length;
      dispatch(
        p.axpy,
        [gpuArray(x).buffer, gpuArray(y).buffer],
        [n, xOffset, f32Bits(alpha)],
        grid(n, 256, ctx.limits),
      );
    },
    scale(x, alpha) {
      dispatch(p.scale, [gpuArray(x).buffer], [x.length, f32Bits(alpha)], grid(x.length, 256, ctx.limits));
    },
    affine(out, x, a, y, b, z) {
      const n = out.length;
      const zz = z ?? y;
      dispatch(
        p.affine,
        [gpuArray(x).buffer, gpuArray(y).buffer, gpuArray(zz).buffer, gpuArray(out).buffer],
        [n, f32Bits(a), f32Bits(z ? b : 0)],
        grid(n, 256, ctx.limits),
      );
    },
    project(M, rows, x, into, at) {
      if (rows === 0) return;
      const { part, groups } = dotPartials(gpuArray(M), 0, rows, gpuArray(x));
      dispatch(p.finish, [part.buffer, gpuArray(into).buffer], [groups, at], [rows, 1, 1]);
    },
    combine(M, rows, c, at, alpha, y) {
      if (rows === 0) return;
      const n = y.length;
      dispatch(
        p.combine,
        [gpuArray(M).buffer, gpuArray(c).buffer, gpuArray(y).buffer],
        [n, rows, at, f32Bits(alpha)],
        grid(n, 256, ctx.limits),
      );
    },
  };
}
