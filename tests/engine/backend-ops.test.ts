/**
 * Every IR op on every non-reference backend against the CPU backend, on the same float32 inputs:
 * the op's value, and the gradient and H·v of a nonlinear read-out of it (so each op's derivative
 * graphs run on the backend too). The case table is typed by op: an op without a case does not
 * compile, and the run checks that every case ran.
 * Tolerances (relative to the largest reference entry): value 2e-5, gradient 1e-4, H·v 1e-4.
 */
import { describe, expect, it } from 'vitest';
import type { Backend, Executable } from '../../src/engine/backend';
import { CpuPlan } from '../../src/engine/cpu/plan';
import { gradients } from '../../src/engine/grad';
import { Graph, type V } from '../../src/engine/graph';
import type { Buf, ConvGeom, PoolGeom } from '../../src/engine/ir';
import { size } from '../../src/engine/shape';
import type { ComputeOp } from '../../src/engine/webgpu/kernels';
import { rng } from './derivatives';
import { openTestGpu } from './gpu-available';

interface OpCase {
  params: number[][];
  positive?: boolean;
  /** Constant-free inputs fed as data (indices, conditions). */
  inputs?: Record<string, { shape: number[]; data: number[] }>;
  build(g: Graph, p: V[], inputs: Record<string, V>): V;
}

const conv = (o: Partial<ConvGeom> = {}): ConvGeom => ({
  strides: [1, 1],
  pads: [0, 0, 0, 0],
  dilations: [1, 1],
  group: 1,
  ...o,
});
const pool = (o: Partial<PoolGeom> = {}): PoolGeom => ({
  kernel: [2, 2],
  strides: [2, 2],
  pads: [0, 0, 0, 0],
  dilations: [1, 1],
  countIncludePad: false,
  ...o,
});
const unary = (op: ComputeOp & Parameters<Graph['unary']>[0], positive = false): OpCase[] => [
  { params: [[3, 5]], positive, build: (g, [a]) => g.unary(op, a) },
];
const binary = (op: Parameters<Graph['binary']>[0], positive = false): OpCase[] => [
  {
    params: [
      [2, 3, 4],
      [2, 3, 4],
    ],
    positive,
    build: (g, [a, b]) => g.binary(op, a, b),
  },
  {
    params: [
      [2, 3, 4],
      [3, 1],
    ],
    positive,
    build: (g, [a, b]) => g.binary(op, a, b),
  },
  { params: [[1], [2, 5]], positive, build: (g, [a, b]) => g.binary(op, a, b) },
];
/** A permutation map with a padded (-1) entry, and a map with repeated sources (a broadcast). */
const MAP = Int32Array.from([5, 0, 3, -1, 1, 1, 2, 4]);
/** A larger map, 300 entries onto 40 sources: many repeats (up to ~20 per source) and -1 pads. */
const BIG_MAP = Int32Array.from({ length: 300 }, (_v, i) => (i % 17 === 5 ? -1 : (i * 7 + (i >> 3)) % 40));
/** 300 row indices into 5 rows (more than one 256-wide tile), negative ones included. */
const MANY_ROWS = Array.from({ length: 300 }, (_v, i) => ((i * 13) % 9) - 4);
/** A tensor with ties (floor(2x) takes few values), for first-max-wins max pooling. */
const ties = (g: Graph, x: V): V => g.unary('floor', g.mul(x, g.scalar(2)));

