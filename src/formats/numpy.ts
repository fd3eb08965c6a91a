/**
 * NumPy .npy and .npz readers. Format: https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html
 * Header sizes are checked against the file before anything is allocated.
 */
import { unzipSync } from 'fflate';
import { FileFormatError } from './errors';
import { halfToFloat } from './onnx/tensor-data';

export interface NpyArray {
  dtype: string;
  shape: number[];
  /** Float types as Float32Array; integers and bools as Float64Array (exact up to 2^53). */
  data: Float32Array | Float64Array;
}

const ITEM: Record<string, number> = {
  f2: 2,
  f4: 4,
  f8: 8,
  i1: 1,
  u1: 1,
  b1: 1,
  i2: 2,
  u2: 2,
  i4: 4,
  u4: 4,
  i8: 8,
  u8: 8,
};

export function parseNpy(bytes: Uint8Array, file: string, reader = 'NumPy .npy'): NpyArray {
  const fail = (kind: 'corrupt' | 'unsupported' | 'truncated' | 'not-a-model', detail: string) =>
    new FileFormatError(file, reader, kind, detail);
  if (bytes.length < 10 || bytes[0] !== 0x93 || String.fromCharCode(...bytes.subarray(1, 6)) !== 'NUMPY') {
    throw fail('not-a-model', 'the data does not start with the \\x93NUMPY magic');
  }
  const major = bytes[6];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLen = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const start = major === 1 ? 10 : 12;
  if (start + headerLen > bytes.length)
    throw fail('truncated', `the header needs ${start + headerLen} bytes but the data has ${bytes.length}`);
  const header = new TextDecoder().decode(bytes.subarray(start, start + headerLen));
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1];
  const fortran = /'fortran_order':\s*True/.test(header);
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1];
  if (!descr || shapeText === undefined) throw fail('corrupt', `the header '${header.trim()}' lacks descr or shape`);
  if (fortran) throw fail('unsupported', 'Fortran-ordered arrays are not supported; save with np.ascontiguousarray');
  const shape = shapeText
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map(Number);
  if (shape.some((d) => !Number.isSafeInteger(d) || d < 0)) throw fail('corrupt', `invalid shape (${shapeText})`);
  const endian = descr[0];
  const code = descr.slice(1);
  const item = ITEM[code];
  if (!item || endian === '>') throw fail('unsupported', `unsupported dtype '${descr}'`);
  const n = shape.reduce((a, b) => a * b, 1);
  const offset = start + headerLen;
  const need = n * item;
  if (offset + need > bytes.length) {
    throw fail(
      'truncated',
      `expected ${offset + need - bytes.length} more bytes for shape (${shape.join(', ')}) of ${descr}; the file might be truncated`,
    );
  }
  const dv = new DataView(bytes.buffer, bytes.byteOffset + offset, need);
  const isFloat = code[0] === 'f';
  const data = isFloat ? new Float32Array(n) : new Float64Array(n);
  const get: (i: number) => number = {
    f2: (i: number) => halfToFloat(dv.getUint16(i * 2, true)),
    f4: (i: number) => dv.getFloat32(i * 4, true),
    f8: (i: number) => dv.getFloat64(i * 8, true),
    i1: (i: number) => dv.getInt8(i),
    u1: (i: number) => dv.getUint8(i),
    b1: (i: number) => dv.getUint8(i),
    i2: (i: number) => dv.getInt16(i * 2, true),
    u2: (i: number) => dv.getUint16(i * 2, true),
    i4: (i: number) => dv.getInt32(i * 4, true),
    u4: (i: number) => dv.getUint32(i * 4, true),
    i8: (i: number) => Number(dv.getBigInt64(i * 8, true)),
    u8: (i: number) => Number(dv.getBigUint64(i * 8, true)),
  }[code] as (i: number) => number;
  for (let i = 0; i < n; i++) data[i] = get(i);
  return { dtype: code, shape, data };
}

export function readNpz(bytes: Uint8Array, file: string): Map<string, NpyArray> {
  let entries: Record<string, Uint8Array>;
  try {
    entries = unzipSync(bytes);
  } catch (e) {
    throw new FileFormatError(
      file,
      'NumPy .npz',
      'corrupt',
      `the zip archive cannot be read (${(e as Error).message})`,
    );
  }
  const out = new Map<string, NpyArray>();
  for (const [name, data] of Object.entries(entries)) {
    if (!name.endsWith('.npy')) continue;
    out.set(name.slice(0, -4), parseNpy(data, `${file}:${name}`, 'NumPy .npz'));
  }
  if (out.size === 0) throw new FileFormatError(file, 'NumPy .npz', 'not-a-model', 'the archive holds no .npy arrays');
  return out;
}
