/**
 * Data-parallel evaluation on worker threads. Mini-batches are dealt round-robin to the workers
 * (so every batch is the same as on one thread, BatchNorm batch statistics included); θ and v live
 * in SharedArrayBuffers; each worker returns raw sums that are added in worker order, so results
 * are deterministic for a given thread count.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Dataset, TargetKind } from '../data/dataset';
import type { OnnxModel } from '../formats/onnx/read';
import { packageRoot } from '../resources';
import type { Evaluator } from './evaluator';
import {
  type BatchSums,
  type CallKind,
  type EvalResult,
  Objective,
  type ObjectiveOptions,
  type Vec,
} from './objective';
import {
  DeviceSpace,
  DeviceVector,
  device,
  HostSpace,
  HostVector,
  host,
  type Vector,
  type VectorSpace,
} from './vectors';

export interface WorkerInit {
  modelBytes: Uint8Array;
  file: string;
  inputs: SharedArrayBuffer;
  inputsShape: number[];
  /** How the data names its inputs (several-input models): see Dataset. */
  inputName?: string;
  inputsKey?: string;
  extraInputs?: Array<{ name: string; key: string; shape: number[]; data: SharedArrayBuffer }>;
  targets: SharedArrayBuffer;
  targetsShape: number[];
  targetKind: TargetKind;
  source: string;
  options: Omit<ObjectiveOptions, 'backend'>;
  starts: number[];
  theta: SharedArrayBuffer;
  v: SharedArrayBuffer;
  out: SharedArrayBuffer;
}

let workerScript: string | null = null;
/** Where the bundled worker entry is (dist/worker.mjs by default; the Electron build sets its own). */
export function setWorkerScript(path: string): void {
  workerScript = path;
}
function resolveWorkerScript(): string {
  const path = workerScript ?? join(packageRoot(), 'dist', 'worker.mjs');
  if (!existsSync(path))
    throw new Error(`The worker bundle '${path}' is missing; run \`npm run build\` (or use --threads 1).`);
  return path;
}

function shared(src: Float32Array): SharedArrayBuffer {
  const sab = new SharedArrayBuffer(src.byteLength);
  new Float32Array(sab).set(src);
  return sab;
}

/** What both evaluators read from their Objective (the one on this thread). */
abstract class ObjectiveView {
  constructor(protected readonly objective: Objective) {}
  get backend() {
    return this.objective.backend.description;
  }
  get backendNotice() {
    return this.objective.backendNotice;
  }
  get size() {
    return this.objective.size;
  }
  get params() {
    return this.objective.params;
  }
  initialTheta() {
    return this.objective.initialTheta();
  }
  private vectorSpace: VectorSpace | null = null;
  /**
   * Device vectors when the backend has them and a whole P-vector fits one of its bindings; else
   * host float64 vectors (on a GPU, each H·v then reads its vector back, as per-tensor arrays still fit).
   */
  get space(): VectorSpace {
    const ops = this.objective.backend.vectors;
    this.vectorSpace ??= ops && this.size <= ops.maxLength ? new DeviceSpace(ops, this.size) : new HostSpace(this.size);
    return this.vectorSpace;
  }
  deviceMemory() {
    return this.objective.deviceMemory();
  }
  resetDevicePeak() {
    this.objective.backend.resetPeak?.();
  }
}

/** One thread: the Objective itself. */
class LocalEvaluator extends ObjectiveView implements Evaluator {
  readonly threads = 1;
  async evaluate(theta: Vec) {
    return this.objective.evaluate(theta);
  }
  async gradient(theta: Vec) {
    return this.objective.gradient(theta);
  }
  async hvp(theta: Vec, v: Vec) {
    return this.objective.hvp(theta, v);
  }
  async evaluateAt(theta: Vector) {
    return this.objective.evaluate(theta instanceof DeviceVector ? theta.array : host(theta));
  }
  async hvpAt(theta: Vector, v: Vector): Promise<Vector> {
    if (v instanceof DeviceVector) return new DeviceVector(await this.objective.hvpOnDevice(device(theta), v.array));
    return new HostVector(await this.objective.hvp(host(theta), host(v)));
  }
  setBuffers(buffers: Map<string, Float32Array>) {
    this.objective.setBuffers(buffers);
  }
  async close() {
    this.objective.dispose();
  }
}

class ParallelEvaluator extends ObjectiveView implements Evaluator {
  private constructor(
    objective: Objective,
    private readonly workers: Worker[],
    private readonly theta: Float32Array,
    private readonly v: Float32Array,
    private readonly outs: Float64Array[],
  ) {
    super(objective);
  }

  get threads() {
    return this.workers.length;
  }