const CASES: Record<ComputeOp, OpCase[]> = {
  neg: unary('neg'),
  exp: unary('exp'),
  log: unary('log', true),
  sqrt: unary('sqrt', true),
  tanh: unary('tanh'),
  sigmoid: unary('sigmoid'),
  erf: unary('erf'),
  abs: unary('abs'),
  relu: unary('relu'),
  sin: unary('sin'),
  cos: unary('cos'),
  step: unary('step'),
  sign: unary('sign'),
  floor: [{ params: [[3, 5]], build: (g, [a]) => g.unary('floor', g.mul(a, g.scalar(4))) }],
  ceil: [{ params: [[3, 5]], build: (g, [a]) => g.unary('ceil', g.mul(a, g.scalar(4))) }],
  round: [
    {
      params: [[3, 5]],
      inputs: { h: { shape: [4], data: [0.5, 1.5, 2.5, -0.5] } },
      build: (g, [a], { h }) =>
        g.concat([g.reshape(g.unary('round', g.mul(a, g.scalar(4))), [15]), g.unary('round', h)], 0),
    },
  ],
  isnan: unary('isnan'),
  detach: unary('detach'),
  add: binary('add'),
  sub: binary('sub'),
  mul: binary('mul'),
  div: binary('div', true),
  pow: [
    ...binary('pow', true),
    {
      params: [[6]],
      inputs: { e: { shape: [6], data: [2, 3, 2, 1, 0, 3] } },
      build: (g, [a], { e }) => g.binary('pow', a, e),
    },
  ],
  max: binary('max'),
  min: binary('min'),
  gt: binary('gt'),
  ge: binary('ge'),
  lt: binary('lt'),
  le: binary('le'),
  eq: [{ params: [[2, 3]], build: (g, [a]) => g.binary('eq', a, g.rmax(a, [1])) }],
  and: [
    {
      params: [
        [2, 3],
        [2, 3],
      ],
      build: (g, [a, b]) => g.binary('and', g.unary('step', a), g.unary('step', b)),
    },
  ],
  or: [
    {
      params: [
        [2, 3],
        [2, 3],
      ],
      build: (g, [a, b]) => g.binary('or', g.unary('step', a), g.unary('step', b)),
    },
  ],
  mod: [{ params: [[2, 3]], build: (g, [a]) => g.binary('mod', g.mul(a, g.scalar(7)), g.scalar(3)) }],
  where: [
    {
      params: [[2, 3], [3]],
      inputs: { c: { shape: [2, 1], data: [1, 0] } },
      build: (g, [a, b], { c }) => g.where(c, a, b),
    },
  ],
  expand: [{ params: [[3, 1]], build: (g, [a]) => g.expand(a, [2, 3, 4]) }],
  sum: [
    { params: [[2, 3, 4]], build: (g, [a]) => g.sum(a, [1]) },
    { params: [[2, 3, 4]], build: (g, [a]) => g.sum(a, [0, 2]) },
    { params: [[3000]], build: (g, [a]) => g.sumAll(a) },
  ],
  rmax: [
    { params: [[2, 3, 4]], build: (g, [a]) => g.rmax(a, [2]) },
    { params: [[2, 3, 4]], build: (g, [a]) => g.rmax(a, [0, 1]) },
  ],
  transpose: [
    { params: [[2, 3, 4]], build: (g, [a]) => g.transpose(a, [2, 0, 1]) },
    { params: [[5, 7]], build: (g, [a]) => g.transpose(a, [1, 0]) },
    { params: [[2, 3, 4, 5]], build: (g, [a]) => g.transpose(a, [0, 2, 1, 3]) },
    { params: [[2, 3, 4, 5]], build: (g, [a]) => g.transpose(a, [3, 1, 0, 2]) },
    { params: [[3, 2, 33, 40]], build: (g, [a]) => g.transpose(a, [0, 1, 3, 2]) },
    { params: [[1, 3, 1, 4]], build: (g, [a]) => g.transpose(a, [3, 2, 0, 1]) },
    { params: [[1, 3, 4, 1]], build: (g, [a]) => g.transpose(a, [3, 0, 1, 2]) },
  ],
  gatherMap: [
    { params: [[6]], build: (g, [a]) => g.gatherMap(a, MAP, [8]) },
    { params: [[4, 10]], build: (g, [a]) => g.gatherMap(a, BIG_MAP, [3, 100]) },
  ],
  scatterMap: [
    { params: [[8]], build: (g, [a]) => g.scatterMap(a, MAP, [6]) },
    { params: [[3, 100]], build: (g, [a]) => g.scatterMap(a, BIG_MAP, [40]) },
  ],
  concat: [
    {
      params: [
        [2, 3],
        [2, 2],
        [2, 1],
      ],
      build: (g, [a, b, c]) => g.concat([a, b, c], 1),
    },
    {
      params: [
        [1, 3],
        [2, 3],
      ],
      build: (g, [a, b]) => g.concat([a, b], 0),
    },
    {
      params: [
        [2, 1, 3],
        [2, 4, 3],
        [2, 2, 3],
        [2, 3, 3],
      ],
      build: (g, [a, b, c, d]) => g.concat([a, b, c, d], 1),
    },
    {
      params: [
        [2, 3, 2],
        [2, 3, 1],
        [2, 3, 3],
        [2, 3, 2],
      ],
      build: (g, [a, b, c, d]) => g.concat([a, b, c, d], -1),
    },
  ],
  gatherRows: [
    {
      params: [[5, 3]],
      inputs: { i: { shape: [2, 3], data: [4, 0, 4, 2, -1, 1] } },
      build: (g, [t], { i }) => g.add('gatherRows', [t, i]),
    },
    {
      params: [[5, 2, 3]],
      inputs: { i: { shape: [300], data: MANY_ROWS } },
      build: (g, [t], { i }) => g.add('gatherRows', [t, i]),
    },
  ],
  scatterRows: [
    {
      params: [[6, 3]],
      inputs: { i: { shape: [6], data: [1, 3, 1, 0, 1, 3] } },
      build: (g, [r], { i }) => g.add('scatterRows', [r, i], { perm: [4, 3] }),
    },
    {
      params: [[300, 2, 3]],
      inputs: { i: { shape: [300], data: MANY_ROWS } },
      build: (g, [r], { i }) => g.add('scatterRows', [r, i], { perm: [5, 2, 3] }),
    },
    {
      params: [[2, 3, 4]],
      inputs: { i: { shape: [2, 3], data: [-1, 0, 6, 6, -7, 2] } },
      build: (g, [r], { i }) => g.add('scatterRows', [r, i], { perm: [7, 4] }),
    },
  ],
  matmul: [
    {
      params: [
        [5, 7],
        [7, 3],
      ],
      build: (g, [a, b]) => g.matmul(a, b),
    },
    {
      params: [
        [2, 1, 4, 6],
        [3, 6, 5],
      ],
      build: (g, [a, b]) => g.matmul(a, b),
    },
    {
      params: [
        [70, 33],
        [33, 65],
      ],
      build: (g, [a, b]) => g.matmul(a, b),
    },
    // Tiling edges: M, N, K not multiples of the 64 × 64 × 16 tile; K past the blocked-sum steps.
    {
      params: [
        [130, 100],
        [100, 70],
      ],
      build: (g, [a, b]) => g.matmul(a, b),
    },
    // (Scaled after the op so that the sin/tanh read-out stays well conditioned.)
    {
      params: [
        [4, 1000],
        [1000, 3],
      ],
      build: (g, [a, b]) => g.mul(g.matmul(a, b), g.scalar(1 / 16)),
    },
    {
      params: [
        [2, 3, 33, 70],
        [70, 5],
      ],
      build: (g, [a, b]) => g.matmul(a, b),
    },
    {
      params: [
        [3, 1, 1, 17],
        [2, 17, 66],
      ],
      build: (g, [a, b]) => g.matmul(a, b),
    },
  ],
  conv: [
    {
      params: [
        [2, 3, 7, 6],
        [4, 3, 3, 2],
      ],
      build: (g, [x, w]) => g.conv(x, w, conv({ pads: [1, 0, 1, 1], strides: [2, 1] })),
    },
    {
      params: [
        [1, 4, 6, 6],
        [8, 1, 3, 3],
      ],
      build: (g, [x, w]) => g.conv(x, w, conv({ group: 4, pads: [1, 1, 1, 1] })),
    },
    {
      params: [
        [1, 2, 1, 9],
        [3, 2, 1, 3],
      ],
      build: (g, [x, w]) => g.conv(x, w, conv({ dilations: [1, 2] })),
    },
    {
      params: [
        [2, 16, 9, 9],
        [24, 16, 1, 1],
      ],
      build: (g, [x, w]) => g.conv(x, w, conv()),
    },
    {
      params: [
        [2, 5, 15, 13],
        [70, 5, 3, 3],
      ],
      build: (g, [x, w]) => g.conv(x, w, conv({ strides: [2, 2], pads: [1, 1, 1, 1] })),
    },
    {
      params: [
        [2, 6, 11, 9],
        [8, 3, 3, 3],
      ],
      build: (g, [x, w]) => g.conv(x, w, conv({ group: 2, dilations: [2, 1], pads: [2, 1, 0, 1] })),
    },
  ],
  convBackInput: [
    {
      params: [
        [1, 3, 4, 4],
        [3, 2, 3, 3],
      ],
      build: (g, [dy, w]) =>
        g.add('convBackInput', [dy, w], { conv: conv({ strides: [2, 2], pads: [1, 1, 1, 1] }), perm: [1, 2, 8, 8] }),
    },
    // As ONNX ConvTranspose with an output padding of 1 (bottom row and right column untouched), group 3.
    {
      params: [
        [2, 6, 5, 4],
        [6, 2, 3, 3],
      ],
      build: (g, [dy, w]) =>
        g.add('convBackInput', [dy, w], {
          conv: conv({ strides: [2, 2], pads: [1, 1, 1, 1], group: 3 }),
          perm: [2, 6, 10, 8],
        }),
    },
    {
      params: [
        [1, 70, 6, 6],
        [70, 20, 3, 3],
      ],
      build: (g, [dy, w]) =>
        g.add('convBackInput', [dy, w], { conv: conv({ strides: [2, 2], pads: [1, 1, 1, 1] }), perm: [1, 20, 12, 12] }),
    },
    // A 1 × 1 stride-2 kernel (three of four stride phases have no taps), and stride 3 with dilation 2.
    {
      params: [
        [2, 8, 4, 4],
        [8, 6, 1, 1],
      ],
      build: (g, [dy, w]) => g.add('convBackInput', [dy, w], { conv: conv({ strides: [2, 2] }), perm: [2, 6, 8, 7] }),
    },
    {
      params: [
        [1, 4, 3, 3],
        [4, 2, 3, 3],
      ],
      build: (g, [dy, w]) =>
        g.add('convBackInput', [dy, w], {
          conv: conv({ strides: [3, 3], dilations: [2, 2], pads: [2, 1, 0, 2] }),
          perm: [1, 2, 10, 9],
        }),
    },
  ],
  convBackWeight: [
    {
      params: [
        [2, 3, 6, 5],
        [2, 4, 3, 6],
      ],
      build: (g, [x, dy]) =>
        g.add('convBackWeight', [x, dy], { conv: conv({ strides: [2, 1], pads: [1, 1, 0, 1] }), perm: [4, 3, 3, 2] }),
    },
    // A long sum over N·OH·OW (2304: four K slices added pairwise), group 2.
    {
      params: [
        [4, 4, 24, 24],
        [4, 6, 24, 24],
      ],
      build: (g, [x, dy]) =>
        g.add('convBackWeight', [x, dy], { conv: conv({ pads: [1, 1, 1, 1], group: 2 }), perm: [6, 2, 3, 3] }),
    },
    // 8192 terms per weight: 16 slices (scaled after the op so that the read-out stays well conditioned).
    {
      params: [
        [8, 2, 32, 32],
        [8, 2, 32, 32],
      ],
      build: (g, [x, dy]) =>
        g.mul(
          g.add('convBackWeight', [x, dy], { conv: conv({ pads: [1, 1, 1, 1] }), perm: [2, 2, 3, 3] }),
          g.scalar(1 / 64),
        ),
    },
    {
      params: [
        [2, 3, 9, 8],
        [2, 70, 4, 4],
      ],
      build: (g, [x, dy]) => g.add('convBackWeight', [x, dy], { conv: conv({ strides: [2, 2] }), perm: [70, 3, 3, 2] }),
    },
  ],
  maxpoolGather: [
    { params: [[2, 3, 6, 6]], build: (g, [x]) => g.maxpool(x, pool()) },
    {
      params: [[1, 2, 7, 7]],
      build: (g, [x]) => g.maxpool(x, pool({ kernel: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] })),
    },
    {
      params: [[1, 2, 6, 5]],
      build: (g, [x]) => g.maxpool(x, pool({ kernel: [3, 2], strides: [1, 1], pads: [1, 0, 1, 1] })),
    },
    {
      params: [[2, 1, 7, 8]],
      build: (g, [x]) => g.maxpool(x, pool({ kernel: [2, 3], strides: [1, 2], dilations: [2, 2], pads: [0, 1, 1, 1] })),
    },
    // ceil-mode border: the last window starts inside x and runs past it into the end padding.
    {
      params: [[1, 1, 6, 6]],
      build: (g, [x]) => g.maxpool(x, pool({ kernel: [3, 3], strides: [2, 2], pads: [0, 0, 1, 1] })),
    },
    {
      params: [
        [1, 2, 5, 5],
        [1, 2, 5, 5],
      ],
      build: (g, [x, z]) =>
        g.add('maxpoolGather', [ties(g, x), z], { pool: pool({ kernel: [3, 3], strides: [1, 1] }), perm: [3, 3] }),
    },
  ],
  maxpoolScatter: [
    {
      params: [
        [1, 2, 5, 5],
        [1, 2, 2, 2],
      ],
      build: (g, [x, dy]) => g.add('maxpoolScatter', [x, dy], { pool: pool({ kernel: [3, 3] }), perm: [1, 2, 5, 5] }),
    },
    {
      params: [
        [1, 2, 6, 6],
        [1, 2, 6, 6],
      ],
      build: (g, [x, dy]) =>
        g.add('maxpoolScatter', [x, dy], {
          pool: pool({ kernel: [3, 3], strides: [1, 1], pads: [1, 1, 1, 1] }),
          perm: [1, 2, 6, 6],
        }),
    },
    {
      params: [
        [2, 1, 7, 8],
        [2, 1, 6, 3],
      ],
      build: (g, [x, dy]) =>
        g.add('maxpoolScatter', [x, dy], {
          pool: pool({ kernel: [2, 3], strides: [1, 2], dilations: [2, 2], pads: [0, 1, 1, 1] }),
          perm: [2, 1, 7, 8],
        }),
    },
    {
      params: [
        [1, 2, 5, 5],
        [1, 2, 3, 3],
      ],
      build: (g, [x, dy]) =>
        g.add('maxpoolScatter', [ties(g, x), dy], {
          pool: pool({ kernel: [3, 3], strides: [1, 1] }),
          perm: [1, 2, 5, 5],
        }),
    },
  ],
  avgpool: [
    { params: [[2, 3, 6, 6]], build: (g, [x]) => g.avgpool(x, pool()) },
    {
      params: [[1, 2, 5, 5]],
      build: (g, [x]) => g.avgpool(x, pool({ kernel: [3, 3], pads: [1, 1, 1, 1], countIncludePad: true })),
    },
    {
      params: [[1, 2, 6, 5]],
      build: (g, [x]) => g.avgpool(x, pool({ kernel: [3, 2], strides: [1, 1], pads: [1, 0, 1, 1] })),
    },
    // ceil-mode borders (extra end padding), counted and not counted.
    {
      params: [[1, 2, 6, 6]],
      build: (g, [x]) =>
        g.avgpool(x, pool({ kernel: [3, 3], strides: [2, 2], pads: [0, 0, 1, 1], countIncludePad: true })),
    },
    {
      params: [[1, 2, 6, 7]],
      build: (g, [x]) =>
        g.avgpool(x, pool({ kernel: [3, 3], strides: [2, 2], pads: [1, 0, 2, 1], countIncludePad: false })),
    },
  ],
  avgpoolT: [
    {
      params: [[1, 2, 3, 3]],
      build: (g, [dy]) =>
        g.add('avgpoolT', [dy], { pool: pool({ kernel: [3, 3], pads: [1, 1, 1, 1] }), perm: [1, 2, 5, 5] }),
    },
    {
      params: [[1, 2, 6, 6]],
      build: (g, [dy]) =>
        g.add('avgpoolT', [dy], {
          pool: pool({ kernel: [3, 3], strides: [1, 1], pads: [1, 1, 1, 1], countIncludePad: true }),
          perm: [1, 2, 6, 6],
        }),
    },
    {
      params: [[1, 2, 4, 2]],
      build: (g, [dy]) =>
        g.add('avgpoolT', [dy], {
          pool: pool({ kernel: [3, 3], strides: [2, 2], pads: [1, 0, 2, 1], countIncludePad: true }),
          perm: [1, 2, 6, 5],
        }),
    },
  ],
};

