/**
 * `saddle hessian` against dense float64 PyTorch Hessians (fixtures/gen_spectra.py): top-5 and
 * bottom-3 eigenvalues within 1e-3 relative (1e-4·λmax absolute near zero), the trace within 3
 * standard errors, the SLQ density close to the true spectrum in Wasserstein-1, and per-layer
 * blocks against the dense Hessian's diagonal blocks.
 */
import { describe, expect, it } from 'vitest';
import { analyzeHessian } from '../../src/analysis/spectrum';
import { loadDataset } from '../../src/data/load';
import { createEvaluator } from '../../src/evaluator/parallel';
import { loadOnnxFile } from '../../src/model/open';
import { fixture, readJson } from '../helpers';

interface SpectrumRef {
  eigenvalues: number[];
  trace: number;
  perLayer: Array<{ name: string; kind: string; size: number; topEigenvalue: number; trace: number }>;
}

/** W1 between two discrete measures on the line: ∫|F − G|. */
function wasserstein1(a: Array<[number, number]>, b: Array<[number, number]>): number {
  const events = [...a.map(([x, w]) => [x, w] as const), ...b.map(([x, w]) => [x, -w] as const)].sort(
    (p, q) => p[0] - q[0],
  );
  let cdf = 0;
  let w1 = 0;
  for (let i = 0; i < events.length - 1; i++) {
    cdf += events[i][1];
    w1 += Math.abs(cdf) * (events[i + 1][0] - events[i][0]);
  }
  return w1;
}

/** The fixture's dense reference and an evaluator on its model and data. */
async function open(name: string) {
  const ref = readJson<SpectrumRef>(fixture('engine', `${name}-spectrum.json`));
  const model = await loadOnnxFile(fixture('engine', `${name}.onnx`));
  const data = await loadDataset(fixture('engine', `${name}-data.npz`));
  const loss = name === 'mlp_tanh' ? 'mse' : 'cross-entropy';
  return { ref, ev: createEvaluator(model, data, { loss, bn: 'eval', batchSize: 64 }, 1) };
}

describe.each(['mlp_tanh', 'cnn_bn'])('%s spectrum against dense PyTorch float64', (name) => {
  it('eigenvalues, trace, density and per-layer blocks', async () => {
    const { ref, ev } = await open(name);
    const r = await analyzeHessian(ev, ev.initialTheta(), {
      topK: 5,
      bottomK: 3,
      iterations: 250,
      trace: true,
      traceProbes: 200,
      density: true,
      runs: 3,
      perLayer: true,
      perLayerSteps: 80,
      seed: 7,
    });
    const eig = ref.eigenvalues;
    const lmax = eig[eig.length - 1];
    const close = (got: number, want: number) =>
      Math.abs(got - want) <= Math.max(1e-3 * Math.abs(want), 1e-4 * Math.abs(lmax));
    const wantTop = eig.slice(-5).reverse();
    const wantBottom = eig.slice(0, 3);
    r.topEigenvalues?.forEach((x, i) => expect(close(x, wantTop[i]), `top ${i}: ${x} vs ${wantTop[i]}`).toBe(true));
    r.bottomEigenvalues?.forEach((x, i) =>
      expect(close(x, wantBottom[i]), `bottom ${i}: ${x} vs ${wantBottom[i]}`).toBe(true),
    );
    expect(Math.abs((r.trace?.estimate ?? 0) - ref.trace)).toBeLessThan(3 * (r.trace?.stderr ?? 0));

    // SLQ quadrature vs the true spectral measure (1/P at every eigenvalue), relative to the spread.
    const slq = (r.density?.runs ?? []).flatMap((run) =>
      run.nodes.map((x, i) => [x, run.weights[i] / 3] as [number, number]),
    );
    const truth = eig.map((x) => [x, 1 / eig.length] as [number, number]);
    const spread = lmax - eig[0];
    expect(wasserstein1(slq, truth) / spread).toBeLessThan(0.01);
    // The check is sharp enough to notice a spectrum spread evenly over the same range.
    const flat = eig.map((_x, i) => [eig[0] + (spread * i) / (eig.length - 1), 1 / eig.length] as [number, number]);
    expect(wasserstein1(flat, truth) / spread).toBeGreaterThan(0.1);

    for (const want of ref.perLayer) {
      const got = r.perLayer?.find((b) => b.name === want.name);
      expect(got, want.name).toBeDefined();
      if (!got) continue;
      expect(got.size).toBe(want.size);
      expect(Math.abs(got.topEigenvalue - want.topEigenvalue), `${want.name} λmax`).toBeLessThanOrEqual(
        Math.max(1e-3 * Math.abs(want.topEigenvalue), 1e-4 * lmax),
      );
      const tol = got.traceStderr > 0 ? 3 * got.traceStderr : 1e-4 * Math.max(1, Math.abs(want.trace));
      expect(Math.abs(got.trace - want.trace), `${want.name} trace`).toBeLessThanOrEqual(tol);
    }
  });

  it('with the Krylov basis on disk (partial reorthogonalization): the eigenvalues of full reorthogonalization', async () => {
    const { ref, ev } = await open(name);
    const only = { topK: 5, bottomK: 3, iterations: 250, trace: false, density: false, perLayer: false, seed: 7 };
    const full = await analyzeHessian(ev, ev.initialTheta(), only);
    const partial = await analyzeHessian(ev, ev.initialTheta(), { ...only, memoryBudget: 0 });
    expect(full.lanczos).toMatchObject({ basisStorage: 'memory' });
    expect(partial.lanczos).toMatchObject({ basisStorage: 'disk' });
    expect(partial.lanczos?.reorthogonalizations).toBeLessThan(partial.lanczos?.steps ?? 0);
    const lmax = ref.eigenvalues[ref.eigenvalues.length - 1];
    const pairs = [
      ...(partial.topEigenvalues ?? []).map((x, i) => [x, full.topEigenvalues?.[i]]),
      ...(partial.bottomEigenvalues ?? []).map((x, i) => [x, full.bottomEigenvalues?.[i]]),
    ] as Array<[number, number]>;
    expect(pairs).toHaveLength(8);
    const worst = Math.max(...pairs.map(([got, want]) => Math.abs(got - want) / Math.abs(lmax)));
    console.log(
      `${name}: basis on disk read ${partial.lanczos?.reorthogonalizations} times in ${partial.lanczos?.steps} steps (in memory: ${full.lanczos?.steps} steps); top-5/bottom-3 differ by ${worst.toExponential(1)} of λmax`,
    );
    expect(worst).toBeLessThanOrEqual(1e-4);
    ev.close?.();
  });
});
