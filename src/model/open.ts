/** Open a model file from disk and describe it. */
import { readFile, stat } from 'node:fs/promises';
import type { ModelInfo } from '../api/contract';
import { FileFormatError } from '../formats/errors';
import { readOnnx } from '../formats/onnx/read';
import { summarizeOnnx } from './summary';

/** ONNX protobufs cannot exceed 2 GiB; larger files use external data. */
const MAX_ONNX_BYTES = 2 ** 31;

export async function loadOnnxFile(path: string) {
  let size: number;
  try {
    const s = await stat(path);
    if (!s.isFile()) throw new FileFormatError(path, 'ONNX', 'io', 'the path is not a regular file');
    size = s.size;
  } catch (e) {
    if (e instanceof FileFormatError) throw e;
    const code = (e as NodeJS.ErrnoException).code ?? 'error';
    throw new FileFormatError(path, 'ONNX', 'io', `the file cannot be opened (${code})`);
  }
  if (size > MAX_ONNX_BYTES) {
    throw new FileFormatError(path, 'ONNX', 'unsupported', `the file is ${size} bytes, over the 2 GiB protobuf limit`);
  }
  return readOnnx(new Uint8Array(await readFile(path)), path);
}

export async function openModelFile(path: string): Promise<ModelInfo> {
  return summarizeOnnx(await loadOnnxFile(path));
}
