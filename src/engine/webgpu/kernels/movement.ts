/**
 * Data movement on the GPU: transpose, static index maps (gather and its adjoint), concat, and row
 * gathers/scatters by run-time indices (embeddings). Semantics are cpu/movement.ts and the
 * gatherRows/scatterRows entries of cpu/kernels.ts.
 *
 * Out-of-range run-time indices: the CPU throws 'Gather index … is out of range'. A dispatch cannot
 * throw, so on the GPU an invalid index (not an integer in [-rows, rows)) makes its gathered row NaN
 * (gatherRows) or the whole scattered result NaN (scatterRows): the loss turns NaN instead of
 * silently using another row, and no buffer is ever read or written out of bounds.
 */
import gatherMapWgsl from '../../../../shaders/gather_map.wgsl?raw';
import gatherRowsWgsl from '../../../../shaders/gather_rows.wgsl?raw';
import concatWgsl from '../../../../shaders/movement_concat.wgsl?raw';
import transposeWgsl from '../../../../shaders/movement_transpose.wgsl?raw';
import transpose2dWgsl from '../../../../shaders/movement_transpose2d.wgsl?raw';
import scatterMapWgsl from '../../../../shaders/scatter_map.wgsl?raw';
import scatterRowsWgsl from '../../../../shaders/scatter_rows.wgsl?raw';
import scatterRowsSortWgsl from '../../../../shaders/scatter_rows_sort.wgsl?raw';
import { type Shape, size, stridesOf } from '../../shape';
import { type Dispatch, type GpuKernel, grid, input, type KernelContext, output } from '../kernel';

const MAX_RANK = 8;
/** A quiet NaN's bits, passed as a uniform: WGSL rejects NaN as a constant expression. */
const NAN_BITS = 0x7fc00000;
const read = (k: number) => ({ ref: input(k), write: false });
const write = { ref: output, write: true };

/** A plain copy (a transpose that only moves size-1 axes). */
function copy(n: number, ctx: KernelContext): Dispatch {
  return {
    source: concatWgsl,
    buffers: [read(0), write],
    uniforms: [n, Math.max(n, 1), Math.max(n, 1), 0],
    workgroups: grid(n, 256, ctx.limits),
  };
}

/**
 * The transpose with size-1 axes dropped and runs of axes that stay adjacent merged: the same data
 * movement at the smallest rank (so a batched matrix transpose is always perm [0, 2, 1] or [1, 0]).
 */
export function simplifyTranspose(shape: Shape, perm: readonly number[]): { shape: number[]; perm: number[] } {
  const keep = perm.filter((p) => shape[p] !== 1);
  // Merge output-adjacent axes that are input-adjacent too.
  const groups: number[][] = [];
  for (const p of keep) {
    const last = groups[groups.length - 1];
    if (last && last[last.length - 1] + 1 === p) last.push(p);
    else groups.push([p]);
  }
  const order = groups.map((g) => g[0]).sort((a, b) => a - b);
  const newShape = order.map((first) => size(groups.find((g) => g[0] === first)!.map((a) => shape[a])));
  const newPerm = groups.map((g) => order.indexOf(g[0]));
  return { shape: newShape, perm: newPerm };
}

export const transposeKernel: GpuKernel = (node, inShapes, ctx) => {
  const n = size(node.shape);
  const { shape, perm } = simplifyTranspose(inShapes[0], node.attrs.perm ?? []);
  const rank = shape.length;
  if (perm.every((p, i) => p === i)) return [copy(n, ctx)];
  const max = ctx.limits.maxComputeWorkgroupsPerDimension ?? 65535;
  // Batched matrix transpose: tiled through workgroup memory (coalesced reads and writes).
  if ((rank === 2 && perm[0] === 1) || (rank === 3 && perm[0] === 0 && perm[1] === 2)) {
    const [batch, rows, cols] = rank === 2 ? [1, shape[0], shape[1]] : shape;
    const tilesX = Math.ceil(cols / 32);
    const tilesY = Math.ceil(rows / 32);
    const perY = Math.max(1, Math.min(batch, Math.floor(max / tilesY)));
    const z = Math.ceil(batch / perY);
    if (tilesX <= max && tilesY <= max && z <= max) {
      return [
        {
          source: transpose2dWgsl,
          buffers: [read(0), write],
          uniforms: [rows, cols, batch, tilesY, perY],
          workgroups: [tilesX, tilesY * perY, z],
        },
      ];
    }
  }
  if (rank > MAX_RANK) throw new Error(`transpose supports rank ≤ ${MAX_RANK} (after merging axes), not ${rank}`);
  const inStrides = stridesOf(shape);
  const words = new Array<number>(8 + 2 * MAX_RANK).fill(0);
  words[0] = n;
  words[1] = rank;
  perm.forEach((p, d) => {
    words[8 + d] = shape[p];
    words[16 + d] = inStrides[p];
  });
  return [{ source: transposeWgsl, buffers: [read(0), write], uniforms: words, workgroups: grid(n, 256, ctx.limits) }];
};

