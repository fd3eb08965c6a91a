/**
 * A compiled execution plan on a WebGPU device: the schedule shared with the CPU (liveness-pooled
 * slots, reshapes aliased), one GPU buffer per slot, every node's dispatches prebuilt with their
 * pipelines, uniforms and bind groups. Leaves bind device arrays by reference (θ, v, statistics) or
 * upload host arrays into their own buffers (the mini-batch). Outputs are summed on the device over
 * mini-batches (compensated) and read back once per call.
 */
import accumulateWgsl from '../../../shaders/accumulate.wgsl?raw';
import sumsAddWgsl from '../../../shaders/sums_add.wgsl?raw';
import type { DeviceArray, DType, Executable, Feeds, LeafValue } from '../backend';
import type { Graph, V } from '../graph';
import type { Buf, Node } from '../ir';
import { schedule } from '../schedule';
import { shapeText, size } from '../shape';
import { type GpuContext, trackMemory } from './gpu';
import { type BufRef, type Dispatch, grid } from './kernel';
import { gpuKernel } from './kernels';
import { type Compiled, compile } from './pipelines';

const STORAGE = () => GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC;

/** A device array: one storage buffer of float32. */
export class GpuArray {
  readonly buffer: GPUBuffer;
  readonly dtype: DType = 'float32';
  constructor(
    private readonly ctx: GpuContext,
    readonly length: number,
  ) {
    this.buffer = createBuffer(ctx, Math.max(length, 1) * 4, `an array of ${length} values`);
    trackMemory(ctx, 'arrays', this.buffer.size);
  }
  write(data: ArrayLike<number>): void {
    if (data.length !== this.length)
      throw new Error(`a device array of ${this.length} values was written with ${data.length}`);
    const f = data instanceof Float32Array ? data : Float32Array.from(data);
    this.ctx.device.queue.writeBuffer(this.buffer, 0, f.buffer, f.byteOffset, f.byteLength);
  }
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    trackMemory(this.ctx, 'arrays', -this.buffer.size);
    this.buffer.destroy();
  }
  private disposed = false;
}

export function createBuffer(ctx: GpuContext, bytes: number, what: string, usage = STORAGE()): GPUBuffer {
  if (ctx.lost) throw new Error(ctx.lost);
  const limit = ctx.limits.maxStorageBufferBindingSize;
  if (usage & GPUBufferUsage.STORAGE && bytes > limit) {
    throw new Error(
      `${what} needs ${bytes} bytes, more than this GPU's maxStorageBufferBindingSize (${limit}); use a smaller --batch-size or --backend cpu.`,
    );
  }
  return ctx.device.createBuffer({ size: Math.max(4, Math.ceil(bytes / 4) * 4), usage });
}

interface Prepared {
  /** A thunk until the plan compiles its pipelines, one at a time (see resolvePipelines). */
  compiled: Compiled | (() => Promise<Compiled>);
  refs: GPUBuffer[] | null;
  slotsOf: Array<number | GPUBuffer>;
  uniform: GPUBuffer;
  workgroups: [number, number, number];
  bindGroup: GPUBindGroup | null;
}

export class GpuPlan implements Executable {
  private readonly buffers: GPUBuffer[] = [];
  private readonly own: GPUBuffer[] = [];
  private readonly extra: GPUBuffer[] = [];
  private readonly leaves: Array<{ node: Node; slot: number }>;
  private readonly dispatches: Prepared[] = [];
  private readonly outputSlots: number[];
  private readonly outputSizes: number[];
  private readonly order: Node[] = [];
  private sums: Array<{ s: GPUBuffer; c: GPUBuffer; add: Prepared }> | null = null;
  private accumulated = false;
  private readonly built: Promise<GPUError | null>;
  /** Bytes counted in the context's memory (see trackMemory). */
  private tracked = 0;
  /** sums_add's uniforms, one per output, for the offsets last given to addSumsTo. */
  private moveUniforms: { key: string; buffers: GPUBuffer[] } | null = null;

