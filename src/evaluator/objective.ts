/**
 * The three calls every analysis is built from, over a whole data set: L(θ), ∇L(θ) and H(θ)·v.
 * θ and v are flat vectors over all trainable parameters (in `params` order). Mini-batches are
 * accumulated in float64 and divided by the data set's position count, so results do not depend
 * on the batch size beyond float32 rounding. One compiled program per batch size, built once.
 */
import type { Dataset } from '../data/dataset';
import {
  type Backend,
  checkDType,
  type DeviceArray,
  type DeviceVectorOps,
  type DType,
  type Executable,
  type LeafValue,
} from '../engine/backend';
import { cpuBackend } from '../engine/cpu/backend';
import { planFlops } from '../engine/cpu/flops';
import { gradients } from '../engine/grad';
import type { V } from '../engine/graph';
import { buildLoss, type LossKind } from '../engine/loss';
import type { OnnxModel } from '../formats/onnx/read';
import { type ImportedGraph, importOnnx, initialValues, type Leaf } from '../onnx-import/import';

export interface ObjectiveOptions {
  loss: LossKind;
  bn: 'eval' | 'train';
  batchSize: number;
  dtype?: DType;
  /** Where kernels run; the CPU backend by default. */
  backend?: Backend;
  /** Why `--backend auto` did not use the GPU, when it did not (shown and recorded). */
  backendNotice?: string | null;
  /** Weights from a checkpoint (--weights), replacing the ONNX initializers. */
  weights?: { params: Float32Array[]; buffers: Map<string, Float32Array> };
}

export type Vec = Float32Array | Float64Array;
export type CallKind = 'loss' | 'grad' | 'hvp';

/** Raw sums over some mini-batches (see Objective.accumulate). */
export interface BatchSums {
  lossSum: number;
  hits: number;
  vector: Float64Array | null;
}

export interface EvalResult {
  loss: number;
  /** Top-1 accuracy for classification, null for regression. */
  accuracy: number | null;
  samples: number;
}

interface Program {
  imported: ImportedGraph;
  lossSum: V;
  /** Correct predictions (cross-entropy), or the loss again for regression (unused). */
  hits: V;
  logits: V;
  positions: number;
  grads: V[];
  hv: V[];
  plans: Partial<Record<'loss' | 'grad' | 'hvp', Executable>>;
}

export class Objective {
  readonly params: Array<{ name: string; shape: number[]; size: number; offset: number }>;
  readonly size: number;
  private readonly programs = new Map<number, Program>();
  private buffers: Map<string, Float32Array>;
  private readonly dtype: DType;
  private readonly sampleShape: number[];
  private readonly inputName: string;
  readonly backend: Backend;
  readonly backendNotice: string | null;
  /** θ, v and BatchNorm statistics on the backend's device, written once per call. */
  private device: { params: DeviceArray[]; v: DeviceArray[]; buffers: Map<string, DeviceArray> } | null = null;
  private buffersDirty = true;

  constructor(
    private readonly model: OnnxModel,
    private readonly data: Dataset,
    private readonly options: ObjectiveOptions,
  ) {
    this.dtype = options.dtype ?? 'float32';
    this.backend = options.backend ?? cpuBackend;
    this.backendNotice = options.backendNotice ?? null;
    checkDType(this.backend, this.dtype);
    const init = initialValues(model);
    this.buffers = init.buffers;
    for (const [k, b] of options.weights?.buffers ?? []) this.buffers.set(k, b);
    this.sampleShape = data.inputs.shape.slice(1);
    checkInputShape(model, data);
    const probe = this.program(Math.min(options.batchSize, data.inputs.shape[0]));
    if (probe.imported.inputs.length !== 1) {
      throw new Error(
        `The model has ${probe.imported.inputs.length} inputs; Saddle analyzes models with one data input.`,
      );
    }
    this.inputName = probe.imported.inputs[0].name;
    let offset = 0;
    this.params = probe.imported.params.map((p: Leaf) => {
      const size = p.shape.reduce((a, b) => a * b, 1);
      const entry = { name: p.name, shape: p.shape, size, offset };
      offset += size;
      return entry;
    });
    this.size = offset;
  }

