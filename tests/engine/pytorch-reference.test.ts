/**
 * Loss, gradient and H·v of the engine against float64 PyTorch references (fixtures/gen_engine.py):
 * relative errors ≤ 1e-5 (loss), 1e-4 (gradient) and 1e-3 (H·v), on every backend (the CPU, and
 * WebGPU wherever an adapter exists: llvmpipe in CI), as the engine and GPU issues require.
 */
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadDataset } from '../../src/data/load';
import type { Backend } from '../../src/engine/backend';
import { cpuBackend } from '../../src/engine/cpu/backend';
import { Objective } from '../../src/evaluator/objective';
import { loadOnnxFile } from '../../src/model/open';
import { fixture, readJson } from '../helpers';
import { openTestGpu } from './gpu-available';

interface Ref {
  loss: number;
  lossKind: 'mse' | 'cross-entropy';
  accuracy: number | null;
  gradNorm: number;
  /** Graph input → data array (several-input and token models). */
  inputs?: Record<string, string>;
  tensors: Array<{
    name: string;
    size: number;
    gradNorm: number;
    hvNorm: number;
    indices: number[];
    grad: number[];
    hv: number[];
  }>;
}

const relErr = (got: number[], want: number[]) => {
  let num = 0;
  let den = 0;
  for (let i = 0; i < want.length; i++) {
    num += (got[i] - want[i]) ** 2;
    den += want[i] ** 2;
  }
  return Math.sqrt(num / Math.max(den, 1e-300));
};

const MODELS = ['mlp_tanh', 'mlp_relu', 'cnn_bn', 'resnet_small', 'transformer', 'resnet18'].map((n) => ['engine', n]);
/** Model families (fixtures/gen_models.py): torchvision classifiers at reduced size, token models. */
const FAMILIES = readdirSync(fixture('models'))
  .filter((f) => f.endsWith('-ref.json'))
  .map((f) => ['models', f.slice(0, -'-ref.json'.length)]);
/** One network per operator (fixtures/gen_ops.py): the op's own derivatives against PyTorch's. */
const OPS = readdirSync(fixture('ops'))
  .filter((f) => f.endsWith('-ref.json'))
  .map((f) => ['ops', f.slice(0, -'-ref.json'.length)]);

const gpu = await openTestGpu();
const BACKENDS: Array<[string, Backend]> = [
  ['cpu', cpuBackend],
  ...(gpu.backend ? [['webgpu', gpu.backend] as [string, Backend]] : []),
];
const CASES = BACKENDS.flatMap(([b, backend]) =>
  [...MODELS, ...FAMILIES, ...OPS].map(([dir, name]) => [b, dir, name, backend] as const),
);

describe('engine against PyTorch float64', () => {
  it.each(CASES)('%s: %s/%s: loss, gradient and H·v', async (_b, dir, name, backend) => {
    const model = await loadOnnxFile(fixture(dir, `${name}.onnx`));
    const ref = readJson<Ref>(fixture(dir, `${name}-ref.json`));
    const inputsKey = ref.inputs
      ? Object.entries(ref.inputs)
          .map(([input, array]) => `${input}=${array}`)
          .join(',')
      : undefined;
    const data = await loadDataset(fixture(dir, `${name}-data.npz`), { inputsKey });
    const obj = new Objective(model, data, { loss: ref.lossKind, bn: 'eval', batchSize: 16, backend });
    expect(obj.params.map((p) => p.name)).toEqual(ref.tensors.map((t) => t.name));
    const theta = obj.initialTheta();
    const g = await obj.gradient(theta);
    expect(Math.abs(g.loss - ref.loss) / Math.abs(ref.loss)).toBeLessThan(1e-5);
    if (ref.accuracy !== null) expect(g.accuracy).toBeCloseTo(ref.accuracy, 12);
    const v = Float64Array.from({ length: obj.size }, (_x, j) => Math.sin(0.7 * j + 0.3));
    const hv = await obj.hvp(theta, v);
    const gradGot: number[] = [];
    const gradWant: number[] = [];
    const hvGot: number[] = [];
    const hvWant: number[] = [];
    ref.tensors.forEach((t, k) => {
      const off = obj.params[k].offset;
      const gSlice = g.grad.subarray(off, off + t.size);
      const hSlice = hv.subarray(off, off + t.size);
      const norm = (a: Float64Array) => Math.sqrt(a.reduce((s, x) => s + x * x, 0));
      expect(Math.abs(norm(gSlice) - t.gradNorm)).toBeLessThanOrEqual(1e-4 * ref.gradNorm);
      for (const [i, j] of t.indices.entries()) {
        gradGot.push(gSlice[j]);
        gradWant.push(t.grad[i]);
        hvGot.push(hSlice[j]);
        hvWant.push(t.hv[i]);
      }
    });
    expect(relErr(gradGot, gradWant)).toBeLessThan(1e-4);
    obj.dispose();
    expect(relErr(hvGot, hvWant)).toBeLessThan(1e-3);
  });
});
