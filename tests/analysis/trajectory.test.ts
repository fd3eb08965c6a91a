import { describe, expect, it } from 'vitest';
import { pcaTrajectory } from '../../src/analysis/trajectory';
import { Rng } from '../../src/util/rng';

describe('PCA trajectories', () => {
  it('recover the plane, the explained variance and the path of a known trajectory', () => {
    const P = 5000;
    const rng = new Rng(9);
    const last = rng.gaussianVector(P);
    // Two orthonormal directions.
    const u = rng.gaussianVector(P);
    const un = Math.hypot(...u);
    u.forEach((x, i) => (u[i] = x / un));
    const w = rng.gaussianVector(P);
    const proj = w.reduce((s, x, i) => s + x * u[i], 0);
    w.forEach((x, i) => (w[i] = x - proj * u[i]));
    const wn = Math.hypot(...w);
    w.forEach((x, i) => (w[i] = x / wn));
    const a = [3, -2, 1, 2];
    const b = [1, 1, 1, -1]; // Σ a·b = 0: u and w are the principal axes.
    const checkpoints = [...a.map((ai, k) => Float64Array.from(last, (x, i) => x + ai * u[i] + b[k] * w[i])), last];
    const t = pcaTrajectory(checkpoints);
    expect(t.explainedVariance[0]).toBeCloseTo(18 / 22, 10);
    expect(t.explainedVariance[1]).toBeCloseTo(4 / 22, 10);
    const s1 = Math.sign(t.path[0][0] / a[0]);
    const s2 = Math.sign(t.path[0][1] / b[0]);
    a.forEach((ai, k) => expect(t.path[k][0] * s1).toBeCloseTo(ai, 9));
    b.forEach((bi, k) => expect(t.path[k][1] * s2).toBeCloseTo(bi, 9));
    expect(t.path[4]).toEqual([0, 0]);
    expect(Math.abs(t.d1.reduce((s, x, i) => s + x * u[i], 0))).toBeCloseTo(1, 10);
  });

  it('needs three checkpoints', () => {
    expect(() => pcaTrajectory([new Float64Array(3), new Float64Array(3)])).toThrow(/at least 3 checkpoints, got 2/);
  });
});
