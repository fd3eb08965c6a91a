/**
 * Where the analyses keep their P-vectors (Krylov bases, probes, landscape points): a VectorSpace.
 * - On the CPU, host float64 arrays, with exactly the arithmetic the analyses always did (modified
 *   Gram-Schmidt); past the memory budget the basis goes to a temporary file (./file-basis) and
 *   Lanczos reorthogonalizes only when its estimates ask (partial reorthogonalization).
 * - On a device, float32 device arrays and the backend's kernels (DeviceVectorOps): H·v, the basis
 *   and its reorthogonalization (classical Gram-Schmidt as two matrix-vector products per pass)
 *   stay on the GPU; only scalars (α, β, dot products) and what the user asks for come back.
 * A Basis is the part that grows with the Lanczos steps.
 */
import { axpy, dot } from '../analysis/vec';
import type { DeviceArray, DeviceVectorOps } from '../engine/backend';
import { FileBasis } from './file-basis';
import { HostMembersBasis, HostVector, host, host64 } from './host-vector';

/** A vector of a space; only that space reads it. */
export interface Vector {
  readonly length: number;
}

export interface Basis {
  /** Vectors held. */
  readonly size: number;
  readonly bytes: number;
  readonly precision: 'float64' | 'float32';
  /** Where its members live: 'disk' bases are read only when Lanczos' orthogonality estimates ask. */
  readonly storage: 'memory' | 'disk';
  /** Append q (the basis keeps its own copy or, on the host in float64, q's storage). */
  push(q: Vector): void;
  /** w += alpha·(member k). */
  axpyMember(alpha: number, k: number, w: Vector): void;
  /**
   * w −= Q·(Qᵀw), `passes` times ("twice is enough"). A host basis lets the event loop run between
   * members, so `saddle serve` keeps answering while a long basis is swept.
   */
  orthogonalize(w: Vector, passes: number): Promise<void> | void;
  /** Member k as a vector of the space (a copy on a device). */
  member(k: number): Vector;
  /** Σ_k s[k]·(member k), a new vector. */
  combination(s: ArrayLike<number>): Vector;
  dispose(): void;
}

export interface VectorSpace {
  readonly length: number;
  /** 'host' (float64 arithmetic) or 'device'. */
  readonly where: 'host' | 'device';
  fromHost(x: Float64Array | Float32Array): Vector;
  toHost(v: Vector): Promise<Float64Array>;
  dot(a: Vector, b: Vector): Promise<number>;
  norm(a: Vector): Promise<number>;
  /** y += alpha·x. */
  axpy(alpha: number, x: Vector, y: Vector): void;
  /** A new vector x / s. */
  divided(x: Vector, s: number): Vector;
  /** A landscape point θ + a·d1 + b·d2 (d2 null on a 1-D sweep), rounded to float32 like θ. */
  affine(theta: Vector, a: number, d1: Vector, b: number, d2: Vector | null): Vector;
  /** A basis for up to `capacity` vectors; a host basis goes to a temporary file past `memoryBudget` bytes. */
  basis(capacity: number, memoryBudget?: number): Basis;
  /** Give a vector's storage back (a no-op on the host). */
  free(v: Vector): void;
}

export { EventLoopTurns, HostVector, host } from './host-vector';

/** A float64 basis in memory. */
class HostBasis extends HostMembersBasis {
  private readonly members: Float64Array[] = [];
  readonly storage = 'memory';
  get size() {
    return this.members.length;
  }
  get bytes() {
    return this.members.reduce((acc, m) => acc + m.byteLength, 0);
  }
  push(q: Vector) {
    const d = host(q);
    this.members.push(d instanceof Float64Array ? d : Float64Array.from(d));
  }
  protected data(k: number): Float64Array {
    return this.members[k];
  }
  member(k: number): Vector {
    return new HostVector(this.members[k]);
  }
  dispose() {
    this.members.length = 0;
  }
}

/** Host float64 vectors: the CPU backend's analyses, unchanged. */
export class HostSpace implements VectorSpace {
  readonly where = 'host';
  constructor(readonly length: number) {}
  fromHost(x: Float64Array | Float32Array): Vector {
    return new HostVector(x);
  }
  async toHost(v: Vector): Promise<Float64Array> {
    const d = host(v);
    return d instanceof Float64Array ? d : Float64Array.from(d);
  }
  async dot(a: Vector, b: Vector) {
    return dot(host(a), host(b));
  }
  async norm(a: Vector) {
    return Math.sqrt(dot(host(a), host(a)));
  }
  axpy(alpha: number, x: Vector, y: Vector) {
    axpy(alpha, host(x), host64(y));
  }
  divided(x: Vector, s: number): Vector {
    // A plain loop: Float64Array.from with a map function took 22 ms per 272k values, on serve's event loop.
    const d = host(x);
    const out = new Float64Array(d.length);
    for (let i = 0; i < d.length; i++) out[i] = d[i] / s;
    return new HostVector(out);
  }
  affine(theta: Vector, a: number, d1: Vector, b: number, d2: Vector | null): Vector {
    const t = host(theta);
    const x = host(d1);
    const y = d2 ? host(d2) : null;
    const out = new Float32Array(t.length);
    // Formed in float64 then stored as float32, like the weights themselves.
    for (let k = 0; k < out.length; k++) out[k] = t[k] + a * x[k] + (y ? b * y[k] : 0);
    return new HostVector(out);
  }
  basis(capacity: number, memoryBudget = 2 ** 31): Basis {
    return capacity * this.length * 8 <= memoryBudget ? new HostBasis() : new FileBasis(this.length);
  }
  free(_v: Vector) {}
}