interface Built {
  graph: Graph;
  outputs: V[];
  params: number[][];
  feeds: { params: Float32Array[]; values: Map<string, Buf> };
}

function build(c: OpCase, seed: number): Built {
  const r = rng(seed);
  const g = new Graph();
  const params = c.params.map((s, i) => g.param(i, `p${i}`, s));
  const inputs: Record<string, V> = {};
  const values = new Map<string, Buf>();
  for (const [name, spec] of Object.entries(c.inputs ?? {})) {
    inputs[name] = g.input(name, spec.shape);
    values.set(name, Float32Array.from(spec.data));
  }
  const y = c.build(g, params, inputs);
  const loss = g.sumAll(g.mul(g.unary('tanh', y), g.unary('sin', g.addV(y, g.scalar(0.3)))));
  const outputs = [y, loss];
  if (g.node(loss).requiresGrad) {
    const grads = gradients(g, loss, params);
    const vs = c.params.map((s, i) => g.input(`v${i}`, s));
    const dot = grads.map((gi, i) => g.sumAll(g.mul(gi, vs[i]))).reduce((a, b) => g.addV(a, b));
    const hv = gradients(g, dot, params);
    outputs.push(...grads, ...hv);
    c.params.forEach((s, i) =>
      values.set(
        `v${i}`,
        Float32Array.from({ length: size(s) }, () => r()),
      ),
    );
  }
  const theta = c.params.map((s) =>
    Float32Array.from({ length: size(s) }, () => (c.positive ? 0.3 + Math.abs(r()) * 2 : r() * 2)),
  );
  return { graph: g, outputs, params: c.params, feeds: { params: theta, values } };
}

