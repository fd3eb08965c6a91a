/**
 * Landscapes against float64 PyTorch grids (fixtures/gen_landscape.py), and the known bugs of the
 * reference tools shown absent.
 */

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { gaussianDirection, normalizeDirection, orthogonalize } from '../../src/analysis/directions';
import { lanczos } from '../../src/analysis/lanczos';
import { evaluateGrid, linspace } from '../../src/analysis/landscape';
import { canonicalSign, dot, norm } from '../../src/analysis/vec';
import { loadDataset } from '../../src/data/load';
import { createEvaluator } from '../../src/evaluator/parallel';
import { readNpz } from '../../src/formats/numpy';
import { loadOnnxFile } from '../../src/model/open';
import { Rng } from '../../src/util/rng';
import { fixture, readJson } from '../helpers';

const ref = readJson<{
  coords: number[];
  raw: number[][];
  filter: number[][];
  hessian: number[][];
  hessianLambdas: number[];
}>(fixture('engine', 'cnn_bn-landscape.json'));

async function setup() {
  const model = await loadOnnxFile(fixture('engine', 'cnn_bn.onnx'));
  const data = await loadDataset(fixture('engine', 'cnn_bn-data.npz'));
  const ev = createEvaluator(model, data, { loss: 'cross-entropy', bn: 'eval', batchSize: 24 }, 1);
  const arrays = readNpz(new Uint8Array(readFileSync(fixture('engine', 'cnn_bn-directions.npz'))), 'dirs');
  const dir = (prefix: string) => {
    const d = new Float64Array(ev.size);
    for (const p of ev.params) d.set(arrays.get(`${prefix}/${p.name}`)?.data ?? [], p.offset);
    return d;
  };
  return { ev, theta: ev.initialTheta(), d1: dir('d1'), d2: dir('d2') };
}

function expectGrid(got: number[][], want: number[][]) {
  for (let i = 0; i < want.length; i++)
    for (let j = 0; j < want[i].length; j++) {
      expect(
        Math.abs(got[i][j] - want[i][j]) / Math.abs(want[i][j]),
        `(${i}, ${j}): ${got[i][j]} vs ${want[i][j]}`,
      ).toBeLessThan(1e-4);
    }
}

describe('landscapes against PyTorch float64', () => {
  it('raw directions from a file, filter-normalized (biasbn), and Hessian axes', async () => {
    const { ev, theta, d1, d2 } = await setup();
    const coords = ref.coords;
    const raw = await evaluateGrid(ev, theta, d1, d2, { x: coords, y: coords });
    expectGrid(raw.loss as number[][], ref.raw);
    const f1 = normalizeDirection(Float64Array.from(d1), theta, ev.params, 'filter', 'zero');
    const f2 = normalizeDirection(Float64Array.from(d2), theta, ev.params, 'filter', 'zero');
    expectGrid((await evaluateGrid(ev, theta, f1, f2, { x: coords, y: coords })).loss as number[][], ref.filter);
    const lz = await lanczos((v) => ev.hvp(theta, v), new Rng(0).gaussianVector(ev.size), {
      steps: 200,
      topK: 2,
      bottomK: 2,
      tol: 1e-9,
    });
    const k = lz.eig.values.length;
    const picks = [...Array(k).keys()]
      .sort((a, b) => Math.abs(lz.eig.values[b]) - Math.abs(lz.eig.values[a]))
      .slice(0, 2);
    picks.forEach((p, i) =>
      expect(Math.abs(lz.eig.values[p] - ref.hessianLambdas[i]) / ref.hessianLambdas[i]).toBeLessThan(1e-4),
    );
    const h1 = canonicalSign(await lz.ritzVector(picks[0]));
    const h2 = canonicalSign(await lz.ritzVector(picks[1]));
    expectGrid((await evaluateGrid(ev, theta, h1, h2, { x: coords, y: coords })).loss as number[][], ref.hessian);
    // The centre is the plain loss.
    expect((raw.loss as number[][])[2][2]).toBe((await ev.evaluate(theta)).loss);
  });
});

describe('the reference tools’ bugs are absent', () => {
  it('directions are Gaussian and the second is orthogonal to the first', () => {
    const rng = new Rng(3);
    const d1 = gaussianDirection(200_000, rng);
    const mean = d1.reduce((a, b) => a + b, 0) / d1.length;
    const variance = d1.reduce((a, b) => a + (b - mean) ** 2, 0) / d1.length;
    expect(Math.abs(mean)).toBeLessThan(0.01);
    expect(Math.abs(variance - 1)).toBeLessThan(0.01);
    expect(d1.some((v) => v < 0)).toBe(true);
    const d2 = orthogonalize(gaussianDirection(200_000, rng), d1);
    expect(Math.abs(dot(d1, d2)) / (norm(d1) * norm(d2))).toBeLessThan(1e-12);
  });

  it('model normalization ends exactly at ‖θ‖, and filter normalization matches each filter’s norm', async () => {
    const { ev, theta, d1 } = await setup();
    const m = normalizeDirection(Float64Array.from(d1), theta, ev.params, 'model', 'normalize');
    expect(norm(m) / norm(theta)).toBeCloseTo(1, 12);
    const f = normalizeDirection(Float64Array.from(d1), theta, ev.params, 'filter', 'zero');
    const conv = ev.params.find((p) => p.name === 'conv2.weight');
    if (!conv) throw new Error('conv2.weight missing');
    const per = conv.size / conv.shape[0];
    for (let k = 0; k < conv.shape[0]; k++) {
      const a = conv.offset + k * per;
      expect(norm(f.subarray(a, a + per)) / norm(theta.subarray(a, a + per))).toBeCloseTo(1, 6);
    }
    const bias = ev.params.find((p) => p.name === 'bn1.bias');
    expect(bias && Array.from(f.subarray(bias.offset, bias.offset + bias.size)).every((v) => v === 0)).toBe(true);
  });

  it('rows are not shifted: every grid point is the loss at exactly θ + x·d1 + y·d2', async () => {
    const { ev, theta, d1, d2 } = await setup();
    const x = linspace('-0.4:0.2', 4);
    const y = linspace('-0.3:0.3:3', 0);
    const streamed: string[] = [];
    const g = await evaluateGrid(ev, theta, d1, d2, { x, y, onPoint: (p) => streamed.push(`${p.i},${p.j}`) });
    expect(streamed).toEqual(['0,0', '0,1', '0,2', '1,0', '1,1', '1,2', '2,0', '2,1', '2,2', '3,0', '3,1', '3,2']);
    for (const [i, j] of [
      [1, 2],
      [3, 0],
      [2, 1],
    ]) {
      const probe = Float32Array.from(theta, (t, k) => t + x[i] * d1[k] + y[j] * d2[k]);
      expect((g.loss as number[][])[i][j]).toBe((await ev.evaluate(probe)).loss);
    }
  });

  it('resumes from the points it already has', async () => {
    const { ev, theta, d1, d2 } = await setup();
    const x = [0, 0.1];
    const full = await evaluateGrid(ev, theta, d1, d2, { x, y: x });
    let evaluated = 0;
    const resumed = await evaluateGrid(ev, theta, d1, d2, {
      x,
      y: x,
      done: new Map([['0,0', { i: 0, j: 0, loss: (full.loss as number[][])[0][0], accuracy: null }]]),
      onPoint: () => evaluated++,
    });
    expect(evaluated).toBe(3);
    expect(resumed.loss).toEqual(full.loss);
  });
});
