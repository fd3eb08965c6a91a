/** Analytic checks of the eigen- and trace solvers on operators with known spectra. */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { khOf, llaCriteria, smoothDensity } from '../../src/analysis/density';
import { lanczos } from '../../src/analysis/lanczos';
import { hutchinson, hutchPlusPlus } from '../../src/analysis/trace';
import { tridiagEigen } from '../../src/analysis/tridiag';
import { Rng } from '../../src/util/rng';

/** H = R·diag(d)·R with R = I − 2uuᵀ a random reflection, so the basis is not the standard one. */
function operator(d: number[], seed = 3) {
  const rng = new Rng(seed);
  const u = rng.gaussianVector(d.length);
  const n = Math.sqrt(u.reduce((a, x) => a + x * x, 0));
  for (let i = 0; i < u.length; i++) u[i] /= n;
  const reflect = (v: Float64Array) => {
    const s = 2 * v.reduce((a, x, i) => a + x * u[i], 0);
    return v.map((x, i) => x - s * u[i]) as Float64Array;
  };
  return async (v: Float64Array) => reflect(reflect(v).map((x, i) => x * d[i]) as Float64Array);
}

describe('tridiagonal eigensolver', () => {
  it('matches the closed form of the 1-D Laplacian', () => {
    const n = 40;
    const { values, vectors } = tridiagEigen(new Array(n).fill(2), new Array(n - 1).fill(-1));
    for (let k = 1; k <= n; k++) expect(values[k - 1]).toBeCloseTo(2 - 2 * Math.cos((k * Math.PI) / (n + 1)), 12);
    const v = vectors[5];
    expect(v.reduce((a, x) => a + x * x, 0)).toBeCloseTo(1, 12);
  });
});

