/** Open a model file from disk and describe it. */
import { readFile } from 'node:fs/promises';
import type { ModelInfo } from '../api/contract';
import { FileFormatError } from '../formats/errors';
import { checkOnnxFraming } from '../formats/onnx/framing';
import { readOnnx } from '../formats/onnx/read';
import { sniffNonModel } from '../formats/sniff';
import { FileSource } from '../formats/source';
import { summarizeOnnx } from './summary';

/** ONNX protobufs cannot exceed 2 GiB; larger files use external data. */
const MAX_ONNX_BYTES = 2 ** 31;

/**
 * Decoding needs the whole file in memory, so the file is first sniffed and its top-level protobuf
 * framing checked (a few bytes per field): a file that is not ONNX is refused before it is read.
 */
export async function loadOnnxFile(path: string) {
  const src = new FileSource(path, 'ONNX');
  try {
    if (src.size > MAX_ONNX_BYTES) {
      throw new FileFormatError(
        path,
        'ONNX',
        'unsupported',
        `the file is ${src.size} bytes, over the 2 GiB protobuf limit`,
      );
    }
    const other = sniffNonModel(src.read(0, Math.min(64, src.size), 'ONNX'));
    if (other) throw new FileFormatError(path, 'ONNX', 'not-a-model', `the file is ${other}, not an ONNX model`);
    checkOnnxFraming(src);
  } finally {
    src.close();
  }
  return readOnnx(new Uint8Array(await readFile(path)), path);
}

export async function openModelFile(path: string): Promise<ModelInfo> {
  return summarizeOnnx(await loadOnnxFile(path));
}
