/**
 * Vectors on the device (src/evaluator/vectors.ts over the WebGPU kernels in shaders/vector_*.wgsl)
 * against float64 host arithmetic: dot products, axpy, landscape points, the chunked basis's
 * projections and combinations; Lanczos, Hutchinson and Hutch++ in device memory on operators with
 * a known spectrum; and a device-resident H·v against the host one.
 */
import { describe, expect, it } from 'vitest';
import { lanczosIn, type SpaceMatVec } from '../../src/analysis/lanczos';
import { hutchinsonIn, hutchPlusPlusIn } from '../../src/analysis/trace';
import { dot } from '../../src/analysis/vec';
import { loadDataset } from '../../src/data/load';
import { Objective } from '../../src/evaluator/objective';
import { createEvaluator } from '../../src/evaluator/parallel';
import { DeviceSpace, DeviceVector, device, HostSpace } from '../../src/evaluator/vectors';
import { loadOnnxFile } from '../../src/model/open';
import { Rng } from '../../src/util/rng';
import { fixture } from '../helpers';
import { openTestGpu } from './gpu-available';

const gpu = await openTestGpu();

const maxRel = (got: ArrayLike<number>, want: ArrayLike<number>) => {
  let scale = 0;
  for (let i = 0; i < want.length; i++) scale = Math.max(scale, Math.abs(want[i]));
  let err = 0;
  for (let i = 0; i < want.length; i++) err = Math.max(err, Math.abs(got[i] - want[i]));
  return err / scale;
};