  static create(model: OnnxModel, data: Dataset, options: ObjectiveOptions, threads: number): ParallelEvaluator {
    const objective = new Objective(model, data, options);
    const starts = objective.batchStarts();
    const n = Math.min(threads, starts.length);
    const P = objective.size;
    const thetaSab = new SharedArrayBuffer(P * 4);
    const vSab = new SharedArrayBuffer(P * 4);
    const inputs = shared(data.inputs.data);
    const targets = shared(data.targets.data);
    const extraInputs = data.extraInputs?.map((x) => ({
      name: x.name,
      key: x.key,
      shape: x.shape,
      data: shared(x.data),
    }));
    const script = resolveWorkerScript();
    const outs: Float64Array[] = [];
    const workers = Array.from({ length: n }, (_v, w) => {
      const out = new SharedArrayBuffer((P + 2) * 8);
      outs.push(new Float64Array(out));
      const init: WorkerInit = {
        modelBytes: model.bytes,
        file: model.file,
        inputs,
        inputsShape: data.inputs.shape,
        inputName: data.inputName,
        inputsKey: data.inputsKey,
        extraInputs,
        targets,
        targetsShape: data.targets.shape,
        targetKind: data.targets.kind,
        source: data.source,
        // Workers run the CPU backend (createEvaluator sends every other backend to one thread).
        options: {
          loss: options.loss,
          bn: options.bn,
          batchSize: options.batchSize,
          dtype: options.dtype,
          weights: options.weights,
        },
        starts: starts.filter((_s, i) => i % n === w),
        theta: thetaSab,
        v: vSab,
        out,
      };
      return new Worker(script, { workerData: init });
    });
    return new ParallelEvaluator(objective, workers, new Float32Array(thetaSab), new Float32Array(vSab), outs);
  }

  private pendingBuffers: Array<[string, Float32Array]> | undefined;

  setBuffers(buffers: Map<string, Float32Array>): void {
    this.objective.setBuffers(buffers);
    this.pendingBuffers = [...buffers];
  }

  private async run(kind: CallKind, theta: Vec, v: Vec | null): Promise<BatchSums> {
    const buffers = this.pendingBuffers;
    this.pendingBuffers = undefined;
    this.theta.set(theta);
    if (v) this.v.set(v);
    await Promise.all(
      this.workers.map(
        (w) =>
          new Promise<void>((resolve, reject) => {
            const onError = (e: Error) => reject(e);
            w.once('error', onError);
            w.once('message', (m: { ok: boolean; message?: string }) => {
              w.off('error', onError);
              if (m.ok) resolve();
              else reject(new Error(m.message));
            });
            w.postMessage({ kind, buffers });
          }),
      ),
    );
    const sums: BatchSums = { lossSum: 0, hits: 0, vector: kind === 'loss' ? null : new Float64Array(this.size) };
    for (const out of this.outs) {
      sums.lossSum += out[0];
      sums.hits += out[1];
      if (sums.vector) for (let j = 0; j < this.size; j++) sums.vector[j] += out[j + 2];
    }
    return sums;
  }

  async evaluate(theta: Vec): Promise<EvalResult> {
    const r = this.objective.finish(await this.run('loss', theta, null));
    return { loss: r.loss, accuracy: r.accuracy, samples: r.samples };
  }

  async gradient(theta: Vec) {
    const r = this.objective.finish(await this.run('grad', theta, null));
    return { loss: r.loss, accuracy: r.accuracy, samples: r.samples, grad: r.vector as Float64Array };
  }

  async hvp(theta: Vec, v: Vec): Promise<Float64Array> {
    return this.objective.finish(await this.run('hvp', theta, v)).vector as Float64Array;
  }

  async evaluateAt(theta: Vector) {
    return this.evaluate(host(theta));
  }

  async hvpAt(theta: Vector, v: Vector): Promise<Vector> {
    return new HostVector(await this.hvp(host(theta), host(v)));
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

/**
 * One Objective on the calling thread, or CPU workers sharing the mini-batches. A device backend
 * (the GPU) is used from one thread whatever `threads` says: it is never dropped for the workers.
 * `offMainThread` (saddle serve, the app) puts even a single thread's CPU work on a worker, so the
 * caller's event loop keeps answering while the kernels run.
 */
export function createEvaluator(
  model: OnnxModel,
  data: Dataset,
  options: ObjectiveOptions,
  threads: number,
  offMainThread = false,
): Evaluator {
  const onCpu = !options.backend || options.backend.name === 'cpu';
  // One mini-batch has nothing to share: a worker would only add its own copy of the model and of
  // every P-sized buffer (a ResNet-50's H·v: about 1 GB more), unless the caller's thread must stay free.
  const batches = Math.ceil(data.inputs.shape[0] / Math.max(1, options.batchSize));
  const workers = (threads > 1 && batches > 1) || (offMainThread && threads >= 1);
  if (!workers || !onCpu || options.dtype === 'float64') return new LocalEvaluator(new Objective(model, data, options));
  return ParallelEvaluator.create(model, data, options, Math.max(1, threads));
}
