/**
 * Open any weights file a user drops (PyTorch zip or legacy, safetensors, .npz) into a flat map of
 * dotted tensor names, and find the state_dict and optimizer state inside nested checkpoints.
 */
import { readFileSync } from 'node:fs';
import { FileFormatError } from './errors';
import { readNpz } from './numpy';
import { isLegacyPytorch, isPytorchZip, readPytorchLegacy, readPytorchZip } from './pytorch';
import { looksLikeSafetensors, readSafetensors } from './safetensors';
import { sniffNonModel } from './sniff';
import { FileSource } from './source';
import { isTensor, type LazyTensor } from './tensor';
import { ZipArchive } from './zip';

export interface Checkpoint {
  file: string;
  format: 'pytorch-zip' | 'pytorch-legacy' | 'safetensors' | 'npz';
  /** Every tensor in the file, by dotted path ('model_state_dict.conv1.weight'). */
  tensors: Map<string, LazyTensor>;
  /** The path of the state_dict inside the file ('' for the root). */
  stateDictPath: string;
  /** The state_dict's tensors by their own names. */
  stateDict: Map<string, LazyTensor>;
  /** Adam moments per parameter name, when the file holds optimizer state that can be matched. */
  optimizer: Map<string, { expAvg?: LazyTensor; expAvgSq?: LazyTensor }> | null;
  /** Non-tensor scalars at the root (epoch, step, ...). */
  info: Record<string, string | number | boolean>;
  close(): void;
}

export function openCheckpoint(path: string): Checkpoint {
  const src = new FileSource(path);
  try {
    const head = src.read(0, Math.min(64, src.size), 'checkpoint');
    let root: unknown;
    let format: Checkpoint['format'];
    if (head[0] === 0x50 && head[1] === 0x4b) {
      const zip = new ZipArchive(src);
      const prefix = isPytorchZip(zip);
      if (prefix !== null) {
        root = readPytorchZip(zip, prefix);
        format = 'pytorch-zip';
      } else if ([...zip.entries.keys()].some((n) => n.endsWith('.npy'))) {
        src.close();
        const arrays = readNpz(new Uint8Array(readFileSync(path)), path);
        const tensors = new Map<string, LazyTensor>();
        for (const [k, a] of arrays)
          tensors.set(k, { kind: 'tensor', dtype: 'float32', shape: a.shape, read: () => Float32Array.from(a.data) });
        return finish(path, 'npz', tensors, () => {});
      } else {
        throw new FileFormatError(
          path,
          'checkpoint',
          'not-a-model',
          'the zip archive holds no data.pkl (PyTorch) or .npy arrays',
        );
      }
    } else if (isLegacyPytorch(head)) {
      root = readPytorchLegacy(src);
      format = 'pytorch-legacy';
    } else if (looksLikeSafetensors(head, src.size)) {
      return finish(path, 'safetensors', readSafetensors(src).tensors, () => src.close());
    } else {
      const what = sniffNonModel(head);
      throw new FileFormatError(
        path,
        'checkpoint',
        'not-a-model',
        what ? `the file is ${what}, not a checkpoint` : 'the file is not a PyTorch, safetensors or NumPy checkpoint',
      );
    }
    const tensors = new Map<string, LazyTensor>();
    const info: Record<string, string | number | boolean> = {};
    flatten(root, '', tensors, info, 0);
    const ckpt = finish(path, format, tensors, () => src.close());
    ckpt.info = info;
    ckpt.optimizer = findAdamState(root, ckpt.stateDict);
    return ckpt;
  } catch (e) {
    src.close();
    throw e;
  }
}

function flatten(
  v: unknown,
  path: string,
  out: Map<string, LazyTensor>,
  info: Record<string, string | number | boolean>,
  depth: number,
): void {
  if (depth > 50) return;
  if (isTensor(v)) out.set(path, v);
  else if (v instanceof Map)
    for (const [k, x] of v) flatten(x, path ? `${path}.${String(k)}` : String(k), out, info, depth + 1);
  else if (Array.isArray(v)) v.forEach((x, i) => flatten(x, path ? `${path}.${i}` : String(i), out, info, depth + 1));
  else if (depth === 1 && (typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean')) info[path] = v;
}

const STATE_DICT_KEYS = ['state_dict', 'model_state_dict', 'model', 'net', 'network', 'module', 'ema', 'params'];

function finish(
  file: string,
  format: Checkpoint['format'],
  tensors: Map<string, LazyTensor>,
  close: () => void,
): Checkpoint {
  // The state_dict: the root, or the first known key holding tensors (skipping optimizer state).
  let stateDictPath = '';
  const rootTensors = [...tensors.keys()].filter((k) => !k.startsWith('optimizer'));
  for (const key of STATE_DICT_KEYS) {
    if (rootTensors.some((k) => k.startsWith(`${key}.`))) {
      stateDictPath = key;
      break;
    }
  }
  const stateDict = new Map<string, LazyTensor>();
  for (const [k, t] of tensors) {
    if (stateDictPath === '' && k.startsWith('optimizer')) continue;
    if (stateDictPath === '' || k.startsWith(`${stateDictPath}.`))
      stateDict.set(stateDictPath ? k.slice(stateDictPath.length + 1) : k, t);
  }
  return { file, format, tensors, stateDictPath, stateDict, optimizer: null, info: {}, close };
}

/**
 * torch.optim state: {'state': {index: {'exp_avg', 'exp_avg_sq', 'step'}}, 'param_groups': [{'params':
 * [index...]}]}. Indices follow model.parameters() order, which is the state_dict order minus buffers.
 */
function findAdamState(root: unknown, stateDict: Map<string, LazyTensor>): Checkpoint['optimizer'] {
  if (!(root instanceof Map)) return null;
  const opt = root.get('optimizer_state_dict') ?? root.get('optimizer');
  if (!(opt instanceof Map) || !(opt.get('state') instanceof Map)) return null;
  const state = opt.get('state') as Map<unknown, unknown>;
  const paramNames = [...stateDict.keys()].filter((k) => !/running_(mean|var)$|num_batches_tracked$/.test(k));
  const out = new Map<string, { expAvg?: LazyTensor; expAvgSq?: LazyTensor }>();
  for (const [index, s] of state) {
    if (!(s instanceof Map) || typeof index !== 'number' || !paramNames[index]) continue;
    const expAvg = s.get('exp_avg');
    const expAvgSq = s.get('exp_avg_sq');
    out.set(paramNames[index], {
      expAvg: isTensor(expAvg) ? expAvg : undefined,
      expAvgSq: isTensor(expAvgSq) ? expAvgSq : undefined,
    });
  }
  return out.size ? out : null;
}
