/**
 * The three calls every analysis is built from, over a whole data set: L(θ), ∇L(θ) and H(θ)·v.
 * θ and v are flat vectors over all trainable parameters (in `params` order). Mini-batches are
 * accumulated in float64 and divided by the data set's position count, so results do not depend
 * on the batch size beyond float32 rounding. One compiled program per batch size, built once.
 */
import type { Dataset } from '../data/dataset';
import type { OnnxModel } from '../formats/onnx/read';
import { type ImportedGraph, importOnnx, initialValues, type Leaf } from '../onnx-import/import';
import { planFlops } from './cpu/flops';
import { CpuPlan, type DType, type Feeds } from './cpu/plan';
import { gradients } from './grad';
import type { V } from './graph';
import type { Buf } from './ir';
import { buildLoss, type LossKind } from './loss';

export interface ObjectiveOptions {
  loss: LossKind;
  bn: 'eval' | 'train';
  batchSize: number;
  dtype?: DType;
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
  plans: Partial<Record<'loss' | 'grad' | 'hvp', CpuPlan>>;
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
    initialValues(this.model).params.forEach((p, i) => theta.set(p, this.params[i].offset));
    return theta;
  }

  setBuffers(buffers: Map<string, Float32Array>): void {
    this.buffers = buffers;
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

  private plan(p: Program, kind: 'loss' | 'grad' | 'hvp'): CpuPlan {
    let plan = p.plans[kind];
    if (!plan) {
      const g = p.imported.graph;
      const outputs =
        kind === 'loss' ? [p.lossSum, p.logits] : kind === 'grad' ? [p.lossSum, p.logits, ...p.grads] : p.hv;
      plan = new CpuPlan(g, outputs, this.dtype);
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

  /** Calls `visit` for every mini-batch with the feeds it needs. */
  private forEachBatch(
    theta: Float32Array | Float64Array,
    v: Float32Array | Float64Array | null,
    visit: (p: Program, feeds: Feeds, start: number, n: number) => void,
  ): void {
    const N = this.data.inputs.shape[0];
    const per = this.sampleShape.reduce((a, b) => a * b, 1);
    const tPer = this.data.targets.shape.slice(1).reduce((a, b) => a * b, 1);
    const params: Buf[] = this.params.map((p) => theta.subarray(p.offset, p.offset + p.size));
    for (let start = 0; start < N; start += this.options.batchSize) {
      const n = Math.min(this.options.batchSize, N - start);
      const p = this.program(n);
      const values = new Map<string, Buf>();
      for (const [k, b] of this.buffers) values.set(k, b);
      values.set(this.inputName, this.data.inputs.data.subarray(start * per, (start + n) * per));
      values.set('targets', this.targetsFor(p, start, n, tPer));
      if (v) this.params.forEach((q, i) => values.set(`v:${i}`, v.subarray(q.offset, q.offset + q.size)));
      visit(p, { params, values }, start, n);
    }
  }

  /** Dense targets for a batch: class indices become one-hot rows along axis 1. */
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

  evaluate(theta: Float32Array | Float64Array): EvalResult {
    let sum = 0;
    let hits = 0;
    this.forEachBatch(theta, null, (p, feeds, start, n) => {
      const [l, logits] = this.plan(p, 'loss').run(feeds);
      sum += l[0];
      if (this.options.loss === 'cross-entropy') hits += this.correct(logits, p, start, n);
    });
    const positions = this.positionsTotal();
    return {
      loss: sum / positions,
      accuracy: this.options.loss === 'cross-entropy' ? hits / positions : null,
      samples: this.data.inputs.shape[0],
    };
  }

  gradient(theta: Float32Array | Float64Array): EvalResult & { grad: Float64Array } {
    let sum = 0;
    let hits = 0;
    const grad = new Float64Array(this.size);
    this.forEachBatch(theta, null, (p, feeds, start, n) => {
      const [l, logits, ...gs] = this.plan(p, 'grad').run(feeds);
      sum += l[0];
      if (this.options.loss === 'cross-entropy') hits += this.correct(logits, p, start, n);
      gs.forEach((gi, i) => {
        const off = this.params[i].offset;
        for (let j = 0; j < gi.length; j++) grad[off + j] += gi[j];
      });
    });
    const positions = this.positionsTotal();
    for (let j = 0; j < grad.length; j++) grad[j] /= positions;
    return {
      loss: sum / positions,
      accuracy: this.options.loss === 'cross-entropy' ? hits / positions : null,
      samples: this.data.inputs.shape[0],
      grad,
    };
  }

  hvp(theta: Float32Array | Float64Array, v: Float32Array | Float64Array): Float64Array {
    const out = new Float64Array(this.size);
    const vCast = this.dtype === 'float64' ? Float64Array.from(v) : Float32Array.from(v);
    this.forEachBatch(theta, vCast, (p, feeds) => {
      const hs = this.plan(p, 'hvp').run(feeds);
      hs.forEach((hi, i) => {
        const off = this.params[i].offset;
        for (let j = 0; j < hi.length; j++) out[off + j] += hi[j];
      });
    });
    const positions = this.positionsTotal();
    for (let j = 0; j < out.length; j++) out[j] /= positions;
    return out;
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
