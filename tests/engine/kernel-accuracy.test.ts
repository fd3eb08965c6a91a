/**
 * Both CPU kernel sets against the float64 PyTorch references (fixtures/gen_engine.py): the native
 * kernels (when built) and the portable WebAssembly/JavaScript ones, on the same models. The
 * reference test runs whichever set is installed; this one keeps the fallback covered on machines
 * that have the addon, and prints each set's relative errors so a change of kernels states its
 * error before and after. Tolerances are the reference test's: loss 1e-5, gradient 1e-4, H·v 1e-3.
 */
import { describe, expect, it } from 'vitest';
import { loadDataset } from '../../src/data/load';
import { nativeKernels, useNativeKernels } from '../../src/engine/cpu/native';
import { loadNativeKernels } from '../../src/evaluator/native';
import { Objective } from '../../src/evaluator/objective';
import { loadOnnxFile } from '../../src/model/open';
import { fixture, readJson } from '../helpers';

interface Ref {
  loss: number;
  lossKind: 'mse' | 'cross-entropy';
  tensors: Array<{ name: string; size: number; indices: number[]; grad: number[]; hv: number[] }>;
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

loadNativeKernels();
const native = nativeKernels();
const SETS = [['portable', null] as const, ...(native ? [['native', native] as const] : [])];
const MODELS = ['mlp_relu', 'cnn_bn', 'resnet_small', 'transformer', 'resnet18'];

describe('CPU kernel sets against PyTorch float64', () => {
  it.each(MODELS)(
    '%s',
    async (name) => {
      const model = await loadOnnxFile(fixture('engine', `${name}.onnx`));
      const data = await loadDataset(fixture('engine', `${name}-data.npz`));
      const ref = readJson<Ref>(fixture('engine', `${name}-ref.json`));
      const lines: string[] = [];
      try {
        for (const [set, kernels] of SETS) {
          useNativeKernels(kernels);
          const obj = new Objective(model, data, { loss: ref.lossKind, bn: 'eval', batchSize: 16 });
          const theta = obj.initialTheta();
          const g = await obj.gradient(theta);
          const v = Float64Array.from({ length: obj.size }, (_x, j) => Math.sin(0.7 * j + 0.3));
          const hv = await obj.hvp(theta, v);
          const got: number[][] = [[], []];
          const want: number[][] = [[], []];
          ref.tensors.forEach((t, k) => {
            const off = obj.params[k].offset;
            for (const [i, j] of t.indices.entries()) {
              got[0].push(g.grad[off + j]);
              want[0].push(t.grad[i]);
              got[1].push(hv[off + j]);
              want[1].push(t.hv[i]);
            }
          });
          obj.dispose();
          const errs = [
            Math.abs(g.loss - ref.loss) / Math.abs(ref.loss),
            relErr(got[0], want[0]),
            relErr(got[1], want[1]),
          ];
          lines.push(
            `${set}: loss ${errs[0].toExponential(1)}, gradient ${errs[1].toExponential(1)}, H·v ${errs[2].toExponential(1)}`,
          );
          expect(errs[0], `${set} loss`).toBeLessThan(1e-5);
          expect(errs[1], `${set} gradient`).toBeLessThan(1e-4);
          expect(errs[2], `${set} H·v`).toBeLessThan(1e-3);
        }
      } finally {
        useNativeKernels(native);
      }
      console.log(`${name} relative errors against float64 — ${lines.join('; ')}`);
    },
    300_000,
  );
});