describe('Lanczos', () => {
  const rng = new Rng(11);
  const bulk = Array.from({ length: 292 }, () => rng.uniform() * 10);
  const d = [100, 99.9, 99.8, 50, 20, -30, -29.99, -1, ...bulk];
  const sorted = [...d].sort((a, b) => b - a);

  it('recovers clustered top and negative bottom eigenvalues', async () => {
    const r = await lanczos(operator(d), new Rng(1).gaussianVector(d.length), {
      steps: 150,
      topK: 5,
      bottomK: 3,
      tol: 1e-10,
    });
    const k = r.eig.values.length;
    const top = Array.from(r.eig.values.slice(k - 5)).reverse();
    const bottom = Array.from(r.eig.values.slice(0, 3));
    top.forEach((x, i) => expect(Math.abs(x - sorted[i])).toBeLessThan(1e-8 * 100));
    expect(bottom.map((x) => Number(x.toFixed(6)))).toEqual([-30, -29.99, -1]);
    const y = await r.ritzVector(k - 1);
    const hy = await operator(d)(y);
    const res = Math.sqrt(hy.reduce((a, x, i) => a + (x - 100 * y[i]) ** 2, 0));
    expect(res).toBeLessThan(1e-6);
  });

  it('stops at an invariant subspace with exact eigenvalues', async () => {
    const small = [3, 1, 1, 1, -2];
    const r = await lanczos(operator(small), new Rng(2).gaussianVector(5), { steps: 5 });
    expect(Array.from(r.eig.values).map((x) => Number(x.toFixed(10)))).toEqual([-2, 1, 3]);
  });

  it('past the memory budget keeps the basis in a file, reads it only when needed, and loses nothing', async () => {
    const opts = { steps: 150, topK: 5, bottomK: 3, tol: 1e-10 };
    const v0 = new Rng(1).gaussianVector(d.length);
    const full = await lanczos(operator(d), v0, opts);
    const tmp = mkdtempSync(join(tmpdir(), 'saddle-krylov-test-'));
    const before = process.env.TMPDIR;
    process.env.TMPDIR = tmp;
    try {
      const partial = await lanczos(operator(d), v0, { ...opts, memoryBudget: 1000 });
      expect(full).toMatchObject({ basisStorage: 'memory', basisPrecision: 'float64' });
      expect(partial).toMatchObject({ basisStorage: 'disk', basisPrecision: 'float64' });
      expect(full.reorthogonalizations).toBe(full.steps);
      // Read a fraction of the steps, yet the extreme Ritz values are those of full reorthogonalization.
      expect(partial.reorthogonalizations).toBeGreaterThan(0);
      expect(partial.reorthogonalizations).toBeLessThan(partial.steps / 2);
      const ends = (r: typeof full, k: number) => {
        const v = Array.from(r.eig.values);
        return [...v.slice(-k).reverse(), ...v.slice(0, 3)];
      };
      const want = [...sorted.slice(0, 5), ...sorted.slice(-3).reverse()];
      ends(partial, 5).forEach((x, i) => {
        expect(Math.abs(x - ends(full, 5)[i])).toBeLessThan(1e-10 * 100);
        expect(Math.abs(x - want[i])).toBeLessThan(1e-8 * 100);
      });
      // No ghost copies of the converged top eigenvalue.
      expect(Array.from(partial.eig.values).filter((x) => Math.abs(x - 100) < 1e-6)).toHaveLength(1);
      // The top Ritz vector, combined from the file.
      const y = await partial.ritzVector(partial.eig.values.length - 1);
      const hy = await operator(d)(y);
      expect(Math.sqrt(hy.reduce((a, x, i) => a + (x - 100 * y[i]) ** 2, 0))).toBeLessThan(1e-6);
      // The file was unlinked as soon as it was open: nothing is left, even before release.
      expect(readdirSync(tmp)).toEqual([]);
      partial.release();
    } finally {
      if (before === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = before;
      rmSync(tmp, { recursive: true, force: true });
    }
  });
});

describe('trace estimators', () => {
  const rng = new Rng(5);
  const d = Array.from({ length: 400 }, (_v, i) => (i < 10 ? 200 - i : rng.uniform()));
  const truth = d.reduce((a, b) => a + b, 0);

  it('Hutchinson is unbiased and its standard error is calibrated', async () => {
    // Over 60 seeds: the z-scores average near 0 and about 5% fall outside ±2 standard errors.
    const zs: number[] = [];
    for (let seed = 0; seed < 60; seed++) {
      const t = await hutchinson(operator(d), d.length, { seed, maxProbes: 100, relTol: 0 });
      expect(t.matvecs).toBe(100);
      zs.push((t.estimate - truth) / t.stderr);
    }
    expect(Math.abs(zs.reduce((a, b) => a + b, 0) / zs.length)).toBeLessThan(0.5);
    expect(zs.filter((z) => Math.abs(z) > 2).length).toBeLessThanOrEqual(9);
    expect(zs.filter((z) => Math.abs(z) > 4).length).toBe(0);
  });

  it('Hutch++ is far more accurate at the same budget on a low-rank-dominated spectrum', async () => {
    const t = await hutchPlusPlus(operator(d), d.length, 60, { seed: 1 });
    expect(Math.abs(t.estimate - truth) / truth).toBeLessThan(0.02);
    const h = await hutchinson(operator(d), d.length, { seed: 1, maxProbes: 60, relTol: 0 });
    expect(t.stderr).toBeLessThan(h.stderr / 5);
  });
});

describe('SLQ density and LLA criteria', () => {
  it('integrates to one and puts its mass on the eigenvalues', () => {
    const { grid, values } = smoothDensity([{ nodes: [-1, 2], weights: [0.25, 0.75] }], {
      points: 4001,
      bandwidth: 1e-3,
    });
    const dt = grid[1] - grid[0];
    expect(values.reduce((a, b) => a + b, 0) * dt).toBeCloseTo(1, 10);
    const massBelowZero = values.reduce((a, v, i) => a + (grid[i] < 0.5 ? v : 0), 0) * dt;
    expect(massBelowZero).toBeCloseTo(0.25, 6);
  });

  it('computes re, Ct, Kh and the HESD type, and says when Kh is undefined', () => {
    const runs = [
      { nodes: [-2, 1, 4], weights: [0.25, 0.25, 0.5] },
      { nodes: [-1, 2, 5], weights: [0.5, 0.25, 0.25] },
    ];
    const c = llaCriteria(runs);
    expect(c.ct.mean).toBeCloseTo((-0.5 + -0.2) / 2, 12);
    expect(c.re.mean).toBeCloseTo(0.35, 12);
    expect(khOf(runs[0], 0.5)).toBeCloseTo(Math.sqrt(0.5) / (Math.sqrt(0.25) + Math.sqrt(2)), 12);
    expect(c.hesdType).toBe('MP');
    expect(llaCriteria([{ nodes: [-3, -1], weights: [0.5, 0.5] }]).kh).toMatchObject({
      mean: null,
      note: expect.stringMatching(/undefined/),
    });
    expect(llaCriteria([{ nodes: [-3, 1], weights: [0.5, 0.5] }]).hesdType).toBe('MN');
    expect(khOf({ nodes: [0, 1], weights: [0.5, 0.5] }, 0.5)).toBe(0);
  });
});
