/**
 * Decoding TensorProto payloads: raw little-endian bytes or the typed repeated fields.
 * Float types become Float32Array (float64 is rounded: Saddle stores float32), integer and bool
 * types become Float64Array (exact for any shape, index or count a model can hold).
 */
import { dirname, isAbsolute, resolve, sep } from 'node:path';
import { FileFormatError } from '../errors';
import { FileSource } from '../source';
import { DataType, dataTypeName, FLOAT_TYPES, type OnnxTensor, tensorSize } from './read';

const BYTES: Record<number, number> = {
  [DataType.FLOAT]: 4,
  [DataType.UINT8]: 1,
  [DataType.INT8]: 1,
  [DataType.UINT16]: 2,
  [DataType.INT16]: 2,
  [DataType.INT32]: 4,
  [DataType.INT64]: 8,
  [DataType.BOOL]: 1,
  [DataType.FLOAT16]: 2,
  [DataType.DOUBLE]: 8,
  [DataType.UINT32]: 4,
  [DataType.UINT64]: 8,
  [DataType.BFLOAT16]: 2,
};

export function isFloatTensor(t: OnnxTensor): boolean {
  return FLOAT_TYPES.has(t.dataType);
}

/** IEEE half to float. */
export function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return s * 2 ** -14 * (f / 1024);
  if (e === 31) return f ? Number.NaN : s * Number.POSITIVE_INFINITY;
  return s * 2 ** (e - 15) * (1 + f / 1024);
}

/** The tensor's values: Float32Array for float types, Float64Array for integers and bools. */
export function tensorValues(t: OnnxTensor, file: string): Float32Array | Float64Array {
  const n = tensorSize(t.dims);
  const p = t.proto;
  const bytesPer = BYTES[t.dataType];
  if (bytesPer === undefined) {
    const name = dataTypeName[t.dataType] ?? `code ${t.dataType}`;
    throw new FileFormatError(file, 'ONNX', 'unsupported', `tensor '${t.name}' has unsupported data type ${name}`);
  }
  const float = FLOAT_TYPES.has(t.dataType);
  const out = float ? new Float32Array(n) : new Float64Array(n);
  const raw = p.dataLocation === 1 ? readExternal(t, file, n * bytesPer) : p.rawData;
  if (raw && raw.length > 0) {
    if (raw.length !== n * bytesPer) {
      throw new FileFormatError(
        file,
        'ONNX',
        'corrupt',
        `tensor '${t.name}' of shape [${t.dims.join(', ')}] needs ${n * bytesPer} bytes but holds ${raw.length}`,
      );
    }
    decodeRaw(raw, t.dataType, out);
    return out;
  }
  const field = fieldValues(t);
  if (field.length !== n) {
    throw new FileFormatError(
      file,
      'ONNX',
      'corrupt',
      `tensor '${t.name}' of shape [${t.dims.join(', ')}] needs ${n} values but holds ${field.length}`,
    );
  }
  for (let i = 0; i < n; i++) out[i] = field[i];
  return out;
}

function fieldValues(t: OnnxTensor): number[] {
  const p = t.proto;
  const num = (v: number | { toNumber(): number }) => (typeof v === 'number' ? v : v.toNumber());
  switch (t.dataType) {
    case DataType.FLOAT:
      return p.floatData ?? [];
    case DataType.DOUBLE:
      return p.doubleData ?? [];
    case DataType.INT64:
      return (p.int64Data ?? []).map(num);
    case DataType.UINT32:
    case DataType.UINT64:
      return (p.uint64Data ?? []).map(num);
    case DataType.FLOAT16:
      return (p.int32Data ?? []).map(halfToFloat);
    case DataType.BFLOAT16:
      return (p.int32Data ?? []).map((v) => bf16ToFloat(v));
    default:
      return p.int32Data ?? [];
  }
}

const bfScratch = new DataView(new ArrayBuffer(4));
function bf16ToFloat(v: number): number {
  bfScratch.setUint32(0, (v & 0xffff) << 16, true);
  return bfScratch.getFloat32(0, true);
}

function decodeRaw(raw: Uint8Array, dataType: number, out: Float32Array | Float64Array): void {
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const n = out.length;
  switch (dataType) {
    case DataType.FLOAT:
      for (let i = 0; i < n; i++) out[i] = view.getFloat32(i * 4, true);
      return;
    case DataType.DOUBLE:
      for (let i = 0; i < n; i++) out[i] = view.getFloat64(i * 8, true);
      return;
    case DataType.FLOAT16:
      for (let i = 0; i < n; i++) out[i] = halfToFloat(view.getUint16(i * 2, true));
      return;
    case DataType.BFLOAT16:
      for (let i = 0; i < n; i++) out[i] = bf16ToFloat(view.getUint16(i * 2, true));
      return;
    case DataType.INT64:
      for (let i = 0; i < n; i++) out[i] = Number(view.getBigInt64(i * 8, true));
      return;
    case DataType.UINT64:
      for (let i = 0; i < n; i++) out[i] = Number(view.getBigUint64(i * 8, true));
      return;
    case DataType.INT32:
      for (let i = 0; i < n; i++) out[i] = view.getInt32(i * 4, true);
      return;
    case DataType.UINT32:
      for (let i = 0; i < n; i++) out[i] = view.getUint32(i * 4, true);
      return;
    case DataType.INT16:
      for (let i = 0; i < n; i++) out[i] = view.getInt16(i * 2, true);
      return;
    case DataType.UINT16:
      for (let i = 0; i < n; i++) out[i] = view.getUint16(i * 2, true);
      return;
    case DataType.INT8:
      for (let i = 0; i < n; i++) out[i] = view.getInt8(i);
      return;
    default: // UINT8, BOOL
      for (let i = 0; i < n; i++) out[i] = view.getUint8(i);
  }
}

/**
 * External data (https://onnx.ai/onnx/repo-docs/ExternalData.html): `location` relative to the model's
 * folder, optional `offset` and `length`. Only files inside that folder are read.
 */
function readExternal(t: OnnxTensor, file: string, need: number): Uint8Array {
  const info = new Map((t.proto.externalData ?? []).map((e) => [e.key, e.value]));
  const location = info.get('location') ?? '';
  const dir = dirname(resolve(file));
  const target = resolve(dir, location);
  if (!location || isAbsolute(location) || !target.startsWith(dir + sep)) {
    throw new FileFormatError(
      file,
      'ONNX',
      'corrupt',
      `tensor '${t.name}' points to external data '${location}' outside the model's folder; it was not read`,
    );
  }
  const offset = Number(info.get('offset') ?? 0);
  const length = info.has('length') ? Number(info.get('length')) : need;
  if (length !== need)
    throw new FileFormatError(
      file,
      'ONNX',
      'corrupt',
      `tensor '${t.name}' needs ${need} bytes but its external data declares ${length}`,
    );
  const src = new FileSource(target);
  try {
    return src.read(offset, length, 'ONNX external data');
  } finally {
    src.close();
  }
}
