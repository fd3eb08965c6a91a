/** Load a data set from an .npz file (`inputs` and `targets` arrays, or other names). */
import { readFile } from 'node:fs/promises';
import { FileFormatError } from '../formats/errors';
import { readNpz } from '../formats/numpy';
import { sniffNonModel } from '../formats/sniff';
import { FileSource } from '../formats/source';
import { ZipArchive } from '../formats/zip';
import type { Dataset, NamedInput } from './dataset';
import { inputArray } from './input-array';
import { readCifar, readMnist, readNpyPair } from './readers';

export interface DataOptions {
  /**
   * The array holding the inputs (`inputs` by default), or, for models with several inputs, graph
   * input = array pairs: `input_ids=ids,attention_mask=mask`.
   */
  inputsKey?: string;
  /**
   * The model's graph inputs: with no inputsKey and no `inputs` array, arrays named like them feed
   * them (an .npz with input_ids and attention_mask needs no mapping).
   */
  modelInputs?: string[];
  targetsKey?: string;
  /** Divide inputs by this (255 maps bytes to [0, 1]). */
  scale?: number;
  /** Per-channel normalization (channel axis 1, after --nhwc). */
  mean?: number[];
  std?: number[];
  /** The inputs are stored channels-last: transpose them to NCHW. */
  nhwc?: boolean;
}

/**
 * `--data`: one .npz; or comma-separated files: two .npy (inputs, targets), two MNIST IDX files
 * (images, labels; plain or .gz), or CIFAR-10/100 binary batches.
 */
export async function loadDataset(spec: string, opts: DataOptions = {}): Promise<Dataset> {
  const files = spec
    .split(',')
    .map((f) => f.trim())
    .filter(Boolean);
  let data: Dataset;
  if (files.length === 1 && !files[0].endsWith('.bin')) data = await loadNpz(files[0], opts);
  else if (files.every((f) => f.endsWith('.npy')) && files.length === 2) data = readNpyPair(files[0], files[1]);
  else if (files.every((f) => /idx\d-ubyte(\.gz)?$|\.idx(\.gz)?$/.test(f)) && files.length === 2) {
    const [a, b] = files;
    data = /idx1/.test(a) ? readMnist(b, a) : readMnist(a, b);
  } else if (files.every((f) => f.endsWith('.bin'))) data = readCifar(files);
  else {
    throw new FileFormatError(
      spec,
      'data',
      'unsupported',
      'expected one .npz, two .npy files, two MNIST IDX files, or CIFAR .bin batches (comma-separated)',
    );
  }
  return preprocess(data, opts);
}

function preprocess(d: Dataset, opts: DataOptions): Dataset {
  let { shape, data } = d.inputs;
  if (opts.nhwc) {
    if (shape.length !== 4)
      throw new Error(`--nhwc needs 4-D inputs, but '${d.source}' has shape [${shape.join(', ')}]`);
    const [N, H, W, C] = shape;
    const out = new Float32Array(data.length);
    for (let n = 0; n < N; n++)
      for (let h = 0; h < H; h++)
        for (let w = 0; w < W; w++)
          for (let c = 0; c < C; c++) out[((n * C + c) * H + h) * W + w] = data[((n * H + h) * W + w) * C + c];
    shape = [N, C, H, W];
    data = out;
  }
  if (opts.scale && opts.scale !== 1) data = data.map((x) => x / (opts.scale as number));
  if (opts.mean || opts.std) {
    const C = shape[1];
    const mean = opts.mean ?? new Array(C).fill(0);
    const std = opts.std ?? new Array(C).fill(1);
    if (mean.length !== C || std.length !== C)
      throw new Error(`--mean and --std need ${C} values (one per channel), got ${mean.length} and ${std.length}`);
    const inner = shape.slice(2).reduce((a, b) => a * b, 1);
    const out = new Float32Array(data.length);
    for (let i = 0; i < data.length; i++) {
      const c = Math.floor(i / inner) % C;
      out[i] = (data[i] - mean[c]) / std[c];
    }
    data = out;
  }
  // Scaled or normalized values are no longer integers (token ids are never preprocessed).
  const rescaled = (opts.scale && opts.scale !== 1) || opts.mean || opts.std;
  const integer = d.inputs.integer && !rescaled ? true : undefined;
  return { ...d, inputs: { shape, data, integer } };
}