  /** Build the plan and wait for its pipelines (shader errors are thrown here). */
  static async create(ctx: GpuContext, graph: Graph, outputs: V[]): Promise<GpuPlan> {
    const plan = new GpuPlan(ctx, graph, outputs);
    try {
      await plan.resolvePipelines();
      await plan.checkBuilt();
      plan.tracked = plan.bytes;
      trackMemory(ctx, 'plans', plan.tracked);
    } catch (e) {
      plan.dispose();
      throw e;
    }
    return plan;
  }

  private async resolvePipelines(): Promise<void> {
    this.sums = this.outputSlots.map((slot, i) => this.sumFor(slot, this.outputSizes[i]));
    for (const p of [...this.dispatches, ...this.sums.map((a) => a.add)]) {
      if (typeof p.compiled === 'function') p.compiled = await p.compiled();
    }
  }

  private constructor(
    private readonly ctx: GpuContext,
    graph: Graph,
    outputs: V[],
  ) {
    const { device } = ctx;
    device.pushErrorScope('out-of-memory');
    device.pushErrorScope('validation');
    const s = schedule(graph, outputs);
    const whatOf = new Map<number, string>();
    for (const st of s.steps) whatOf.set(st.out, `the ${st.node.op} value ${shapeText(st.node.shape)}`);
    for (const l of s.leaves) whatOf.set(l.slot, `${l.node.op} '${l.node.attrs.name}' ${shapeText(l.node.shape)}`);
    s.slotSizes.forEach((n, i) => {
      const b = createBuffer(ctx, n * 4, whatOf.get(i) ?? `a constant of ${n} values`);
      this.buffers.push(b);
      this.own.push(b);
    });
    for (const { node, slot } of s.consts) {
      const data = Float32Array.from(node.attrs.data as Float64Array);
      if (data.length) device.queue.writeBuffer(this.buffers[slot], 0, data);
    }
    this.leaves = s.leaves;
    for (const { node, ins, out } of s.steps) {
      this.order.push(node);
      const inShapes = node.inputs.map((i) => graph.shape(i));
      const scratch: GPUBuffer[] = [];
      const tables: GPUBuffer[] = [];
      const kctx = {
        limits: ctx.limits,
        scratch: (bytes: number): BufRef => {
          const b = createBuffer(ctx, bytes, `scratch of ${node.op} ${shapeText(node.shape)}`);
          this.extra.push(b);
          return { kind: 'scratch', id: scratch.push(b) - 1 };
        },
        table: (data: Int32Array | Uint32Array | Float32Array): BufRef => {
          const b = createBuffer(ctx, data.byteLength, `an index table of ${node.op} ${shapeText(node.shape)}`);
          if (data.byteLength) device.queue.writeBuffer(b, 0, data.buffer, data.byteOffset, data.byteLength);
          this.extra.push(b);
          return { kind: 'table', id: tables.push(b) - 1 };
        },
      };
      for (const d of gpuKernel(node.op)(node, inShapes, kctx)) {
        const slotsOf = d.buffers.map(({ ref }) => {
          switch (ref.kind) {
            case 'input':
              return ins[ref.index];
            case 'output':
              return out;
            case 'scratch':
              return scratch[ref.id];
            case 'table':
              return tables[ref.id];
          }
        });
        this.dispatches.push(this.prepare(d, slotsOf));
      }
    }
    this.outputSlots = s.outputSlots;
    this.outputSizes = outputs.map((o) => size(graph.shape(o)));
    device.popErrorScope(); // validation: reported per dispatch by Dawn's uncaptured errors
    this.built = device.popErrorScope();
  }

  private prepare(d: Dispatch, slotsOf: Array<number | GPUBuffer>): Prepared {
    const { device } = this.ctx;
    const compiled = () =>
      compile(
        device,
        d.source,
        d.buffers.map((b) => b.write),
        d.uniforms.length,
      );
    const words = new Uint32Array(Math.max(4, Math.ceil(d.uniforms.length / 4) * 4));
    words.set(d.uniforms);
    const uniform = device.createBuffer({
      size: words.byteLength,
      usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST,
    });
    device.queue.writeBuffer(uniform, 0, words);
    this.extra.push(uniform);
    return { compiled, refs: null, slotsOf, uniform, workgroups: d.workgroups, bindGroup: null };
  }