  /** The model's own parameters as one flat vector. */
  initialTheta(): Float32Array {
    const theta = new Float32Array(this.size);
    const source = this.options.weights?.params ?? initialValues(this.model).params;
    source.forEach((p, i) => theta.set(p, this.params[i].offset));
    return theta;
  }

  /** Replace the named BatchNorm statistics (others keep their values). */
  setBuffers(buffers: Map<string, Float32Array>): void {
    for (const [k, b] of buffers) this.buffers.set(k, b);
    this.buffersDirty = true;
  }

  private program(batch: number): Program {
    const cached = this.programs.get(batch);
    if (cached) return cached;
    const graphInput = this.model.graph.inputs.find((i) => !this.model.graph.initializers.has(i.name));
    if (!graphInput) throw new Error('The model has no data input.');
    const imported = importOnnx(
      this.model,
      { [graphInput.name]: [batch, ...this.data.inputs.shape.slice(1)] },
      { bn: this.options.bn },
    );
    const g = imported.graph;
    const logits = imported.outputs[0].v;
    const head = buildLoss(g, this.options.loss, logits);
    const paramVs = imported.params.map((p) => p.v);
    const grads = gradients(g, head.sum, paramVs);
    const vs = imported.params.map((p, i) => g.input(`v:${i}`, p.shape));
    const dot = grads.map((gi, i) => g.sumAll(g.mul(gi, vs[i]))).reduce((a, b) => g.addV(a, b));
    const hv = gradients(g, dot, paramVs);
    const hits = head.hits ?? head.sum;
    const program: Program = {
      imported,
      lossSum: head.sum,
      hits,
      logits,
      positions: head.positions,
      grads,
      hv,
      plans: {},
    };
    this.programs.set(batch, program);
    return program;
  }

  private async plan(p: Program, kind: CallKind): Promise<Executable> {
    let plan = p.plans[kind];
    if (!plan) {
      const g = p.imported.graph;
      const outputs = kind === 'loss' ? [p.lossSum, p.hits] : kind === 'grad' ? [p.lossSum, p.hits, ...p.grads] : p.hv;
      plan = await this.backend.compile(g, outputs, this.dtype);
      p.plans[kind] = plan;
    }
    return plan;
  }

  /** Approximate floating-point operations of each call over `samples` samples (full batches). */
  async flops(samples: number): Promise<{ forward: number; gradient: number; hvp: number }> {
    const batch = Math.min(this.options.batchSize, this.data.inputs.shape[0]);
    const p = this.program(batch);
    const g = p.imported.graph;
    const per = async (kind: 'loss' | 'grad' | 'hvp') =>
      (planFlops(g, (await this.plan(p, kind)).nodes()) * samples) / batch;
    return { forward: await per('loss'), gradient: await per('grad'), hvp: await per('hvp') };
  }

  /** Start offsets of the mini-batches, in order. */
  batchStarts(): number[] {
    const N = this.data.inputs.shape[0];
    return Array.from({ length: Math.ceil(N / this.options.batchSize) }, (_v, i) => i * this.options.batchSize);
  }

  /**
   * Write θ and v into their device arrays (created on first use), and the statistics when changed.
   * θ and v may be host vectors (uploaded) or flat arrays of this backend (copied on the device).
   */
  private writeLeaves(theta: Vec | DeviceArray, v: Vec | DeviceArray | null) {
    if (!this.device) {
      const make = () => this.params.map((p) => this.backend.createArray(p.size, this.dtype));
      this.device = { params: make(), v: make(), buffers: new Map() };
    }
    const d = this.device;
    const put = (src: Vec | DeviceArray, dst: DeviceArray, p: { offset: number; size: number }) => {
      if (src instanceof Float32Array || src instanceof Float64Array)
        dst.write(src.subarray(p.offset, p.offset + p.size));
      else this.deviceOps().copy(src, p.offset, dst, 0, p.size);
    };
    this.params.forEach((p, i) => {
      put(theta, d.params[i], p);
      if (v) put(v, d.v[i], p);
    });
    if (this.buffersDirty) {
      for (const [k, b] of this.buffers) {
        let arr = d.buffers.get(k);
        if (!arr || arr.length !== b.length) {
          arr?.dispose();
          arr = this.backend.createArray(b.length, this.dtype);
          d.buffers.set(k, arr);
        }
        arr.write(b);
      }
      this.buffersDirty = false;
    }
    return d;
  }

