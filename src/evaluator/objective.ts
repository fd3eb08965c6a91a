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
import { checkTargets, checkTokenIds, classAxisOf, type Feed, oneHot, resolveFeeds } from './feeds';
import { loadNativeKernels } from './native';

// Every thread that evaluates (the main one and each worker) installs the native kernels if built.
loadNativeKernels();

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

/** θ, v and the statistics as the plans' leaves (views of host vectors, or device arrays). */
interface Leaves {
  params: LeafValue[];
  v: LeafValue[] | null;
  buffers: Map<string, DeviceArray>;
}

interface Program {
  imported: ImportedGraph;
  lossSum: V;
  /** Correct predictions (cross-entropy), or the loss again for regression (unused). */
  hits: V;
  logits: V;
  /** The logits' class axis (cross-entropy with class-index targets). */
  classAxis: number;
  positions: number;
  /** The gradient and H·v graphs, built on first use (see derivatives()). */
  derived: { grads: V[]; hv: V[] } | null;
  plans: Partial<Record<'loss' | 'grad' | 'hvp', Executable>>;
}

export class Objective {
  readonly params: Array<{ name: string; shape: number[]; size: number; offset: number }>;
  readonly size: number;
  private readonly programs = new Map<number, Program>();
  private buffers: Map<string, Float32Array>;
  private readonly dtype: DType;
  /** Every graph input with the data array that feeds it. */
  private readonly feeds: Feed[];
  /** Positions that count in the means (class-index targets: all but IGNORE_INDEX), or null to derive. */
  private readonly counted: number | null = null;
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
    this.feeds = resolveFeeds(model, data);
    const probe = this.program(Math.min(options.batchSize, data.inputs.shape[0]));
    // Bad token ids and targets are refused here, before any work.
    checkTokenIds(this.feeds, probe.imported.indexInputs);
    if (options.loss === 'cross-entropy' && data.targets.kind === 'indices') {
      const C = probe.imported.graph.shape(probe.logits)[probe.classAxis];
      this.counted = checkTargets(data, C, 'targets');
    }
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
    const shapes = Object.fromEntries(this.feeds.map((f) => [f.name, [batch, ...f.array.shape.slice(1)]]));
    const imported = importOnnx(this.model, shapes, { bn: this.options.bn });
    const g = imported.graph;
    const logits = imported.outputs[0].v;
    const classAxis = this.classAxis(g.shape(logits));
    const head = buildLoss(g, this.options.loss, logits, classAxis);
    const hits = head.hits ?? head.sum;
    const program: Program = {
      imported,
      lossSum: head.sum,
      hits,
      logits,
      classAxis,
      positions: head.positions,
      derived: null,
      plans: {},
    };
    this.programs.set(batch, program);
    return program;
  }

  /**
   * ∇L and H·v as graph values, built when a plan first needs them: the double-backward graph is
   * most of the building time, and an evaluator that only reads the parameter layout (the main
   * thread of the parallel evaluator) or only evaluates losses (landscapes) never builds it.
   * H·v is the gradient of ⟨∇L, v⟩; with hash-consing the result has the cost of Pearlmutter's
   * forward-over-reverse R-operator (see docs/algorithms.md).
   */
  private derivatives(p: Program): { grads: V[]; hv: V[] } {
    if (p.derived) return p.derived;
    const g = p.imported.graph;
    const paramVs = p.imported.params.map((q) => q.v);
    const grads = gradients(g, p.lossSum, paramVs);
    const vs = p.imported.params.map((q, i) => g.input(`v:${i}`, q.shape));
    const dot = grads.map((gi, i) => g.sumAll(g.mul(gi, vs[i]))).reduce((a, b) => g.addV(a, b));
    const hv = gradients(g, dot, paramVs);
    p.derived = { grads, hv };
    return p.derived;
  }

  private async plan(p: Program, kind: CallKind): Promise<Executable> {
    let plan = p.plans[kind];
    if (!plan) {
      const g = p.imported.graph;
      const outputs =
        kind === 'loss'
          ? [p.lossSum, p.hits]
          : kind === 'grad'
            ? [p.lossSum, p.hits, ...this.derivatives(p).grads]
            : this.derivatives(p).hv;
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
   * The per-tensor leaves for θ and v. On the CPU, a vector already in the plan's dtype is bound in
   * place, tensor by tensor (views, no copy: a landscape updates θ in place and each point costs
   * the forward pass alone); otherwise it is written into device arrays (a GPU upload), or, for a
   * flat array of this backend's device, copied there on the device.
   */
  private leavesOf(vec: Vec | DeviceArray, arrays: DeviceArray[]): LeafValue[] {
    if (!(vec instanceof Float32Array || vec instanceof Float64Array)) {
      this.params.forEach((p, i) => this.deviceOps().copy(vec, p.offset, arrays[i], 0, p.size));
      return arrays;
    }
    const inPlace =
      this.backend.name === 'cpu' &&
      (this.dtype === 'float64' ? vec instanceof Float64Array : vec instanceof Float32Array);
    return this.params.map((p, i) => {
      const view = vec.subarray(p.offset, p.offset + p.size);
      if (inPlace) return view;
      arrays[i].write(view);
      return arrays[i];
    });
  }

  /** θ and v as leaves (device arrays created on first use), and the statistics when changed. */
  private writeLeaves(theta: Vec | DeviceArray, v: Vec | DeviceArray | null): Leaves {
    if (!this.device) {
      const make = () => this.params.map((p) => this.backend.createArray(p.size, this.dtype));
      this.device = { params: make(), v: make(), buffers: new Map() };
    }
    const d = this.device;
    const params = this.leavesOf(theta, d.params);
    const vs = v ? this.leavesOf(v, d.v) : null;
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
    return { params, v: vs, buffers: d.buffers };
  }

  /** The backend's vector kernels (device backends only). */
  deviceOps(): DeviceVectorOps {
    if (!this.backend.vectors) throw new Error(`The ${this.backend.name} backend keeps no vectors on a device.`);
    return this.backend.vectors;
  }

  /** Run the given mini-batches through the executables of `kind`; returns them in first-use order. */
  private async runBatches(kind: CallKind, device: Leaves, starts: number[]): Promise<Executable[]> {
    const N = this.data.inputs.shape[0];
    const tPer = this.data.targets.shape.slice(1).reduce((a, b) => a * b, 1);
    const values = new Map<string, LeafValue>(device.buffers);
    if (kind === 'hvp') this.params.forEach((_q, i) => values.set(`v:${i}`, (device.v as LeafValue[])[i]));
    // The last mini-batch may be shorter: its executable is another one, and its sums come last,
    // in the order the batches were run.
    const used: Executable[] = [];
    for (const start of starts) {
      const n = Math.min(this.options.batchSize, N - start);
      const p = this.program(n);
      for (const f of this.feeds) {
        const per = f.array.shape.slice(1).reduce((a, b) => a * b, 1);
        values.set(f.name, f.array.data.subarray(start * per, (start + n) * per));
      }
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
    /** Where to sum the vector (a worker's shared result buffer), instead of a new array. */
    into?: Float64Array,
  ): Promise<BatchSums> {
    const device = this.writeLeaves(theta, kind === 'hvp' ? v : null);
    const used = await this.runBatches(kind, device, starts);
    const vector = kind === 'loss' ? null : (into?.fill(0) ?? new Float64Array(this.size));
    const out: BatchSums = { lossSum: 0, hits: 0, vector };
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
    // Targets were checked against the classes when the objective was built.
    return oneHot(raw, p.imported.graph.shape(p.logits), p.classAxis);
  }

  /** The class axis of the logits (see classAxisOf), or 1 for dense targets and regression. */
  private classAxis(logits: readonly number[]): number {
    const t = this.data.targets;
    if (this.options.loss !== 'cross-entropy' || t.kind !== 'indices') return 1;
    const axis = classAxisOf(logits, t.shape);
    if (axis === null)
      throw new Error(
        `The targets in '${this.data.source}' have samples of shape [${t.shape.slice(1).join(', ')}], but the model's logits have shape [${logits.slice(1).join(', ')}] per sample: class-index targets need the logits' shape without the class axis (axis 1, or the last).`,
      );
    return axis;
  }

  private positionsTotal(): number {
    if (this.counted !== null) return this.counted;
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
