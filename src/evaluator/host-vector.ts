/** Host vectors: the storage the CPU's vector space and its bases share. */
import type { Vector } from './vectors';

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