  get bytes(): number {
    return [...this.own, ...this.extra].reduce((a, b) => a + b.size, 0);
  }

  nodes(): Node[] {
    return this.order;
  }

  private bindLeaves(feeds: Feeds): void {
    for (const { node, slot } of this.leaves) {
      const fed: LeafValue | undefined =
        node.op === 'param' ? feeds.params[node.attrs.index as number] : feeds.values.get(node.attrs.name as string);
      if (!fed) throw new Error(`no value was fed for ${node.op} '${node.attrs.name}'`);
      const want = size(node.shape);
      if (fed.length !== want)
        throw new Error(`${node.op} '${node.attrs.name}' needs ${want} values, got ${fed.length}`);
      if (fed instanceof GpuArray) this.buffers[slot] = fed.buffer;
      else if (fed instanceof Float32Array || fed instanceof Float64Array) {
        const f = fed instanceof Float32Array ? fed : Float32Array.from(fed);
        this.buffers[slot] = this.own[slot];
        if (f.length) this.ctx.device.queue.writeBuffer(this.own[slot], 0, f.buffer, f.byteOffset, f.byteLength);
      } else throw new Error(`${node.op} '${node.attrs.name}' was fed an array of another backend`);
    }
  }

  private bufferOf(x: number | GPUBuffer): GPUBuffer {
    return typeof x === 'number' ? this.buffers[x] : x;
  }

  private encode(pass: GPUComputePassEncoder, p: Prepared): void {
    const bufs = p.slotsOf.map((x) => this.bufferOf(x));
    if (!p.bindGroup || !p.refs || bufs.some((b, i) => b !== p.refs![i])) {
      const entries: GPUBindGroupEntry[] = bufs.map((buffer, i) => ({ binding: i, resource: { buffer } }));
      entries.push({ binding: bufs.length, resource: { buffer: p.uniform } });
      p.bindGroup = this.ctx.device.createBindGroup({ layout: (p.compiled as Compiled).layout, entries });
      p.refs = bufs;
    }
    pass.setPipeline((p.compiled as Compiled).pipeline);
    pass.setBindGroup(0, p.bindGroup);
    pass.dispatchWorkgroups(...p.workgroups);
  }

  private check(): void {
    if (this.ctx.lost) throw new Error(this.ctx.lost);
  }

  private async checkBuilt(): Promise<void> {
    const err = await this.built;
    if (err) throw new Error(`The GPU could not hold this model's buffers: ${err.message}`);
  }

  private submitSteps(feeds: Feeds, after?: (enc: GPUCommandEncoder, pass: GPUComputePassEncoder) => void): void {
    this.check();
    this.bindLeaves(feeds);
    const enc = this.ctx.device.createCommandEncoder();
    const pass = enc.beginComputePass();
    for (const p of this.dispatches) this.encode(pass, p);
    after?.(enc, pass);
    pass.end();
    this.ctx.device.queue.submit([enc.finish()]);
  }

  async run(feeds: Feeds): Promise<Buf[]> {
    await this.checkBuilt();
    this.submitSteps(feeds);
    return this.readBack(this.outputSlots.map((s, i) => [this.buffers[s], this.outputSizes[i]]));
  }

  accumulate(feeds: Feeds): void {
    if (!this.sums) throw new Error('internal: the running sums were not prepared');
    this.submitSteps(feeds, (_enc, pass) => {
      for (const a of this.sums!) this.encode(pass, a.add);
    });
    this.accumulated = true;
  }

  private sumFor(slot: number, n: number) {
    const s = createBuffer(this.ctx, n * 4, 'a running sum');
    const c = createBuffer(this.ctx, n * 4, 'a running sum');
    this.extra.push(s, c);
    const add = this.prepare(
      {
        source: accumulateWgsl,
        buffers: [
          { ref: { kind: 'output' }, write: false },
          { ref: { kind: 'output' }, write: true },
          { ref: { kind: 'output' }, write: true },
        ],
        uniforms: [n],
        workgroups: grid(n, 256, this.ctx.limits),
      },
      [slot, s, c],
    );
    return { s, c, add };
  }

