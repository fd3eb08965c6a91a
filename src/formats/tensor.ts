/** Lazily read tensors from checkpoint files, converted to float32 on demand. */
import { FileFormatError } from './errors';
import { halfToFloat } from './onnx/tensor-data';
import type { ByteSource } from './source';

export type DType =
  | 'float32'
  | 'float64'
  | 'float16'
  | 'bfloat16'
  | 'int64'
  | 'int32'
  | 'int16'
  | 'int8'
  | 'uint8'
  | 'bool';

export const DTYPE_BYTES: Record<DType, number> = {
  float32: 4,
  float64: 8,
  float16: 2,
  bfloat16: 2,
  int64: 8,
  int32: 4,
  int16: 2,
  int8: 1,
  uint8: 1,
  bool: 1,
};

export interface LazyTensor {
  kind: 'tensor';
  dtype: DType;
  shape: number[];
  /** The values as float32 (integers converted), read from the file now. */
  read(): Float32Array;
}

export function isTensor(v: unknown): v is LazyTensor {
  return typeof v === 'object' && v !== null && (v as LazyTensor).kind === 'tensor';
}

const bf = new DataView(new ArrayBuffer(4));

/** Decode `n` little-endian elements of `dtype` from `bytes` into float32. */
export function decodeElements(bytes: Uint8Array, dtype: DType, n: number): Float32Array {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float32Array(n);
  switch (dtype) {
    case 'float32':
      for (let i = 0; i < n; i++) out[i] = dv.getFloat32(i * 4, true);
      break;
    case 'float64':
      for (let i = 0; i < n; i++) out[i] = dv.getFloat64(i * 8, true);
      break;
    case 'float16':
      for (let i = 0; i < n; i++) out[i] = halfToFloat(dv.getUint16(i * 2, true));
      break;
    case 'bfloat16':
      for (let i = 0; i < n; i++) {
        bf.setUint32(0, dv.getUint16(i * 2, true) << 16, true);
        out[i] = bf.getFloat32(0, true);
      }
      break;
    case 'int64':
      for (let i = 0; i < n; i++) out[i] = Number(dv.getBigInt64(i * 8, true));
      break;
    case 'int32':
      for (let i = 0; i < n; i++) out[i] = dv.getInt32(i * 4, true);
      break;
    case 'int16':
      for (let i = 0; i < n; i++) out[i] = dv.getInt16(i * 2, true);
      break;
    case 'int8':
      for (let i = 0; i < n; i++) out[i] = dv.getInt8(i);
      break;
    default:
      for (let i = 0; i < n; i++) out[i] = bytes[i];
  }
  return out;
}

/**
 * A tensor view of `numel(shape)` elements with `strides` (in elements) starting at element
 * `offset` of a storage that begins at byte `base` of the source and holds `storageNumel` elements.
 */
export function stridedTensor(
  source: ByteSource,
  reader: string,
  name: string,
  dtype: DType,
  base: number,
  storageNumel: number,
  offset: number,
  shape: number[],
  strides: number[],
): LazyTensor {
  const numel = shape.reduce((a, b) => a * b, 1);
  if (numel > 0) {
    const last = offset + shape.reduce((acc, d, i) => acc + (d - 1) * strides[i], 0);
    if (offset < 0 || last >= storageNumel || strides.some((s) => s < 0)) {
      throw new FileFormatError(
        source.name,
        reader,
        'corrupt',
        `tensor '${name}' of shape [${shape.join(', ')}] reaches element ${last} of a ${storageNumel}-element storage`,
      );
    }
  }
  const size = DTYPE_BYTES[dtype];
  return {
    kind: 'tensor',
    dtype,
    shape,
    read() {
      if (numel === 0) return new Float32Array(0);
      const contiguous = strides.every((s, i) => s === shape.slice(i + 1).reduce((a, b) => a * b, 1));
      if (contiguous) return decodeElements(source.read(base + offset * size, numel * size, reader), dtype, numel);
      const span = shape.reduce((acc, d, i) => acc + (d - 1) * strides[i], 0) + 1;
      const all = decodeElements(source.read(base + offset * size, span * size, reader), dtype, span);
      const out = new Float32Array(numel);
      const idx = new Array<number>(shape.length).fill(0);
      for (let o = 0; o < numel; o++) {
        let at = 0;
        for (let d = 0; d < shape.length; d++) at += idx[d] * strides[d];
        out[o] = all[at];
        for (let d = shape.length - 1; d >= 0; d--) {
          if (++idx[d] < shape[d]) break;
          idx[d] = 0;
        }
      }
      return out;
    },
  };
}
