/**
 * The three calls every analysis is built from, over a whole data set: L(θ), ∇L(θ) and H(θ)·v.
 * θ and v are flat vectors over all trainable parameters (in `params` order). Mini-batches are
 * accumulated in float64 and divided by the data set's position count, so results do not depend
 * on the batch size beyond float32 rounding. One compiled program per batch size, built once.
 */
import type { Dataset } from '../data/dataset';
import type { OnnxModel } from '../formats/onnx/read';
import { type ImportedGraph, importOnnx, initialValues, type Leaf } from '../onnx-import/import';
import { type Backend, cpuBackend, type Executable } from './backend';
import { planFlops } from './cpu/flops';
import type { DType } from './cpu/plan';
import { gradients } from './grad';
import type { V } from './graph';
import type { Buf } from './ir';
import { buildLoss, type LossKind } from './loss';

export interface ObjectiveOptions {
  loss: LossKind;
  bn: 'eval' | 'train';
  batchSize: number;
  dtype?: DType;
  /** Where kernels run; the CPU backend by default. */
  backend?: Backend;
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

  constructor(
    private readonly model: OnnxModel,
    private readonly data: Dataset,
    private readonly options: ObjectiveOptions,
  ) {
    this.dtype = options.dtype ?? 'float32';
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
    const program: Program = { imported, lossSum: head.sum, logits, positions: head.positions, grads, hv, plans: {} };
    this.programs.set(batch, program);
    return program;
  }

  private plan(p: Program, kind: CallKind): Executable {
    let plan = p.plans[kind];
    if (!plan) {
      const g = p.imported.graph;
      const outputs =
        kind === 'loss' ? [p.lossSum, p.logits] : kind === 'grad' ? [p.lossSum, p.logits, ...p.grads] : p.hv;
      plan = (this.options.backend ?? cpuBackend).compile(g, outputs, this.dtype);
      p.plans[kind] = plan;
    }
    return plan;
  }

  /** Approximate floating-point operations of each call over `samples` samples (full batches). */
  flops(samples: number): { forward: number; gradient: number; hvp: number } {
    const batch = Math.min(this.options.batchSize, this.data.inputs.shape[0]);
    const p = this.program(batch);
    const g = p.imported.graph;
    const per = (kind: 'loss' | 'grad' | 'hvp') => (planFlops(g, this.plan(p, kind).nodes()) * samples) / batch;
    return { forward: per('loss'), gradient: per('grad'), hvp: per('hvp') };
  }

  /** Start offsets of the mini-batches, in order. */
  batchStarts(): number[] {
    const N = this.data.inputs.shape[0];
    return Array.from({ length: Math.ceil(N / this.options.batchSize) }, (_v, i) => i * this.options.batchSize);
  }

  /**
   * Raw sums over the given mini-batches (all by default): the loss sum, the correct-prediction
   * count and, for 'grad' and 'hvp', the summed vector. The building block of the public calls and
   * of the worker threads, which each take a share of the batches.
   */
  accumulate(kind: CallKind, theta: Vec, v: Vec | null, starts: number[] = this.batchStarts()): BatchSums {
    const N = this.data.inputs.shape[0];
    const per = this.sampleShape.reduce((a, b) => a * b, 1);
    const tPer = this.data.targets.shape.slice(1).reduce((a, b) => a * b, 1);
    const params: Buf[] = this.params.map((p) => theta.subarray(p.offset, p.offset + p.size));
    const vCast = v ? (this.dtype === 'float64' ? Float64Array.from(v) : Float32Array.from(v)) : null;
    const out: BatchSums = { lossSum: 0, hits: 0, vector: kind === 'loss' ? null : new Float64Array(this.size) };
    for (const start of starts) {
      const n = Math.min(this.options.batchSize, N - start);
      const p = this.program(n);
      const values = new Map<string, Buf>();
      for (const [k, b] of this.buffers) values.set(k, b);
      values.set(this.inputName, this.data.inputs.data.subarray(start * per, (start + n) * per));
      values.set('targets', this.targetsFor(p, start, n, tPer));
      if (vCast) this.params.forEach((q, i) => values.set(`v:${i}`, vCast.subarray(q.offset, q.offset + q.size)));
      const results = this.plan(p, kind).run({ params, values });
      let vectors = results;
      if (kind !== 'hvp') {
        out.lossSum += results[0][0];
        if (this.options.loss === 'cross-entropy') out.hits += this.correct(results[1], p, start, n);
        vectors = results.slice(2);
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

  private correct(logits: Buf, p: Program, start: number, n: number): number {
    const shape = p.imported.graph.shape(p.logits);
    const C = shape[1];
    const inner = shape.slice(2).reduce((a, b) => a * b, 1);
    const t = this.data.targets;
    const tPer = t.shape.slice(1).reduce((a, b) => a * b, 1);
    let hits = 0;
    for (let b = 0; b < n; b++) {
      for (let k = 0; k < inner; k++) {
        let best = 0;
        for (let c = 1; c < C; c++) if (logits[(b * C + c) * inner + k] > logits[(b * C + best) * inner + k]) best = c;
        let want: number;
        if (t.kind === 'indices') want = t.data[(start + b) * tPer + k];
        else {
          want = 0;
          for (let c = 1; c < C; c++)
            if (t.data[(start + b) * tPer + c * inner + k] > t.data[(start + b) * tPer + want * inner + k]) want = c;
        }
        if (best === want) hits++;
      }
    }
    return hits;
  }

  private positionsTotal(): number {
    const first = this.program(Math.min(this.options.batchSize, this.data.inputs.shape[0]));
    return (first.positions / Math.min(this.options.batchSize, this.data.inputs.shape[0])) * this.data.inputs.shape[0];
  }

  evaluate(theta: Vec): EvalResult {
    const r = this.finish(this.accumulate('loss', theta, null));
    return { loss: r.loss, accuracy: r.accuracy, samples: r.samples };
  }

  gradient(theta: Vec): EvalResult & { grad: Float64Array } {
    const r = this.finish(this.accumulate('grad', theta, null));
    return { loss: r.loss, accuracy: r.accuracy, samples: r.samples, grad: r.vector as Float64Array };
  }

  hvp(theta: Vec, v: Vec): Float64Array {
    return this.finish(this.accumulate('hvp', theta, v)).vector as Float64Array;
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