  /** The backend's vector kernels (device backends only). */
  deviceOps(): DeviceVectorOps {
    if (!this.backend.vectors) throw new Error(`The ${this.backend.name} backend keeps no vectors on a device.`);
    return this.backend.vectors;
  }

  /** Run the given mini-batches through the executables of `kind`; returns them in first-use order. */
  private async runBatches(
    kind: CallKind,
    device: NonNullable<Objective['device']>,
    starts: number[],
  ): Promise<Executable[]> {
    const N = this.data.inputs.shape[0];
    const per = this.sampleShape.reduce((a, b) => a * b, 1);
    const tPer = this.data.targets.shape.slice(1).reduce((a, b) => a * b, 1);
    const values = new Map<string, LeafValue>(device.buffers);
    if (kind === 'hvp') this.params.forEach((_q, i) => values.set(`v:${i}`, device.v[i]));
    // The last mini-batch may be shorter: its executable is another one, and its sums come last,
    // in the order the batches were run.
    const used: Executable[] = [];
    for (const start of starts) {
      const n = Math.min(this.options.batchSize, N - start);
      const p = this.program(n);
      values.set(this.inputName, this.data.inputs.data.subarray(start * per, (start + n) * per));
      values.set('targets', this.targetsFor(p, start, n, tPer));
      const exe = await this.plan(p, kind);
      exe.accumulate({ params: device.params, values });
      if (!used.includes(exe)) used.push(exe);
    }
    return used;
  }

  /**
   * Raw sums over the given mini-batches (all by default): the loss sum, the correct-prediction
   * count and, for 'grad' and 'hvp', the summed vector. θ and v are written to the device once; each
   * executable adds its batches into its own running sums, read back once at the end. The building
   * block of the public calls and of the worker threads, which each take a share of the batches.
   */
  async accumulate(
    kind: CallKind,
    theta: Vec | DeviceArray,
    v: Vec | DeviceArray | null,
    starts: number[] = this.batchStarts(),
  ): Promise<BatchSums> {
    const device = this.writeLeaves(theta, kind === 'hvp' ? v : null);
    const used = await this.runBatches(kind, device, starts);
    const out: BatchSums = { lossSum: 0, hits: 0, vector: kind === 'loss' ? null : new Float64Array(this.size) };
    for (const exe of used) {
      const sums = await exe.takeSums();
      if (!sums) continue;
      let vectors = sums;
      if (kind !== 'hvp') {
        out.lossSum += sums[0][0];
        if (this.options.loss === 'cross-entropy') out.hits += sums[1][0];
        vectors = sums.slice(2);
      }
      if (out.vector) {
        const vec = out.vector;
        vectors.forEach((t, i) => {
          const off = this.params[i].offset;
          for (let j = 0; j < t.length; j++) vec[off + j] += t[j];
        });
      }
    }
    return out;
  }

  /** Turn raw sums into data-set means. */
  finish(sums: BatchSums): { loss: number; accuracy: number | null; samples: number; vector: Float64Array | null } {
    const positions = this.positionsTotal();
    if (sums.vector) for (let j = 0; j < sums.vector.length; j++) sums.vector[j] /= positions;
    return {
      loss: sums.lossSum / positions,
      accuracy: this.options.loss === 'cross-entropy' ? sums.hits / positions : null,
      samples: this.data.inputs.shape[0],
      vector: sums.vector,
    };
  }

