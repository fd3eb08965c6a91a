/**
 * safetensors: an 8-byte little-endian header length, a JSON header {name: {dtype, shape,
 * data_offsets}}, then the data. https://github.com/huggingface/safetensors#format
 */
import { FileFormatError } from './errors';
import type { ByteSource } from './source';
import { DTYPE_BYTES, type DType, type LazyTensor, stridedTensor } from './tensor';

const READER = 'safetensors';
const DTYPES: Record<string, DType> = {
  F32: 'float32',
  F64: 'float64',
  F16: 'float16',
  BF16: 'bfloat16',
  I64: 'int64',
  I32: 'int32',
  I16: 'int16',
  I8: 'int8',
  U8: 'uint8',
  BOOL: 'bool',
};

export function looksLikeSafetensors(head: Uint8Array, size: number): boolean {
  if (head.length < 9) return false;
  const n = Number(new DataView(head.buffer, head.byteOffset, 8).getBigUint64(0, true));
  return n > 1 && n <= size - 8 && head[8] === 0x7b; // '{'
}

export function readSafetensors(src: ByteSource): {
  tensors: Map<string, LazyTensor>;
  metadata: Record<string, string>;
} {
  const fail = (kind: 'corrupt' | 'unsupported' | 'truncated', detail: string) =>
    new FileFormatError(src.name, READER, kind, detail);
  const lenBytes = src.read(0, 8, READER);
  const headerLen = Number(new DataView(lenBytes.buffer, lenBytes.byteOffset, 8).getBigUint64(0, true));
  if (headerLen > src.size - 8)
    throw fail('truncated', `the header declares ${headerLen} bytes but only ${src.size - 8} follow`);
  if (headerLen > 100 * 2 ** 20)
    throw fail('unsupported', `the header declares ${headerLen} bytes, over the 100 MiB limit`);
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(new TextDecoder().decode(src.read(8, headerLen, READER)));
  } catch (e) {
    throw fail('corrupt', `the header is not JSON (${(e as Error).message})`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header))
    throw fail('corrupt', 'the header is not a JSON object');
  const dataStart = 8 + headerLen;
  const dataLen = src.size - dataStart;
  const tensors = new Map<string, LazyTensor>();
  let metadata: Record<string, string> = {};
  for (const [name, info] of Object.entries(header)) {
    if (name === '__metadata__') {
      metadata = (info ?? {}) as Record<string, string>;
      continue;
    }
    const t = info as { dtype?: string; shape?: unknown; data_offsets?: unknown };
    const dtype = DTYPES[String(t?.dtype)];
    if (!dtype) throw fail('unsupported', `unsupported data type '${String(t?.dtype)}' in tensor '${name}'`);
    const shape = t.shape;
    const offsets = t.data_offsets;
    if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0))
      throw fail('corrupt', `tensor '${name}' has an invalid shape ${JSON.stringify(shape)}`);
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((d) => Number.isSafeInteger(d) && d >= 0)) {
      throw fail('corrupt', `tensor '${name}' has invalid data_offsets ${JSON.stringify(offsets)}`);
    }
    const [begin, end] = offsets as number[];
    const numel = (shape as number[]).reduce((a, b) => a * b, 1);
    if (end - begin !== numel * DTYPE_BYTES[dtype]) {
      throw fail(
        'corrupt',
        `tensor '${name}' of shape [${shape.join(', ')}] ${dtype} needs ${numel * DTYPE_BYTES[dtype]} bytes but data_offsets give ${end - begin}`,
      );
    }
    if (end > dataLen)
      throw fail(
        'truncated',
        `tensor '${name}' ends at byte ${dataStart + end} of a ${src.size}-byte file: expected ${end - dataLen} more bytes`,
      );
    const strides = (shape as number[]).map((_d, i) => (shape as number[]).slice(i + 1).reduce((a, b) => a * b, 1));
    tensors.set(name, stridedTensor(src, READER, name, dtype, dataStart + begin, numel, 0, shape as number[], strides));
  }
  return { tensors, metadata };
}