/** A device vector: one flat float32 device array. */
export class DeviceVector implements Vector {
  constructor(readonly array: DeviceArray) {}
  get length(): number {
    return this.array.length;
  }
}

/** The storage of a device vector. */
export function device(v: Vector): DeviceArray {
  if (!(v instanceof DeviceVector)) throw new Error('internal: a host vector was given to the device space');
  return v.array;
}

/**
 * A basis in device memory: rows of n floats in chunks as large as one binding allows, allocated
 * as the basis grows. Reorthogonalization is classical Gram-Schmidt, each pass two matrix-vector
 * products per chunk (c = Qᵀw on the device, then w −= Q·c), twice.
 */
class DeviceBasis implements Basis {
  private readonly chunks: DeviceArray[] = [];
  private readonly perChunk: number;
  private readonly coeffs: DeviceArray;
  private count = 0;
  readonly precision = 'float32';
  readonly storage = 'memory';
  constructor(
    private readonly ops: DeviceVectorOps,
    private readonly n: number,
    private readonly capacity: number,
  ) {
    // Chunks of at most 32 rows, allocated as the basis grows (an early stop leaves the rest unallocated).
    this.perChunk = Math.max(1, Math.min(capacity, 32, Math.floor(ops.maxLength / Math.max(1, n))));
    this.coeffs = ops.zeros(Math.max(1, capacity));
  }
  get size() {
    return this.count;
  }
  get bytes() {
    return this.chunks.reduce((acc, c) => acc + c.length * 4, 0) + this.coeffs.length * 4;
  }
  private where(k: number): { chunk: DeviceArray; row: number } {
    return { chunk: this.chunks[Math.floor(k / this.perChunk)], row: k % this.perChunk };
  }
  /** Rows used in each chunk, with the index of its first row. */
  private spans(): Array<{ chunk: DeviceArray; rows: number; first: number }> {
    return this.chunks.map((chunk, c) => ({
      chunk,
      first: c * this.perChunk,
      rows: Math.min(this.perChunk, this.count - c * this.perChunk),
    }));
  }
  push(q: Vector) {
    if (this.count >= this.capacity) throw new Error('internal: the basis is full');
    if (this.count % this.perChunk === 0) {
      const rows = Math.min(this.perChunk, this.capacity - this.count);
      this.chunks.push(this.ops.zeros(rows * this.n));
    }
    const { chunk, row } = this.where(this.count);
    this.ops.copy(device(q), 0, chunk, row * this.n, this.n);
    this.count++;
  }
  axpyMember(alpha: number, k: number, w: Vector) {
    const { chunk, row } = this.where(k);
    this.ops.axpy(alpha, chunk, device(w), row * this.n);
  }
  orthogonalize(w: Vector, passes: number) {
    const y = device(w);
    for (let pass = 0; pass < passes; pass++) {
      const spans = this.spans();
      for (const s of spans) this.ops.project(s.chunk, s.rows, y, this.coeffs, s.first);
      for (const s of spans) this.ops.combine(s.chunk, s.rows, this.coeffs, s.first, -1, y);
    }
  }
  member(k: number): Vector {
    const { chunk, row } = this.where(k);
    const out = this.ops.zeros(this.n);
    this.ops.copy(chunk, row * this.n, out, 0, this.n);
    return new DeviceVector(out);
  }
  combination(s: ArrayLike<number>): Vector {
    const c = new Float32Array(this.coeffs.length);
    for (let k = 0; k < s.length; k++) c[k] = s[k];
    this.coeffs.write(c);
    const y = this.ops.zeros(this.n);
    for (const sp of this.spans()) {
      const rows = Math.max(0, Math.min(sp.rows, s.length - sp.first));
      this.ops.combine(sp.chunk, rows, this.coeffs, sp.first, 1, y);
    }
    return new DeviceVector(y);
  }
  dispose() {
    for (const c of this.chunks) c.dispose();
    this.chunks.length = 0;
    this.coeffs.dispose();
    this.count = 0;
  }
}

/** Float32 vectors on a device, computed with its kernels. */
export class DeviceSpace implements VectorSpace {
  readonly where = 'device';
  constructor(
    readonly ops: DeviceVectorOps,
    readonly length: number,
  ) {
    if (length > ops.maxLength)
      throw new Error(
        `A vector of ${length} parameters does not fit one GPU binding (${ops.maxLength} floats, maxStorageBufferBindingSize); use --backend cpu.`,
      );
  }
  fromHost(x: Float64Array | Float32Array): Vector {
    const a = this.ops.zeros(x.length);
    a.write(x);
    return new DeviceVector(a);
  }
  async toHost(v: Vector): Promise<Float64Array> {
    return Float64Array.from(await this.ops.read(device(v)));
  }
  dot(a: Vector, b: Vector) {
    return this.ops.dot(device(a), device(b));
  }
  async norm(a: Vector) {
    return Math.sqrt(await this.ops.dot(device(a), device(a)));
  }
  axpy(alpha: number, x: Vector, y: Vector) {
    this.ops.axpy(alpha, device(x), device(y));
  }
  divided(x: Vector, s: number): Vector {
    const out = this.ops.zeros(x.length);
    this.ops.copy(device(x), 0, out, 0, x.length);
    this.ops.scale(out, 1 / s);
    return new DeviceVector(out);
  }
  affine(theta: Vector, a: number, d1: Vector, b: number, d2: Vector | null): Vector {
    const out = this.ops.zeros(theta.length);
    this.ops.affine(out, device(theta), a, device(d1), b, d2 ? device(d2) : null);
    return new DeviceVector(out);
  }
  basis(capacity: number): Basis {
    return new DeviceBasis(this.ops, this.length, capacity);
  }
  free(v: Vector) {
    device(v).dispose();
  }
}
