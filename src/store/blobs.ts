/** Typed arrays as SQLite BLOBs: little-endian float32 or float64, as every platform Saddle runs on. */

const bytesOf = (a: Float32Array | Float64Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

export const f32Blob = (xs: ArrayLike<number>): Buffer => bytesOf(Float32Array.from(xs));
export const f64Blob = (xs: ArrayLike<number>): Buffer => bytesOf(Float64Array.from(xs));

/** Copies, because a BLOB from better-sqlite3 need not be aligned for a typed-array view. */
export function fromF32Blob(b: Uint8Array): Float32Array {
  const out = new Float32Array(b.byteLength / 4);
  new Uint8Array(out.buffer).set(b);
  return out;
}

export function fromF64Blob(b: Uint8Array): Float64Array {
  const out = new Float64Array(b.byteLength / 8);
  new Uint8Array(out.buffer).set(b);
  return out;
}
