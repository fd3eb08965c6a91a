/**
 * `saddle hessian` on a language model over token ids: the tiny GPT of fixtures/gen_models.py (tied
 * embedding and LM head, causal mask, per-position cross-entropy with padding) against its dense
 * float64 PyTorch Hessian: top-5 and bottom-3 eigenvalues within 1e-3 relative (1e-4·λmax absolute
 * near zero), as for the other spectra fixtures.
 */
import { describe, expect, it } from 'vitest';
import { analyzeHessian } from '../../src/analysis/spectrum';
import { loadDataset } from '../../src/data/load';
import { createEvaluator } from '../../src/evaluator/parallel';
import { loadOnnxFile } from '../../src/model/open';
import { fixture, readJson } from '../helpers';

describe('tiny GPT spectrum against dense PyTorch float64', () => {
  it('top-5 and bottom-3 eigenvalues', async () => {
    const ref = readJson<{ eigenvalues: number[]; loss: number }>(fixture('models', 'tiny_gpt-spectrum.json'));
    const model = await loadOnnxFile(fixture('models', 'tiny_gpt.onnx'));
    const data = await loadDataset(fixture('models', 'tiny_gpt-data.npz'), { inputsKey: 'input_ids=input_ids' });
    const ev = createEvaluator(model, data, { loss: 'cross-entropy', bn: 'eval', batchSize: 64 }, 1);
    expect(ev.size).toBe(ref.eigenvalues.length);
    const theta = ev.initialTheta();
    expect(Math.abs((await ev.evaluate(theta)).loss - ref.loss) / ref.loss).toBeLessThan(1e-5);
    const r = await analyzeHessian(ev, theta, { topK: 5, bottomK: 3, iterations: 300, seed: 7 });
    await ev.close();
    const eig = ref.eigenvalues;
    const lmax = eig[eig.length - 1];
    const close = (got: number, want: number) =>
      Math.abs(got - want) <= Math.max(1e-3 * Math.abs(want), 1e-4 * Math.abs(lmax));
    const wantTop = eig.slice(-5).reverse();
    const wantBottom = eig.slice(0, 3);
    expect(r.topEigenvalues?.length).toBe(5);
    expect(r.bottomEigenvalues?.length).toBe(3);
    r.topEigenvalues?.forEach((x, i) => expect(close(x, wantTop[i]), `top ${i}: ${x} vs ${wantTop[i]}`).toBe(true));
    r.bottomEigenvalues?.forEach((x, i) =>
      expect(close(x, wantBottom[i]), `bottom ${i}: ${x} vs ${wantBottom[i]}`).toBe(true),
    );
  });
});
