/**
 * 2-D pooling on the GPU, as cpu/pool.ts: max pooling as "gather z at the argmax of x" and its
 * adjoint, average pooling and its adjoint. The adjoints are gathers over the windows holding each
 * input cell (no atomics), summed in increasing window order: deterministic, and the CPU's order.
 */
import poolArgmaxFn from '../../../../shaders/pool_argmax_fn.wgsl?raw';
import poolAvgWgsl from '../../../../shaders/pool_avg.wgsl?raw';
import poolAvgTWgsl from '../../../../shaders/pool_avg_t.wgsl?raw';
import poolCommon from '../../../../shaders/pool_common.wgsl?raw';
import poolMaxArgmaxWgsl from '../../../../shaders/pool_max_argmax.wgsl?raw';
import poolMaxGatherWgsl from '../../../../shaders/pool_max_gather.wgsl?raw';
import poolMaxScatterWgsl from '../../../../shaders/pool_max_scatter.wgsl?raw';
import type { PoolGeom } from '../../ir';
import { type Shape, size } from '../../shape';
import { type BufRef, type Dispatch, type GpuKernel, grid, input, type KernelContext, output } from '../kernel';

const withCommon = (src: string): string => src.replace('POOL_COMMON', poolCommon).replace('POOL_ARGMAX', poolArgmaxFn);

/** The uniform words of pool_common.wgsl for `n` invocations over x of xShape and windows yShape. */
function words(n: number, xShape: Shape, yShape: Shape, p: PoolGeom): number[] {
  const [N, C, H, W] = xShape;
  return [
    n,
    N * C,
    H,
    W,
    yShape[2],
    yShape[3],
    ...p.kernel,
    ...p.strides,
    p.pads[0],
    p.pads[1],
    ...p.dilations,
    p.pads[2],
    p.pads[3],
    p.countIncludePad ? 1 : 0,
  ];
}

function dispatch(
  src: string,
  bufs: Array<{ ref: BufRef; write: boolean }>,
  n: number,
  xShape: Shape,
  yShape: Shape,
  p: PoolGeom,
  ctx: KernelContext,
): Dispatch {
  return {
    source: withCommon(src),
    buffers: bufs,
    uniforms: words(n, xShape, yShape, p),
    workgroups: grid(n, 256, ctx.limits),
  };
}

const read = (k: number) => ({ ref: input(k), write: false });
const write = { ref: output, write: true };

/** Inputs [x, z]: y[o] = z[argmax of x over window o]. */
export const maxpoolGatherKernel: GpuKernel = (node, inShapes, ctx) => [
  dispatch(
    poolMaxGatherWgsl,
    [read(0), read(1), write],
    size(node.shape),
    inShapes[0],
    node.shape,
    node.attrs.pool!,
    ctx,
  ),
];

/** Inputs [x, g], output x's shape: out[argmax of window o] += g[o], as argmaxes then a gather. */
export const maxpoolScatterKernel: GpuKernel = (node, inShapes, ctx) => {
  const [xShape, gShape] = inShapes;
  const p = node.attrs.pool!;
  const windows = size(gShape);
  const arg = ctx.scratch(Math.max(1, windows) * 4);
  return [
    dispatch(poolMaxArgmaxWgsl, [read(0), { ref: arg, write: true }], windows, xShape, gShape, p, ctx),
    dispatch(poolMaxScatterWgsl, [read(1), { ref: arg, write: false }, write], size(xShape), xShape, gShape, p, ctx),
  ];
};

export const avgpoolKernel: GpuKernel = (node, inShapes, ctx) => [
  dispatch(poolAvgWgsl, [read(0), write], size(node.shape), inShapes[0], node.shape, node.attrs.pool!, ctx),
];

/** Input g (windows), output x's shape (attrs.perm). */
export const avgpoolTKernel: GpuKernel = (node, inShapes, ctx) => [
  dispatch(poolAvgTWgsl, [read(0), write], size(node.shape), node.shape, inShapes[0], node.attrs.pool!, ctx),
];
