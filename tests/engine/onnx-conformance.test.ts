/**
 * Forward conformance on ONNX's own test data (Debian's libonnx-testdata): every node and
 * pytorch-converted case whose operators Saddle supports runs at that suite's tolerance
 * (rtol 1e-3, atol 1e-7). Integer graph inputs (shapes, axes, indices) are bound as constants,
 * as they would be initializers in an exported model. The test prints which cases ran.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CpuPlan } from '../../src/engine/cpu/plan';
import type { Buf } from '../../src/engine/ir';
import { UnsupportedError } from '../../src/formats/errors';
import { FLOAT_TYPES, type OnnxModel, readOnnx, readTensorProto } from '../../src/formats/onnx/read';
import { tensorValues } from '../../src/formats/onnx/tensor-data';
import { importOnnx, initialValues, unsupportedOps } from '../../src/onnx-import/import';
import { requireSystemPath } from '../helpers';

const ROOT = '/usr/share/libonnx-testdata/data';
const present = requireSystemPath(ROOT, 'libonnx-testdata');

/** Cases that test behaviour outside Saddle's scope (random ops, training-mode dropout, strings). */
const OUT_OF_SCOPE =
  /_training|_random|string|_bfloat16|_float16|_expanded|_cast_FLOAT_to_|_cast_DOUBLE|_STRING|_seq|_FLOAT8|_opt/i;

function loadCase(dir: string) {
  const model = readOnnx(new Uint8Array(readFileSync(join(dir, 'model.onnx'))), dir);
  const setDir = join(dir, 'test_data_set_0');
  const files = readdirSync(setDir);
  const read = (prefix: string) =>
    files
      .filter((f) => f.startsWith(prefix))
      .sort((a, b) => Number(a.match(/\d+/)![0]) - Number(b.match(/\d+/)![0]))
      .map((f) => readTensorProto(new Uint8Array(readFileSync(join(setDir, f))), join(setDir, f)));
  return { model, inputs: read('input_'), outputs: read('output_') };
}

function runCase(dir: string): { ran: boolean; reason?: string } {
  const { model, inputs, outputs } = loadCase(dir);
  if (unsupportedOps(model).length) return { ran: false, reason: 'unsupported op' };
  const graphInputs = model.graph.inputs.filter((i) => !model.graph.initializers.has(i.name));
  const shapes: Record<string, number[]> = {};
  const feeds = new Map<string, Buf>();
  const bound: OnnxModel = {
    ...model,
    graph: { ...model.graph, initializers: new Map(model.graph.initializers), inputs: [] },
  };
  graphInputs.forEach((gi, k) => {
    const t = inputs[k];
    if (!t) return;
    if (!FLOAT_TYPES.has(t.dataType)) {
      bound.graph.initializers.set(gi.name, { ...t, name: gi.name });
    } else {
      bound.graph.inputs.push(gi);
      shapes[gi.name] = t.dims;
      feeds.set(gi.name, Float32Array.from(tensorValues(t, dir)));
    }
  });
  let imported: ReturnType<typeof importOnnx>;
  try {
    imported = importOnnx(bound, shapes);
  } catch (e) {
    if (e instanceof UnsupportedError) return { ran: false, reason: e.message };
    throw e;
  }
  const plan = new CpuPlan(
    imported.graph,
    imported.outputs.map((o) => o.v),
  );
  // Initializers that are trainable parameters or BatchNorm statistics are fed, as in an analysis.
  const init = initialValues(bound);
  for (const [k, v] of init.buffers) feeds.set(k, v);
  const results = plan.runNow({ params: init.params, values: feeds });
  outputs.forEach((want, k) => {
    const expected = tensorValues(want, dir);
    const got = results[k];
    expect(
      imported.outputs[k].shape.reduce((a, b) => a * b, 1),
      `output ${k} size`,
    ).toBe(expected.length);
    for (let i = 0; i < expected.length; i++) {
      const e = expected[i];
      const tol = 1e-7 + 1e-3 * Math.abs(e);
      if (Number.isNaN(e) ? !Number.isNaN(got[i]) : !(Math.abs(got[i] - e) <= tol || e === got[i])) {
        expect.fail(`output ${k}[${i}]: got ${got[i]}, expected ${e}`);
      }
    }
  });
  return { ran: true };
}

const ran: string[] = [];
const skipped: string[] = [];

describe.runIf(present)('ONNX backend conformance (forward)', () => {
  const cases = present
    ? ['node', 'pytorch-converted', 'pytorch-operator'].flatMap((suite) =>
        readdirSync(join(ROOT, suite))
          .filter((c) => !OUT_OF_SCOPE.test(c))
          .map((c) => `${suite}/${c}`),
      )
    : [];
  it.each(cases)('%s', (name) => {
    const r = runCase(join(ROOT, name));
    (r.ran ? ran : skipped).push(r.ran ? name : `${name}: ${r.reason}`);
  });
  afterAll(() => {
    console.log(
      `ONNX conformance: ${ran.length} cases ran, ${skipped.length} skipped as unsupported.\nRan: ${ran.join(', ')}`,
    );
  });
});
