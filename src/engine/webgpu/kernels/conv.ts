/**
 * 2-D convolution (cpu/conv.ts semantics: cross-correlation, groups, strides, pads, dilations) and its
 * two adjoints as implicit GEMMs on the tiled core (shaders/matmul_tile.wgsl), per group on
 * workgroup z, gathering the im2col operand on the fly (no column buffer):
 * - conv: M = O/G, N = N·OH·OW, K = C/G·KH·KW;
 * - convBackInput (dx, also ONNX ConvTranspose): a gather over the taps that reach each input pixel
 *   (dy against the flipped filter), split by stride phase so that only the taps that divide evenly
 *   enter the sum: per group and phase M = C/G, N = N·⌈H/sh⌉·⌈W/sw⌉, K = O/G·(taps of the phase);
 * - convBackWeight (dw): M = O/G, N = C/G·KH·KW, K = N·OH·OW, split into slices summed by a second
 *   pass in a fixed pairwise order (deterministic, and no long float32 chain).
 * x [N, C, H, W], w [O, C/G, KH, KW], y [N, O, OH, OW].
 */
import forwardWgsl from '../../../../shaders/conv_forward.wgsl?raw';
import geomWgsl from '../../../../shaders/conv_geom.wgsl?raw';
import inputWgsl from '../../../../shaders/conv_input.wgsl?raw';
import weightWgsl from '../../../../shaders/conv_weight.wgsl?raw';
import weightSumWgsl from '../../../../shaders/conv_weight_sum.wgsl?raw';
import type { ConvGeom, Node } from '../../ir';
import { type Shape, size } from '../../shape';
import { type BufRef, type Dispatch, type GpuKernel, grid, input, output } from '../kernel';
import { gemmGrid, gemmSource } from './matmul';

/** The most K slices of the weight gradient (the summing pass keeps them in a local array). */
const MAX_SLICES = 64;
/** The shortest K slice worth its own partial. */
const MIN_SLICE = 512;
/** The most scratch the slices may take, in floats (64 MiB). */
const MAX_SCRATCH = 16 * 1024 * 1024;

function geomOf(node: Node): ConvGeom {
  const g = node.attrs.conv;
  if (!g) throw new Error(`${node.op} node ${node.id} has no conv geometry`);
  return g;
}

/** The uniform words of conv_geom.wgsl, GEMM words (0..7) left to the caller. */
function convWords(xShape: Shape, wShape: Shape, yShape: Shape, geom: ConvGeom): number[] {
  const [N, C, H, W] = xShape;
  const [O, Cg, KH, KW] = wShape;
  const G = geom.group;
  const words = new Array<number>(32).fill(0);
  words.splice(
    8,
    18,
    N,
    C,
    H,
    W,
    O,
    KH,
    KW,
    yShape[2],
    yShape[3],
    G,
    Cg,
    O / G,
    geom.strides[0],
    geom.strides[1],
    geom.pads[0],
    geom.pads[1],
    geom.dilations[0],
    geom.dilations[1],
  );
  return words;
}

function source(hooks: string): string {
  return gemmSource(hooks.replace('GEOM', geomWgsl));
}

const reads = (...refs: BufRef[]) => refs.map((ref) => ({ ref, write: false }));

export const conv2dKernel: GpuKernel = (node, inShapes, ctx) => {
  const [xShape, wShape] = inShapes;
  const geom = geomOf(node);
  const words = convWords(xShape, wShape, node.shape, geom);
  const M = wShape[0] / geom.group;
  const N = xShape[0] * node.shape[2] * node.shape[3];
  const K = wShape[1] * wShape[2] * wShape[3];
  if (size(node.shape) === 0) return [];
  words.splice(0, 4, M, N, geom.group, K);
  return [
    {
      source: source(forwardWgsl),
      buffers: [...reads(input(0), input(1)), { ref: output, write: true }],
      uniforms: words,
      workgroups: gemmGrid(M, N, geom.group, ctx.limits),
    },
  ];
};

