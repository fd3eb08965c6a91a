/**
 * ONNX's integer semantics (the standard's own definitions, beyond the conformance suite, which has
 * no signed integer Div case): Div truncates toward zero on integers, Mod with fmod=0 takes the
 * divisor's sign and with fmod=1 the dividend's, Cast to an integer type truncates. Checked both
 * when the operands are constants (folded at import, as shape arithmetic is) and when they are data.
 */
import { describe, expect, it } from 'vitest';
import { CpuPlan } from '../../src/engine/cpu/plan';
import { readOnnx } from '../../src/formats/onnx/read';
import { importOnnx, initialValues } from '../../src/onnx-import/import';
import { buildOnnx } from '../onnx-builder';

const A = [7, -7, 7, -7, 9, -1, 0, 6];
const B = [2, 2, -2, -2, 3, 4, -5, -4];

/** One binary node over A and B: both initializers, or A an int64 graph input fed at run time. */
function run(op: string, attrs: Record<string, number>, type: 'int64' | 'float', aIsInput: boolean): number[] {
  const bytes = buildOnnx({
    nodes: [{ op, inputs: ['a', 'b'], outputs: ['y'], attrs }],
    initializers: {
      b: { dims: [8], data: B, type },
      ...(aIsInput ? {} : { a: { dims: [8], data: A, type } }),
    },
    inputs: aIsInput ? [{ name: 'a', shape: [8], type }] : [],
    outputs: [{ name: 'y' }],
  });
  const model = readOnnx(bytes, 'int.onnx');
  const imported = importOnnx(model, aIsInput ? { a: [8] } : {});
  const plan = new CpuPlan(imported.graph, [imported.outputs[0].v]);
  const values = new Map(aIsInput ? [['a', Float32Array.from(A)]] : []);
  // Integers have no −0: compare +0 (sign(x)·floor(|x|) gives −0 for small negative quotients).
  return Array.from(plan.runNow({ params: initialValues(model).params, values })[0], (x) => x + 0);
}

describe.each([
  ['constants', false],
  ['data', true],
])('ONNX integer semantics (%s)', (_what, aIsInput) => {
  it('Div truncates toward zero on int64 and divides exactly on floats', () => {
    expect(run('Div', {}, 'int64', aIsInput)).toEqual([3, -3, -3, 3, 3, 0, 0, -1]);
    expect(run('Div', {}, 'float', aIsInput)).toEqual(A.map((a, i) => Math.fround(a / B[i]) + 0));
  });
  it('Mod: fmod=0 takes the sign of the divisor, fmod=1 the sign of the dividend', () => {
    expect(run('Mod', {}, 'int64', aIsInput)).toEqual([1, 1, -1, -1, 0, 3, 0, -2]);
    expect(run('Mod', { fmod: 1 }, 'int64', aIsInput)).toEqual([1, -1, 1, -1, 0, -1, 0, 2]);
    expect(run('Mod', { fmod: 1 }, 'float', aIsInput)).toEqual([1, -1, 1, -1, 0, -1, 0, 2]);
  });
});