  private targetsFor(p: Program, start: number, n: number, tPer: number): Float32Array {
    const t = this.data.targets;
    const raw = t.data.subarray(start * tPer, (start + n) * tPer);
    if (t.kind === 'dense' || this.options.loss === 'mse') return raw;
    const shape = p.imported.graph.shape(p.logits);
    const C = shape[1];
    const inner = shape.slice(2).reduce((a, b) => a * b, 1);
    if (raw.length !== n * inner)
      throw new Error(`The targets hold ${tPer} values per sample but the model's output needs ${inner}.`);
    const out = new Float32Array(n * C * inner);
    for (let b = 0; b < n; b++) {
      for (let k = 0; k < inner; k++) {
        const cls = raw[b * inner + k];
        if (!Number.isInteger(cls) || cls < 0 || cls >= C)
          throw new Error(`Target ${cls} of sample ${start + b} is not a class index in [0, ${C}).`);
        out[(b * C + cls) * inner + k] = 1;
      }
    }
    return out;
  }

  private positionsTotal(): number {
    const first = this.program(Math.min(this.options.batchSize, this.data.inputs.shape[0]));
    return (first.positions / Math.min(this.options.batchSize, this.data.inputs.shape[0])) * this.data.inputs.shape[0];
  }

  /** L(θ); θ may be a flat array of this backend's device (a landscape point formed there). */
  async evaluate(theta: Vec | DeviceArray): Promise<EvalResult> {
    const r = this.finish(await this.accumulate('loss', theta, null));
    return { loss: r.loss, accuracy: r.accuracy, samples: r.samples };
  }

  async gradient(theta: Vec): Promise<EvalResult & { grad: Float64Array }> {
    const r = this.finish(await this.accumulate('grad', theta, null));
    return { loss: r.loss, accuracy: r.accuracy, samples: r.samples, grad: r.vector as Float64Array };
  }

  async hvp(theta: Vec, v: Vec): Promise<Float64Array> {
    return this.finish(await this.accumulate('hvp', theta, v)).vector as Float64Array;
  }

  /**
   * H(θ)·v with θ, v and the result flat arrays on this backend's device: each executable adds its
   * sums into the result there, which is then divided by the position count; nothing is read back.
   */
  async hvpOnDevice(theta: DeviceArray, v: DeviceArray): Promise<DeviceArray> {
    const ops = this.deviceOps();
    const device = this.writeLeaves(theta, v);
    const used = await this.runBatches('hvp', device, this.batchStarts());
    const out = ops.zeros(this.size);
    const offsets = this.params.map((p) => p.offset);
    try {
      for (const exe of used) {
        if (!exe.addSumsTo) throw new Error(`The ${this.backend.name} backend cannot sum on its device.`);
        await exe.addSumsTo(out, offsets);
      }
    } catch (e) {
      out.dispose();
      throw e;
    }
    ops.scale(out, 1 / this.positionsTotal());
    return out;
  }

  /** Device memory of this objective's executables and arrays, when the backend has a device. */
  deviceMemory(): { plans: number; arrays: number; peak: number } | null {
    return this.backend.memory?.() ?? null;
  }

  /** Free the device arrays and executables (the backend itself belongs to the caller). */
  dispose(): void {
    if (this.device) {
      for (const a of [...this.device.params, ...this.device.v, ...this.device.buffers.values()]) a.dispose();
      this.device = null;
    }
    for (const p of this.programs.values()) for (const e of Object.values(p.plans)) e?.dispose();
    this.programs.clear();
  }
}

/** Refuse data whose sample shape contradicts the model's declared input shape, naming both. */
function checkInputShape(model: OnnxModel, data: Dataset): void {
  const input = model.graph.inputs.find((i) => !model.graph.initializers.has(i.name));
  if (!input?.shape) return;
  const want = input.shape.slice(1);
  const got = data.inputs.shape.slice(1);
  const fits = want.length === got.length && want.every((d, i) => typeof d !== 'number' || d === got[i]);
  if (!fits) {
    throw new Error(
      `The data in '${data.source}' has samples of shape [${got.join(', ')}] but the model input '${input.name}' expects [${input.shape.join(', ')}].`,
    );
  }
}
