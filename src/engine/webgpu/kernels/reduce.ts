/**
 * Sum and max over axes. Long reductions give each output a workgroup: 256 threads keep
 * compensated partial sums over strided slices, then a tree combines them, so the error grows
 * with log(n) rather than n; short ones (≤ 64 terms) give each output one thread.
 */
import reduceWgsl from '../../../../shaders/reduce.wgsl?raw';
import { type Shape, size, stridesOf } from '../../shape';
import { type GpuKernel, grid, input, output } from '../kernel';

const MAX_RANK = 8;
const SHORT = 64;

const TREE = `
var<workgroup> part: array<f32, 256>;
@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let o = wid.y * nwg.x + wid.x;
  let inRange = o < u(0u);
  var acc = INIT;
  var comp = 0.0;
  if (inRange) {
    let base = baseOf(o);
    for (var r = lid; r < u(1u); r = r + 256u) {
      let v = x[base + redOffset(r)];
      if (IS_SUM) {
        let y = v - comp;
        let t = acc + y;
        comp = (t - acc) - y;
        acc = t;
      } else {
        acc = combine(acc, v);
      }
    }
  }
  part[lid] = acc;
  workgroupBarrier();
  for (var s = 128u; s > 0u; s = s / 2u) {
    if (lid < s) { part[lid] = combine(part[lid], part[lid + s]); }
    workgroupBarrier();
  }
  if (lid == 0u && inRange) { out[o] = part[0]; }
}`;

const ROWS = `
@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let o = flatIndex(wid, nwg, lid, 64u);
  if (o >= u(0u)) { return; }
  let base = baseOf(o);
  var acc = INIT;
  for (var r = 0u; r < u(1u); r = r + 1u) { acc = combine(acc, x[base + redOffset(r)]); }
  out[o] = acc;
}`;

export const reduceKernel: GpuKernel = (node, inShapes, ctx) => {
  const shape: Shape = inShapes[0];
  if (shape.length > MAX_RANK) throw new Error(`reductions support rank ≤ ${MAX_RANK}, not ${shape.length}`);
  const axes = node.attrs.axes ?? [];
  const strides = stridesOf(shape);
  const kept = shape.map((_d, i) => i).filter((i) => !axes.includes(i));
  const words = new Array<number>(4 + 4 * MAX_RANK).fill(0);
  const nOut = size(node.shape);
  const nRed = size(axes.map((a) => shape[a]));
  words[0] = nOut;
  words[1] = nRed;
  words[2] = kept.length;
  words[3] = axes.length;
  kept.forEach((a, i) => {
    words[4 + i] = shape[a];
    words[12 + i] = strides[a];
  });
  axes.forEach((a, i) => {
    words[20 + i] = shape[a];
    words[28 + i] = strides[a];
  });
  const sum = node.op === 'sum';
  const tree = nRed > SHORT;
  const source = reduceWgsl
    .replace('COMBINE', sum ? 'a + b' : 'select(a, b, b > a || b != b)')
    .replace('BODY', tree ? TREE : ROWS)
    .replaceAll('INIT', sum ? '0.0' : 'negInf()')
    .replace('IS_SUM', sum ? 'true' : 'false');
  const workgroups = tree ? grid(nOut, 1, ctx.limits) : grid(nOut, 64, ctx.limits);
  return [
    {
      source,
      buffers: [
        { ref: input(0), write: false },
        { ref: output, write: true },
      ],
      uniforms: words,
      workgroups,
    },
  ];
};