function relErr(got: Buf, want: Buf): number {
  let scale = 1e-6;
  for (const x of want) scale = Math.max(scale, Math.abs(x));
  let err = 0;
  for (let i = 0; i < want.length; i++) {
    const d = Math.abs(got[i] - want[i]);
    err = Math.max(err, Number.isNaN(d) ? (Number.isNaN(got[i]) && Number.isNaN(want[i]) ? 0 : 1e9) : d);
  }
  return err / scale;
}

const gpu = await openTestGpu();
const backends: Backend[] = gpu.backend ? [gpu.backend] : [];
const ran = new Set<string>();

for (const backend of backends) {
  describe(`the ${backend.name} backend op by op against the CPU (float32)`, () => {
    const all = Object.entries(CASES).flatMap(([op, cases]) => cases.map((c, k) => [op, k, c] as const));
    it.each(all)('%s #%i', async (op, k, c) => {
      const b = build(c, 11 + k);
      const want = new CpuPlan(b.graph, b.outputs, 'float32').runNow(b.feeds);
      let exe: Executable | null = null;
      try {
        exe = await backend.compile(b.graph, b.outputs, 'float32');
        const got = await exe.run(b.feeds);
        expect(got.map((x) => x.length)).toEqual(want.map((x) => x.length));
        const n = b.params.length;
        const tol = (i: number) => (i < 2 ? 2e-5 : 1e-4);
        want.forEach((w, i) => {
          const what = i === 0 ? 'value' : i === 1 ? 'read-out' : i < 2 + n ? `gradient ${i - 2}` : `H·v ${i - 2 - n}`;
          const e = relErr(got[i], w);
          if (!(e <= tol(i))) expect.fail(`${op}: ${what} differs by ${e.toExponential(2)} (relative)`);
        });
        ran.add(op);
      } finally {
        exe?.dispose();
      }
    });
    // Runs last (tests in a file run in order): every op of the IR had a case that passed.
    it('covered every op', () => {
      expect(Object.keys(CASES).filter((op) => !ran.has(op))).toEqual([]);
    });
  });
}
