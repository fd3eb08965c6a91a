/**
 * Tied weights: exported with constant folding (the exporter's default), the tiny GPT's LM head is a
 * transposed copy of the token embedding. Saddle reports the pair as one parameter and computes the
 * tied network: loss, and the embedding's gradient (which includes the LM head's share), against the
 * float64 PyTorch reference of the unfolded export.
 */
import { describe, expect, it } from 'vitest';
import { loadDataset } from '../../src/data/load';
import { Objective } from '../../src/evaluator/objective';
import { loadOnnxFile } from '../../src/model/open';
import { summarizeOnnx } from '../../src/model/summary';
import { fixture, readJson } from '../helpers';

interface Ref {
  loss: number;
  tensors: Array<{ name: string; size: number; gradNorm: number; indices: number[]; grad: number[] }>;
}

describe('tied embedding and LM head', () => {
  it('are one parameter, with the tied gradient', async () => {
    const model = await loadOnnxFile(fixture('models', 'tiny_gpt-folded.onnx'));
    const info = summarizeOnnx(model);
    const tie = info.aliases.find((a) => a.transposed);
    expect(tie?.of).toBe('wte.weight');
    expect(info.params.map((p) => p.name)).not.toContain(tie?.name);
    expect(info.nParams).toBe(1928);
    expect(info.notes.join(' ')).toMatch(/Tied weights: onnx::MatMul_\d+ is the transpose of wte\.weight/);

    const ref = readJson<Ref>(fixture('models', 'tiny_gpt-ref.json'));
    const data = await loadDataset(fixture('models', 'tiny_gpt-data.npz'), { inputsKey: 'input_ids=input_ids' });
    const obj = new Objective(model, data, { loss: 'cross-entropy', bn: 'eval', batchSize: 16 });
    expect(obj.size).toBe(1928);
    const g = await obj.gradient(obj.initialTheta());
    expect(Math.abs(g.loss - ref.loss) / ref.loss).toBeLessThan(1e-5);
    const want = ref.tensors.find((t) => t.name === 'wte.weight');
    const at = obj.params.find((p) => p.name === 'wte.weight');
    if (!want || !at) throw new Error('wte.weight is missing');
    const got = g.grad.subarray(at.offset, at.offset + at.size);
    let num = 0;
    let den = 0;
    want.indices.forEach((j, i) => {
      num += (got[j] - want.grad[i]) ** 2;
      den += want.grad[i] ** 2;
    });
    expect(Math.sqrt(num / den)).toBeLessThan(1e-4);
    obj.dispose();
  });
});
