/** Host vectors and what the CPU's bases share: float64 members and modified Gram-Schmidt over them. */
import { axpy, dot } from '../analysis/vec';
import type { Basis, Vector } from './vectors';

/** A host vector: float64, or float32 for parameters and landscape points. */
export class HostVector implements Vector {
  constructor(readonly data: Float64Array | Float32Array) {}
  get length(): number {
    return this.data.length;
  }
}

/** The storage of a host vector. */
export function host(v: Vector): Float64Array | Float32Array {
  if (!(v instanceof HostVector)) throw new Error('internal: a device vector was given to the host space');
  return v.data;
}

/** The data of a host vector as float64, as host arithmetic needs it for a result it writes. */
export function host64(v: Vector): Float64Array {
  const d = host(v);
  if (!(d instanceof Float64Array)) throw new Error('internal: a float32 host vector cannot be written in place');
  return d;
}

/**
 * Lets the event loop run every few milliseconds of a long synchronous sweep (a basis of many
 * P-vectors): without it, a Lanczos step of a large network held `saddle serve`'s API for its whole
 * reorthogonalization.
 */
export class EventLoopTurns {
  private last = performance.now();
  constructor(private readonly everyMs = 8) {}
  async maybe(): Promise<void> {
    if (performance.now() - this.last < this.everyMs) return;
    await new Promise((resolve) => setImmediate(resolve));
    this.last = performance.now();
  }
}

/**
 * A host basis of float64 members, wherever they are kept (memory, a file): the arithmetic on them
 * is this class's, so every host basis gives the same numbers.
 */
export abstract class HostMembersBasis implements Basis {
  readonly precision = 'float64';
  abstract readonly storage: 'memory' | 'disk';
  abstract readonly size: number;
  abstract readonly bytes: number;
  abstract push(q: Vector): void;
  abstract member(k: number): Vector;
  abstract dispose(): void;
  /** Member k's values, valid until the next call. */
  protected abstract data(k: number): Float64Array;

  axpyMember(alpha: number, k: number, w: Vector) {
    axpy(alpha, this.data(k), host64(w));
  }

  async orthogonalize(w: Vector, passes: number) {
    const y = host64(w);
    const turn = new EventLoopTurns();
    // Modified Gram-Schmidt, member by member (a file basis reads itself once per pass).
    for (let pass = 0; pass < passes; pass++)
      for (let k = 0; k < this.size; k++) {
        const b = this.data(k);
        axpy(-dot(b, y), b, y);
        await turn.maybe();
      }
  }

  combination(s: ArrayLike<number>): Vector {
    const y = new Float64Array(this.size ? this.data(0).length : 0);
    for (let k = 0; k < s.length; k++) axpy(s[k], this.data(k), y);
    return new HostVector(y);
  }
}