/**
 * The taps (kh for a row phase, or kw for a column phase) that reach input positions ≡ phase
 * (mod stride): those with (phase + pad - tap·dilation) divisible by the stride.
 */
function phaseTaps(phase: number, pad: number, k: number, stride: number, dilation: number): number[] {
  const taps: number[] = [];
  for (let t = 0; t < k; t++) if ((((phase + pad - t * dilation) % stride) + stride) % stride === 0) taps.push(t);
  return taps;
}

export const convBackInputKernel: GpuKernel = (node, inShapes, ctx) => {
  const [dyShape, wShape] = inShapes;
  const xShape = node.shape;
  const geom = geomOf(node);
  if (size(xShape) === 0) return [];
  const words = convWords(xShape, wShape, dyShape, geom);
  const [sh, sw] = geom.strides;
  const [H, W] = [xShape[2], xShape[3]];
  const phases = sh * sw;
  const HQ = Math.ceil(H / sh);
  const WQ = Math.ceil(W / sw);
  const M = wShape[1];
  const N = xShape[0] * HQ * WQ;
  words.splice(0, 7, M, N, geom.group * phases, 0, phases, HQ, WQ);
  // Per phase: its tap counts and the offsets of its kh and kw lists in the table.
  const list: number[] = [];
  for (let q = 0; q < phases; q++) {
    const kh = phaseTaps(Math.floor(q / sw), geom.pads[0], wShape[2], sh, geom.dilations[0]);
    const kw = phaseTaps(q % sw, geom.pads[1], wShape[3], sw, geom.dilations[1]);
    words[32 + 4 * q] = kh.length;
    words[33 + 4 * q] = kw.length;
    words[34 + 4 * q] = list.length;
    list.push(...kh);
    words[35 + 4 * q] = list.length;
    list.push(...kw);
  }
  return [
    {
      source: source(inputWgsl),
      buffers: [...reads(input(0), input(1)), { ref: output, write: true }, ...reads(ctx.table(Int32Array.from(list)))],
      uniforms: words,
      workgroups: gemmGrid(M, N, geom.group * phases, ctx.limits),
    },
  ];
};

export const convBackWeightKernel: GpuKernel = (node, inShapes, ctx) => {
  const [xShape, dyShape] = inShapes;
  const wShape = node.shape;
  const geom = geomOf(node);
  const words = convWords(xShape, wShape, dyShape, geom);
  const G = geom.group;
  const M = wShape[0] / G;
  const N = wShape[1] * wShape[2] * wShape[3];
  const K = dyShape[0] * dyShape[2] * dyShape[3];
  const n = size(wShape);
  if (n === 0) return [];
  // K slices: as many as keep each at least MIN_SLICE long, within MAX_SLICES and the scratch cap.
  const cap = Math.max(1, Math.min(MAX_SLICES, Math.floor(MAX_SCRATCH / n)));
  let slices = Math.max(1, Math.min(cap, Math.floor(K / MIN_SLICE)));
  const len = Math.max(16, Math.ceil(Math.ceil(K / slices) / 16) * 16);
  slices = Math.max(1, Math.ceil(K / len));
  words.splice(0, 6, M, N, G * slices, K, slices, len);
  const dest: BufRef = slices > 1 ? ctx.scratch(slices * n * 4) : output;
  const dispatches: Dispatch[] = [
    {
      source: source(weightWgsl),
      buffers: [...reads(input(0), input(1)), { ref: dest, write: true }],
      uniforms: words,
      workgroups: gemmGrid(M, N, G * slices, ctx.limits),
    },
  ];
  if (slices > 1) {
    dispatches.push({
      source: weightSumWgsl,
      buffers: [...reads(dest), { ref: output, write: true }],
      uniforms: [n, slices],
      workgroups: grid(n, 256, ctx.limits),
    });
  }
  return dispatches;
};
