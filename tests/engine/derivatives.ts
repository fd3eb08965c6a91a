/**
 * Finite-difference checks of first and second derivatives, run in float64 so the differences are
 * accurate to ~1e-8: the gradient against central differences of the loss, and the exact H·v against
 * central differences of the gradient.
 */
import { expect } from 'vitest';
import { CpuPlan, type Feeds } from '../../src/engine/cpu/plan';
import { gradients } from '../../src/engine/grad';
import { Graph, type V } from '../../src/engine/graph';
import type { Buf } from '../../src/engine/ir';
import { size } from '../../src/engine/shape';

export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32 - 0.5;
  };
}

export interface Case {
  params: Array<{ shape: number[]; init?: (i: number) => number }>;
  inputs?: Record<string, { shape: number[]; data: number[] }>;
  build(g: Graph, params: V[], inputs: Record<string, V>): V;
}

export function checkDerivatives(c: Case, seed = 1, tol = { grad: 1e-6, hvp: 1e-5 }): void {
  const g = new Graph();
  const r = rng(seed);
  const params = c.params.map((p, i) => g.param(i, `p${i}`, p.shape));
  const inputs: Record<string, V> = {};
  for (const [name, spec] of Object.entries(c.inputs ?? {})) inputs[name] = g.input(name, spec.shape);
  const loss = c.build(g, params, inputs);
  expect(g.shape(loss)).toEqual([]);
  const grads = gradients(g, loss, params);
  const vs = c.params.map((p, i) => g.input(`v${i}`, p.shape));
  const dot = grads.map((gi, i) => g.sumAll(g.mul(gi, vs[i]))).reduce((a, b) => g.addV(a, b));
  const hv = gradients(g, dot, params);
  const plan = new CpuPlan(g, [loss, ...grads, ...hv], 'float64');
  const lossPlan = new CpuPlan(g, [loss, ...grads], 'float64');

  const theta: Float64Array[] = c.params.map((p) =>
    Float64Array.from({ length: size(p.shape) }, (_v, i) => (p.init ? p.init(i) : r())),
  );
  const v: Float64Array[] = c.params.map((p) => Float64Array.from({ length: size(p.shape) }, () => r()));
  const values = new Map<string, Buf>();
  for (const [name, spec] of Object.entries(c.inputs ?? {})) values.set(name, Float64Array.from(spec.data));
  v.forEach((vi, i) => values.set(`v${i}`, vi));
  const feeds = (th: Float64Array[]): Feeds => ({ params: th, values });

  const out = plan.runNow(feeds(theta)).map((b) => Float64Array.from(b));
  const n = c.params.length;
  const gradOut = out.slice(1, 1 + n);
  const hvOut = out.slice(1 + n);

  // Gradient: directional derivative along v, and every coordinate for small parameters.
  const h = 1e-5;
  const shifted = (scale: number, dir: Float64Array[]) => theta.map((t, i) => t.map((x, j) => x + scale * dir[i][j]));
  const lossAt = (th: Float64Array[]) => lossPlan.runNow(feeds(th))[0][0];
  const fdDir = (lossAt(shifted(h, v)) - lossAt(shifted(-h, v))) / (2 * h);
  const exactDir = gradOut.reduce((acc, gi, i) => acc + gi.reduce((a, x, j) => a + x * v[i][j], 0), 0);
  expect(Math.abs(fdDir - exactDir)).toBeLessThan(tol.grad * Math.max(1, Math.abs(exactDir)));

  // H·v: central difference of the gradient along v.
  const gradAt = (th: Float64Array[]) =>
    lossPlan
      .runNow(feeds(th))
      .slice(1)
      .map((b) => Float64Array.from(b));
  const gp = gradAt(shifted(h, v));
  const gm = gradAt(shifted(-h, v));
  let scale = 1e-3;
  for (const hvi of hvOut) for (const x of hvi) scale = Math.max(scale, Math.abs(x));
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < hvOut[i].length; j++) {
      const fd = (gp[i][j] - gm[i][j]) / (2 * h);
      const err = Math.abs(fd - hvOut[i][j]) / scale;
      if (err > tol.hvp) expect.fail(`H·v of param ${i} entry ${j}: exact ${hvOut[i][j]} vs finite difference ${fd}`);
    }
  }
}
