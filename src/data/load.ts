/** Load a data set from an .npz file (`inputs` and `targets` arrays, or other names). */
import { readFile } from 'node:fs/promises';
import { FileFormatError } from '../formats/errors';
import { readNpz } from '../formats/numpy';
import type { Dataset } from './dataset';

export interface DataOptions {
  inputsKey?: string;
  targetsKey?: string;
}

export async function loadDataset(path: string, opts: DataOptions = {}): Promise<Dataset> {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await readFile(path));
  } catch (e) {
    throw new FileFormatError(
      path,
      'data',
      'io',
      `the file cannot be opened (${(e as NodeJS.ErrnoException).code ?? 'error'})`,
    );
  }
  const arrays = readNpz(bytes, path);
  const inKey = opts.inputsKey ?? 'inputs';
  const tKey = opts.targetsKey ?? 'targets';
  const names = [...arrays.keys()].join(', ');
  const inputs = arrays.get(inKey);
  const targets = arrays.get(tKey);
  if (!inputs)
    throw new FileFormatError(
      path,
      'NumPy .npz',
      'mismatch',
      `no array '${inKey}' (it holds ${names}); name one with --inputs-key`,
    );
  if (!targets)
    throw new FileFormatError(
      path,
      'NumPy .npz',
      'mismatch',
      `no array '${tKey}' (it holds ${names}); name one with --targets-key`,
    );
  if (inputs.shape[0] !== targets.shape[0]) {
    throw new FileFormatError(
      path,
      'NumPy .npz',
      'mismatch',
      `'${inKey}' has ${inputs.shape[0]} samples but '${tKey}' has ${targets.shape[0]}`,
    );
  }
  if (!(inputs.data instanceof Float32Array)) {
    throw new FileFormatError(
      path,
      'NumPy .npz',
      'unsupported',
      `'${inKey}' has dtype ${inputs.dtype}; inputs must be floating point`,
    );
  }
  const isIndex = !(targets.data instanceof Float32Array);
  return {
    inputs: { shape: inputs.shape, data: inputs.data },
    targets: { shape: targets.shape, data: Float32Array.from(targets.data), kind: isIndex ? 'indices' : 'dense' },
    source: path,
  };
}