export const gatherMapKernel: GpuKernel = (node, inShapes, ctx) => {
  const map = node.attrs.map as Int32Array;
  const n = size(node.shape);
  if (map.length !== n) throw new Error(`gatherMap: a map of ${map.length} entries for an output of ${n}`);
  return [
    {
      source: gatherMapWgsl,
      buffers: [read(0), { ref: ctx.table(map), write: false }, write],
      uniforms: [n, size(inShapes[0])],
      workgroups: grid(n, 256, ctx.limits),
    },
  ];
};

/**
 * The map inverted into CSR form, [offsets (m + 1), sources]: the sources of out[j] in increasing
 * i. Entries outside [0, m) contribute nowhere (as on the CPU, where they are dropped).
 */
export function invertMap(map: Int32Array, m: number): Int32Array {
  const counts = new Int32Array(m + 1);
  for (const j of map) if (j >= 0 && j < m) counts[j + 1]++;
  for (let j = 0; j < m; j++) counts[j + 1] += counts[j];
  const out = new Int32Array(m + 1 + counts[m]);
  out.set(counts);
  const cursor = counts.slice(0, m);
  for (let i = 0; i < map.length; i++) {
    const j = map[i];
    if (j >= 0 && j < m) out[m + 1 + cursor[j]++] = i;
  }
  return out;
}

export const scatterMapKernel: GpuKernel = (node, _inShapes, ctx) => {
  const m = size(node.shape);
  const tbl = invertMap(node.attrs.map as Int32Array, m);
  return [
    {
      source: scatterMapWgsl,
      buffers: [read(0), { ref: ctx.table(tbl), write: false }, write],
      uniforms: [m],
      workgroups: grid(m, 256, ctx.limits),
    },
  ];
};

export const concatKernel: GpuKernel = (node, inShapes, ctx) => {
  const axis = node.attrs.axis ?? 0;
  const outChunk = size(node.shape.slice(axis));
  const dispatches: Dispatch[] = [];
  let offset = 0;
  inShapes.forEach((s, k) => {
    const chunk = size(s.slice(axis));
    const n = size(s);
    if (n > 0) {
      dispatches.push({
        source: concatWgsl,
        buffers: [read(k), write],
        uniforms: [n, chunk, outChunk, offset],
        workgroups: grid(n, 256, ctx.limits),
      });
    }
    offset += chunk;
  });
  return dispatches;
};

export const gatherRowsKernel: GpuKernel = (node, inShapes, ctx) => {
  const rows = inShapes[0][0];
  const rowSize = size(inShapes[0].slice(1));
  const n = size(node.shape);
  return [
    {
      source: gatherRowsWgsl,
      buffers: [read(0), read(1), write],
      uniforms: [n, Math.max(rowSize, 1), rows, NAN_BITS],
      workgroups: grid(n, 256, ctx.limits),
    },
  ];
};

/**
 * out[idx[i]] += g[i] rows, deterministic: pass 1 sorts the (row, i) pairs stably (a counting sort
 * by rank, O(count²) but in workgroup memory), pass 2 gathers each output element's run of the
 * sorted list by binary search and sums it in increasing i (compensated).
 */
export const scatterRowsKernel: GpuKernel = (node, inShapes, ctx) => {
  const rows = node.shape[0];
  const rowSize = size(node.shape.slice(1));
  const count = size(inShapes[1]);
  const n = size(node.shape);
  const sorted = ctx.scratch(Math.max(1, 2 * count) * 4);
  return [
    {
      source: scatterRowsSortWgsl,
      buffers: [read(1), { ref: sorted, write: true }],
      uniforms: [count, rows],
      workgroups: grid(count, 256, ctx.limits),
    },
    {
      source: scatterRowsWgsl,
      buffers: [read(0), { ref: sorted, write: false }, write],
      uniforms: [n, Math.max(rowSize, 1), count, rows, NAN_BITS],
      workgroups: grid(n, 256, ctx.limits),
    },
  ];
};
