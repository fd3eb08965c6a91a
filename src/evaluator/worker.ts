/**
 * A worker thread of the parallel CPU evaluator: it owns an Objective over the shared data set and
 * computes raw sums over its share of the mini-batches into a shared result buffer.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { readOnnx } from '../formats/onnx/read';
import { type CallKind, Objective } from './objective';
import type { WorkerInit } from './parallel';

const init = workerData as WorkerInit;
const model = readOnnx(new Uint8Array(init.modelBytes), init.file);
const objective = new Objective(
  model,
  {
    inputs: { shape: init.inputsShape, data: new Float32Array(init.inputs) },
    inputName: init.inputName,
    inputsKey: init.inputsKey,
    extraInputs: init.extraInputs?.map((x) => ({ ...x, data: new Float32Array(x.data) })),
    targets: { shape: init.targetsShape, data: new Float32Array(init.targets), kind: init.targetKind },
    source: init.source,
  },
  init.options,
);
const theta = new Float32Array(init.theta);
const v = new Float32Array(init.v);
const out = new Float64Array(init.out);
const sums = out.subarray(2);

parentPort?.on('message', async (m: { kind: CallKind; buffers?: Array<[string, Float32Array]> }) => {
  try {
    if (m.buffers) objective.setBuffers(new Map(m.buffers));
    // Summed straight into the shared buffer: no P-sized copy on this thread.
    const r = await objective.accumulate(m.kind, theta, m.kind === 'hvp' ? v : null, init.starts, sums);
    out[0] = r.lossSum;
    out[1] = r.hits;
    parentPort?.postMessage({ ok: true });
  } catch (e) {
    parentPort?.postMessage({ ok: false, message: e instanceof Error ? e.message : String(e) });
  }
});
