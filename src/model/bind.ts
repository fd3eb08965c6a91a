/**
 * Bind a checkpoint's tensors to a graph's parameters and BatchNorm buffers by name. Handles the
 * `module.` (DataParallel), `model.` and `_orig_mod.` (torch.compile) prefixes, and reports every
 * problem at once: missing keys, unexpected keys, shape mismatches.
 */

import type { Checkpoint } from '../formats/checkpoint';
import { FileFormatError } from '../formats/errors';
import type { LazyTensor } from '../formats/tensor';

export interface BindTarget {
  params: Array<{ name: string; shape: number[] }>;
  buffers: Array<{ name: string; shape: number[] }>;
}

export interface BindReport {
  prefix: string;
  matched: string[];
  /** Checkpoint tensors the graph has no use for (e.g. num_batches_tracked). */
  unexpected: string[];
  /** Graph buffers the checkpoint does not hold (they keep the ONNX values). */
  missingBuffers: string[];
}

export interface BoundWeights {
  params: Float32Array[];
  buffers: Map<string, Float32Array>;
  report: BindReport;
}

const PREFIXES = ['', 'module.', 'model.', '_orig_mod.', 'module.model.', 'model.module.'];
const IGNORABLE = /(^|\.)num_batches_tracked$/;

export function bindWeights(target: BindTarget, ckpt: Checkpoint): BoundWeights {
  const names = [...target.params, ...target.buffers].map((t) => t.name);
  // Pick the prefix under which most graph names are found.
  let prefix = '';
  let best = -1;
  for (const p of PREFIXES) {
    const hits = names.filter((n) => ckpt.stateDict.has(p + n)).length;
    if (hits > best) {
      best = hits;
      prefix = p;
    }
  }
  const get = (name: string): LazyTensor | undefined => ckpt.stateDict.get(prefix + name);
  const missing = target.params.filter((p) => !get(p.name)).map((p) => p.name);
  const mismatched: string[] = [];
  const check = (t: { name: string; shape: number[] }) => {
    const got = get(t.name);
    if (!got) return;
    const same = got.shape.length === t.shape.length && got.shape.every((d, i) => d === t.shape[i]);
    // A scalar stored as [] vs [1] is the same tensor.
    const scalarish = got.shape.reduce((a, b) => a * b, 1) === 1 && t.shape.reduce((a, b) => a * b, 1) === 1;
    if (!same && !scalarish)
      mismatched.push(`${t.name} (expected [${t.shape.join(', ')}], got [${got.shape.join(', ')}])`);
  };
  target.params.forEach(check);
  target.buffers.forEach(check);
  const used = new Set(names.map((n) => prefix + n));
  const unexpected = [...ckpt.stateDict.keys()].filter((k) => !used.has(k) && !IGNORABLE.test(k));
  if (missing.length || mismatched.length) {
    const parts = [];
    if (missing.length) parts.push(`missing ${missing.length} parameter(s): ${missing.join(', ')}`);
    if (mismatched.length) parts.push(`shape mismatch: ${mismatched.join('; ')}`);
    if (unexpected.length)
      parts.push(`unexpected key(s): ${unexpected.slice(0, 20).join(', ')}${unexpected.length > 20 ? ', ...' : ''}`);
    const hint = !ckpt.stateDict.size
      ? ''
      : ckpt.stateDictPath
        ? ` (state_dict found under '${ckpt.stateDictPath}')`
        : '';
    throw new FileFormatError(
      ckpt.file,
      'weights',
      'mismatch',
      `the checkpoint does not fit the model${hint}: ${parts.join('; ')}`,
    );
  }
  const params = target.params.map((p) => (get(p.name) as LazyTensor).read());
  const buffers = new Map<string, Float32Array>();
  for (const b of target.buffers) {
    const t = get(b.name);
    if (t) buffers.set(b.name, t.read());
  }
  return {
    params,
    buffers,
    report: {
      prefix,
      matched: names.filter((n) => get(n)),
      unexpected,
      missingBuffers: target.buffers.filter((b) => !get(b.name)).map((b) => b.name),
    },
  };
}