describe.skipIf(!gpu.backend)('vectors on the device', () => {
  const ops = gpu.backend?.vectors;
  if (!ops) return;
  // Lengths that are not multiples of a workgroup, one of them longer than one pass of 1,024 groups.
  it.each([1, 1000, 1_500_000])('dot, axpy, scale and a landscape point on %i elements', async (n) => {
    const space = new DeviceSpace(ops, n);
    const rng = new Rng(n);
    const a = Float64Array.from(rng.gaussianVector(n), (x) => Math.fround(x));
    const b = Float64Array.from(rng.gaussianVector(n), (x) => Math.fround(x));
    const [da, db] = [space.fromHost(a), space.fromHost(b)];
    const want = dot(a, b);
    // Compensated partials: far below float32's naive sqrt(n)·ε growth.
    expect(Math.abs((await space.dot(da, db)) - want) / Math.sqrt(dot(a, a) * dot(b, b))).toBeLessThan(1e-7);
    space.axpy(-0.75, da, db);
    expect(
      maxRel(
        await space.toHost(db),
        Float64Array.from(b, (x, i) => x - 0.75 * a[i]),
      ),
    ).toBeLessThan(1e-6);
    const half = space.divided(da, 2);
    expect(
      maxRel(
        await space.toHost(half),
        Float64Array.from(a, (x) => x / 2),
      ),
    ).toBe(0);
    const point = space.affine(da, 0.3, half, -1.5, db);
    const bNow = await space.toHost(db);
    const wantPoint = Float64Array.from(a, (x, i) => x + 0.3 * (x / 2) - 1.5 * bNow[i]);
    expect(maxRel(await space.toHost(point), wantPoint)).toBeLessThan(1e-6);
    const line = space.affine(da, 0.3, half, 7, null);
    expect(
      maxRel(
        await space.toHost(line),
        Float64Array.from(a, (x) => x + 0.15 * x),
      ),
    ).toBeLessThan(1e-6);
    for (const v of [da, db, half, point, line]) space.free(v);
  });

  it('a basis of several chunks: projection, Gram-Schmidt and combinations', async () => {
    const n = 777;
    const m = 70; // three chunks of at most 32 rows
    const space = new DeviceSpace(ops, n);
    const host = new HostSpace(n);
    const rng = new Rng(5);
    const dBasis = space.basis(m);
    const hBasis = host.basis(m);
    // Orthonormalize random vectors on both sides.
    for (let k = 0; k < m; k++) {
      const x = rng.gaussianVector(n);
      const hv = host.fromHost(x);
      await hBasis.orthogonalize(hv, 2);
      const hu = host.divided(hv, await host.norm(hv));
      hBasis.push(hu);
      const dv = space.fromHost(x);
      dBasis.orthogonalize(dv, 2);
      const du = space.divided(dv, await space.norm(dv));
      dBasis.push(du);
      space.free(dv);
      space.free(du);
    }
    for (const k of [0, 31, 32, 69]) {
      const got = await space.toHost(dBasis.member(k));
      expect(maxRel(got, await host.toHost(hBasis.member(k))), `member ${k}`).toBeLessThan(1e-4);
      // Orthogonal to the others, to float32 precision.
      const other = await space.toHost(dBasis.member((k + 17) % m));
      expect(Math.abs(dot(got, other))).toBeLessThan(1e-6);
    }
    const s = Float64Array.from({ length: m }, (_v, k) => Math.cos(k));
    const comb = await space.toHost(dBasis.combination(s));
    expect(maxRel(comb, await host.toHost(hBasis.combination(s)))).toBeLessThan(1e-4);
    // One pass removes a combination of the basis down to float32 rounding.
    const y = space.fromHost(comb);
    dBasis.orthogonalize(y, 1);
    expect(await space.norm(y)).toBeLessThan(1e-5 * Math.sqrt(dot(s, s)));
    dBasis.dispose();
  });

  /** diag(d) as a device operator (applied on the host: the test is of the space, not of H·v). */
  const diagonal =
    (space: DeviceSpace, d: Float64Array): SpaceMatVec =>
    async (v) =>
      space.fromHost(Float64Array.from(await space.toHost(v), (x, i) => x * d[i]));

  it('Lanczos, Hutchinson and Hutch++ in device memory on a known spectrum', async () => {
    const n = 400;
    const d = Float64Array.from({ length: n }, (_v, i) => (i < 3 ? [50, 40, -30][i] : Math.sin(i)));
    const space = new DeviceSpace(ops, n);
    const before = gpu.backend?.memory?.().arrays ?? 0;
    const v0 = space.fromHost(new Rng(1).gaussianVector(n));
    const lz = await lanczosIn(space, diagonal(space, d), v0, { steps: 120, topK: 2, bottomK: 1, tol: 1e-7 });
    const k = lz.eig.values.length;
    expect(lz.basisPrecision).toBe('float32');
    expect(Math.abs(lz.eig.values[k - 1] - 50) / 50).toBeLessThan(1e-5);
    expect(Math.abs(lz.eig.values[k - 2] - 40) / 40).toBeLessThan(1e-5);
    expect(Math.abs(lz.eig.values[0] + 30) / 30).toBeLessThan(1e-5);
    const y = await lz.ritzVector(k - 1);
    expect(Math.abs(Math.abs(y[0]) - 1)).toBeLessThan(1e-5);
    expect(gpu.backend?.memory?.().arrays).toBeGreaterThan(before);
    lz.release();
    space.free(v0);
    // Everything Lanczos held on the device is given back.
    expect(gpu.backend?.memory?.().arrays).toBe(before);
    const trace = d.reduce((a, b) => a + b, 0);
    const h = await hutchinsonIn(space, diagonal(space, d), { seed: 3, maxProbes: 30, relTol: 0 });
    // Rademacher probes on a diagonal operator: every zᵀDz is the trace exactly.
    expect(Math.abs(h.estimate - trace) / Math.abs(trace)).toBeLessThan(1e-5);
    const hpp = await hutchPlusPlusIn(space, diagonal(space, d), 30, { seed: 3 });
    expect(Math.abs(hpp.estimate - trace) / Math.abs(trace)).toBeLessThan(1e-4);
    expect(gpu.backend?.memory?.().arrays).toBe(before);
  });

  it('H·v summed on the device equals H·v read back (cnn_bn, two executables)', async () => {
    const model = await loadOnnxFile(fixture('engine', 'cnn_bn.onnx'));
    const data = await loadDataset(fixture('engine', 'cnn_bn-data.npz'));
    // A batch size that leaves a shorter last batch: two executables add into the same vector.
    const obj = new Objective(model, data, { loss: 'cross-entropy', bn: 'eval', batchSize: 10, backend: gpu.backend! });
    const theta = obj.initialTheta();
    const v = Float64Array.from({ length: obj.size }, (_x, j) => Math.sin(0.7 * j + 0.3));
    const want = await obj.hvp(theta, v);
    const space = new DeviceSpace(ops, obj.size);
    const [t, dv] = [space.fromHost(theta), space.fromHost(v)];
    const out = new DeviceVector(await obj.hvpOnDevice(device(t), device(dv)));
    expect(maxRel(await space.toHost(out), want)).toBeLessThan(1e-6);
    const loss = (await obj.evaluate(theta)).loss;
    expect(Math.abs((await obj.evaluate(device(t))).loss - loss) / loss).toBeLessThan(1e-7);
    for (const x of [t, dv, out]) space.free(x);
    obj.dispose();
  });

  it('a model whose P-vector exceeds one binding keeps its analysis vectors on the host', async () => {
    const model = await loadOnnxFile(fixture('engine', 'mlp_tanh.onnx'));
    const data = await loadDataset(fixture('engine', 'mlp_tanh-data.npz'));
    // The same device with a binding limit below P (real limits bind at ~33M parameters and up).
    const small = { ...gpu.backend!, vectors: { ...ops, maxLength: 100 } };
    const ev = createEvaluator(model, data, { loss: 'mse', bn: 'eval', batchSize: 16, backend: small }, 1);
    expect(ev.space.where).toBe('host');
    const theta = ev.initialTheta();
    const v = Float64Array.from({ length: ev.size }, (_x, j) => Math.cos(j));
    const got = await ev.space.toHost(await ev.hvpAt(ev.space.fromHost(theta), ev.space.fromHost(v)));
    expect(maxRel(got, await ev.hvp(theta, v))).toBe(0);
    await ev.close();
  });
});