  async takeSums(): Promise<Float64Array[] | null> {
    if (!this.accumulated || !this.sums) return null;
    await this.checkBuilt();
    this.accumulated = false;
    const pairs: Array<[GPUBuffer, number]> = [];
    this.sums.forEach((a, i) => pairs.push([a.s, this.outputSizes[i]], [a.c, this.outputSizes[i]]));
    const raw = await this.readBack(pairs);
    const enc = this.ctx.device.createCommandEncoder();
    for (const a of this.sums) {
      enc.clearBuffer(a.s);
      enc.clearBuffer(a.c);
    }
    this.ctx.device.queue.submit([enc.finish()]);
    return this.sums.map((_a, i) => {
      const s = raw[2 * i];
      const c = raw[2 * i + 1];
      const out = new Float64Array(s.length);
      for (let j = 0; j < s.length; j++) out[j] = s[j] - c[j];
      return out;
    });
  }

  /**
   * Add the running sums into a flat device array (output i at element offsets[i]) and reset them:
   * a device-resident H·v is the sum of its executables' sums, never read back.
   */
  async addSumsTo(target: DeviceArray, offsets: number[]): Promise<void> {
    if (!this.sums) throw new Error('internal: the running sums were not prepared');
    if (!(target instanceof GpuArray)) throw new Error('addSumsTo needs an array of this device');
    if (!this.accumulated) return;
    this.check();
    const { device } = this.ctx;
    const compiled = await compile(device, sumsAddWgsl, [true, true, true], 2);
    const key = offsets.join(',');
    if (this.moveUniforms?.key !== key) {
      for (const b of this.moveUniforms?.buffers ?? []) b.destroy();
      const buffers = this.sums.map((_a, i) => {
        const u = device.createBuffer({ size: 16, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
        device.queue.writeBuffer(u, 0, new Uint32Array([this.outputSizes[i], offsets[i], 0, 0]));
        return u;
      });
      this.moveUniforms = { key, buffers };
    }
    const uniforms = this.moveUniforms.buffers;
    const enc = device.createCommandEncoder();
    const pass = enc.beginComputePass();
    pass.setPipeline(compiled.pipeline);
    this.sums.forEach((a, i) => {
      const entries = [a.s, a.c, target.buffer, uniforms[i]].map((buffer, binding) => ({
        binding,
        resource: { buffer },
      }));
      pass.setBindGroup(0, device.createBindGroup({ layout: compiled.layout, entries }));
      pass.dispatchWorkgroups(...grid(this.outputSizes[i], 256, this.ctx.limits));
    });
    pass.end();
    device.queue.submit([enc.finish()]);
    this.accumulated = false;
  }

  /** Copy buffers to mappable ones, wait for the device, and copy the values out. */
  private async readBack(list: Array<[GPUBuffer, number]>): Promise<Float32Array[]> {
    const { device } = this.ctx;
    const enc = device.createCommandEncoder();
    const staging = list.map(([b, n]) => {
      const st = device.createBuffer({
        size: Math.max(4, n * 4),
        usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
      });
      enc.copyBufferToBuffer(b, 0, st, 0, Math.max(4, n * 4));
      return st;
    });
    device.queue.submit([enc.finish()]);
    try {
      await Promise.all(staging.map((st) => st.mapAsync(GPUMapMode.READ)));
    } catch (e) {
      this.check();
      throw e;
    }
    this.check();
    return staging.map((st, i) => {
      const out = new Float32Array(st.getMappedRange()).slice(0, list[i][1]);
      st.unmap();
      st.destroy();
      return out;
    });
  }

  dispose(): void {
    trackMemory(this.ctx, 'plans', -this.tracked);
    this.tracked = 0;
    for (const b of this.moveUniforms?.buffers ?? []) b.destroy();
    this.moveUniforms = null;
    for (const b of [...this.own, ...this.extra]) b.destroy();
    this.own.length = 0;
    this.extra.length = 0;
  }
}
