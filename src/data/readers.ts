/**
 * Data set readers besides .npz: a pair of .npy files, MNIST IDX (plain or .gz) and CIFAR-10/100
 * binary batches. Declared sizes are checked against the file before anything is allocated.
 */
import { readFileSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import { gunzipSync } from 'fflate';
import { FileFormatError } from '../formats/errors';
import { parseNpy } from '../formats/numpy';
import { sniffNonModel } from '../formats/sniff';
import { FileSource } from '../formats/source';
import type { Dataset } from './dataset';
import { inputArray } from './input-array';

/**
 * The whole file, after `checkHead` has seen its first bytes: a file of the wrong kind is refused
 * before it is read (a 2 GB video named .npy costs a few bytes, not 2 GB).
 */
function readBytes(path: string, reader: string, checkHead?: (head: Uint8Array) => string | null): Uint8Array {
  if (checkHead) {
    const src = new FileSource(path, reader);
    try {
      const wrong = checkHead(src.read(0, Math.min(8, src.size), reader));
      if (wrong) throw new FileFormatError(path, reader, 'not-a-model', wrong);
    } finally {
      src.close();
    }
  }
  try {
    return new Uint8Array(readFileSync(path));
  } catch (e) {
    throw new FileFormatError(
      path,
      reader,
      'io',
      `the file cannot be opened (${(e as NodeJS.ErrnoException).code ?? 'error'})`,
    );
  }
}

function maybeGunzip(path: string, bytes: Uint8Array, reader: string): Uint8Array {
  if (bytes[0] !== 0x1f || bytes[1] !== 0x8b) return bytes;
  try {
    return gunzipSync(bytes);
  } catch (e) {
    throw new FileFormatError(path, reader, 'corrupt', `the gzip stream is damaged (${(e as Error).message})`);
  }
}

const npyHead = (b: Uint8Array) =>
  b[0] === 0x93 && String.fromCharCode(...b.subarray(1, 6)) === 'NUMPY'
    ? null
    : `the file is ${sniffNonModel(b) ?? 'not a NumPy array'}, not an .npy (no \\x93NUMPY magic)`;

/** IDX files start 00 00 08 (unsigned bytes); gzip ones are checked once inflated. */
const idxHead = (b: Uint8Array) =>
  (b[0] === 0x1f && b[1] === 0x8b) || (b[0] === 0 && b[1] === 0)
    ? null
    : `the file is ${sniffNonModel(b) ?? 'not an IDX file'}: it does not start with an IDX magic number`;

export function readNpyPair(inputsPath: string, targetsPath: string): Dataset {
  const x = parseNpy(readBytes(inputsPath, 'NumPy .npy', npyHead), inputsPath);
  const y = parseNpy(readBytes(targetsPath, 'NumPy .npy', npyHead), targetsPath);
  if (x.shape[0] !== y.shape[0]) {
    throw new FileFormatError(
      targetsPath,
      'NumPy .npy',
      'mismatch',
      `it holds ${y.shape[0]} targets but '${inputsPath}' holds ${x.shape[0]} samples`,
    );
  }
  return {
    inputs: inputArray(x, basename(inputsPath), inputsPath),
    targets: {
      shape: y.shape,
      data: Float32Array.from(y.data),
      kind: y.data instanceof Float32Array ? 'dense' : 'indices',
    },
    source: `${inputsPath} + ${targetsPath}`,
  };
}

/** MNIST IDX: magic 0x0000 08 NN (unsigned bytes, NN dimensions), big-endian sizes, then the data. */
export function readIdx(path: string): { shape: number[]; data: Uint8Array } {
  const bytes = maybeGunzip(path, readBytes(path, 'MNIST IDX', idxHead), 'MNIST IDX');
  const fail = (kind: 'corrupt' | 'truncated' | 'unsupported', d: string) =>
    new FileFormatError(path, 'MNIST IDX', kind, d);
  if (bytes.length < 4 || bytes[0] !== 0 || bytes[1] !== 0)
    throw fail('corrupt', 'the file does not start with an IDX magic number');
  if (bytes[2] !== 0x08)
    throw fail('unsupported', `element type 0x${bytes[2].toString(16)} (only unsigned bytes, 0x08, are supported)`);
  const rank = bytes[3];
  if (rank < 1 || rank > 4 || bytes.length < 4 + 4 * rank) throw fail('corrupt', `invalid rank ${rank}`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const shape = Array.from({ length: rank }, (_v, i) => dv.getUint32(4 + 4 * i, false));
  const n = shape.reduce((a, b) => a * b, 1);
  const start = 4 + 4 * rank;
  if (start + n > bytes.length)
    throw fail(
      'truncated',
      `shape [${shape.join(', ')}] needs ${n} bytes of data: expected ${start + n - bytes.length} more bytes`,
    );
  return { shape, data: bytes.subarray(start, start + n) };
}

export function readMnist(imagesPath: string, labelsPath: string): Dataset {
  const images = readIdx(imagesPath);
  const labels = readIdx(labelsPath);
  if (images.shape.length !== 3)
    throw new FileFormatError(
      imagesPath,
      'MNIST IDX',
      'mismatch',
      `expected images of rank 3, got [${images.shape.join(', ')}]`,
    );
  if (labels.shape.length !== 1 || labels.shape[0] !== images.shape[0]) {
    throw new FileFormatError(
      labelsPath,
      'MNIST IDX',
      'mismatch',
      `expected ${images.shape[0]} labels, got shape [${labels.shape.join(', ')}]`,
    );
  }
  const [N, H, W] = images.shape;
  return {
    inputs: { shape: [N, 1, H, W], data: Float32Array.from(images.data) },
    targets: { shape: [N], data: Float32Array.from(labels.data), kind: 'indices' },
    source: `${imagesPath} + ${labelsPath}`,
  };
}

/** CIFAR binary batches: records of label byte(s) then 3×32×32 channel-planar pixels. */
export function readCifar(paths: string[]): Dataset {
  const inputs: Uint8Array[] = [];
  const labels: number[] = [];
  for (const path of paths) {
    const size = statSync(path).size;
    const cifar100 = /^(train|test)\.bin$/.test(basename(path)) || (size % 3073 !== 0 && size % 3074 === 0);
    const record = cifar100 ? 3074 : 3073;
    if (size === 0 || size % record !== 0) {
      throw new FileFormatError(
        path,
        'CIFAR binary',
        'corrupt',
        `${size} bytes is not a whole number of ${record}-byte records`,
      );
    }
    const bytes = readBytes(path, 'CIFAR binary');
    for (let r = 0; r < size / record; r++) {
      const off = r * record;
      // CIFAR-100 records hold the coarse label, then the fine label: use the fine one.
      labels.push(bytes[off + record - 3073]);
      inputs.push(bytes.subarray(off + record - 3072, off + record));
    }
  }
  const N = labels.length;
  const data = new Float32Array(N * 3072);
  inputs.forEach((img, i) => data.set(img, i * 3072));
  return {
    inputs: { shape: [N, 3, 32, 32], data },
    targets: { shape: [N], data: Float32Array.from(labels), kind: 'indices' },
    source: paths.join(' + '),
  };
}