/**
 * An .npz is read whole, so first check it is a zip archive whose directory fits the file (bounded
 * reads): a large file that is not one is refused without reading it.
 */
function checkNpzFile(path: string): void {
  const reader = 'NumPy .npz';
  const src = new FileSource(path, reader);
  try {
    const head = src.read(0, Math.min(4, src.size), reader);
    if (head[0] !== 0x50 || head[1] !== 0x4b) {
      const what = sniffNonModel(head);
      throw new FileFormatError(path, reader, 'not-a-model', `the file is ${what ?? 'not a zip archive'}, not an .npz`);
    }
    new ZipArchive(src, reader);
  } finally {
    src.close();
  }
}

async function loadNpz(path: string, opts: DataOptions): Promise<Dataset> {
  checkNpzFile(path);
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
  const tKey = opts.targetsKey ?? 'targets';
  const names = [...arrays.keys()].join(', ');
  const byName =
    opts.inputsKey === undefined && !arrays.has('inputs') && opts.modelInputs?.length
      ? opts.modelInputs.every((n) => arrays.has(n))
      : false;
  const pairs = byName ? (opts.modelInputs ?? []).map((n) => ({ name: n, key: n })) : parseInputsKey(opts.inputsKey);
  const targets = arrays.get(tKey);
  if (!targets)
    throw new FileFormatError(
      path,
      'NumPy .npz',
      'mismatch',
      `no array '${tKey}' (it holds ${names}); name one with --targets-key`,
    );
  const feeds: NamedInput[] = pairs.map(({ name, key }) => {
    const a = arrays.get(key);
    if (!a)
      throw new FileFormatError(
        path,
        'NumPy .npz',
        'mismatch',
        `no array '${key}' (it holds ${names}); name the arrays with --inputs-key ${pairs.length > 1 || name ? 'input=array,...' : '<name>'}`,
      );
    if (a.shape[0] !== targets.shape[0]) {
      throw new FileFormatError(
        path,
        'NumPy .npz',
        'mismatch',
        `'${key}' has ${a.shape[0]} samples but '${tKey}' has ${targets.shape[0]}`,
      );
    }
    return { name: name ?? '', key, ...inputArray(a, key, path) };
  });
  const [first, ...rest] = feeds;
  const isIndex = !(targets.data instanceof Float32Array);
  return {
    inputs: { shape: first.shape, data: first.data, integer: first.integer },
    inputName: first.name || undefined,
    inputsKey: first.key,
    extraInputs: rest.length ? rest : undefined,
    targets: { shape: targets.shape, data: Float32Array.from(targets.data), kind: isIndex ? 'indices' : 'dense' },
    source: path,
  };
}

/** `--inputs-key`: one array name, or graph input = array pairs (input_ids=ids,attention_mask=mask). */
export function parseInputsKey(spec: string | undefined): Array<{ name: string | null; key: string }> {
  const text = (spec ?? 'inputs').trim();
  if (!text.includes('=')) return [{ name: null, key: text || 'inputs' }];
  const pairs = text.split(',').map((part) => {
    const [name, key, extra] = part.split('=').map((x) => x.trim());
    if (!name || !key || extra !== undefined)
      throw new Error(
        `--inputs-key: '${part}' is not of the form input=array (as in input_ids=ids,attention_mask=mask)`,
      );
    return { name, key };
  });
  const seen = new Set<string>();
  for (const p of pairs) {
    if (seen.has(p.name)) throw new Error(`--inputs-key names the model input '${p.name}' twice`);
    seen.add(p.name);
  }
  return pairs;
}
