/**
 * What the objective feeds a model: every graph input from a named array of the data set, and class
 * targets as one-hot rows over the logits' class axis. Everything that can be wrong with the data
 * (a missing input, a sample shape, a token id outside the vocabulary, a target outside the classes)
 * is refused here, when the objective is built, before any work, with the array, position and value.
 */
import type { Dataset, InputArray } from '../data/dataset';
import type { OnnxModel } from '../formats/onnx/read';
import type { IndexInput } from '../onnx-import/import';

/** PyTorch's default `ignore_index`: targets equal to it (padding) count in neither loss nor accuracy. */
export const IGNORE_INDEX = -100;

export interface Feed {
  /** The graph input. */
  name: string;
  /** The array's name in the data file, for messages. */
  key: string;
  array: InputArray;
}

const dims = (shape: readonly (number | string)[]) => `[${shape.join(', ')}]`;

/** The data arrays feeding each graph input (initializers that are also listed as inputs excluded). */
export function resolveFeeds(model: OnnxModel, data: Dataset): Feed[] {
  const graphInputs = model.graph.inputs.filter((i) => !model.graph.initializers.has(i.name));
  if (graphInputs.length === 0) throw new Error('The model has no data input.');
  const named = new Map<string, Feed>();
  const firstName = data.inputName ?? graphInputs[0].name;
  named.set(firstName, { name: firstName, key: data.inputsKey ?? 'inputs', array: data.inputs });
  for (const x of data.extraInputs ?? []) named.set(x.name, { name: x.name, key: x.key, array: x });
  const known = new Set(graphInputs.map((i) => i.name));
  for (const f of named.values()) {
    if (!known.has(f.name))
      throw new Error(
        `The data feeds '${f.name}' from '${f.key}', but the model has no input '${f.name}' (its inputs: ${[...known].join(', ')}).`,
      );
  }
  const missing = graphInputs.filter((i) => !named.has(i.name)).map((i) => i.name);
  if (missing.length) {
    const all = graphInputs.map((i) => `${i.name}=<array>`).join(',');
    throw new Error(
      `The model has ${graphInputs.length} inputs (${graphInputs.map((i) => i.name).join(', ')}) and the data in '${data.source}' feeds no array to ${missing.join(', ')}; name one array per input with --inputs-key ${all}.`,
    );
  }
  const feeds = graphInputs.map((i) => named.get(i.name) as Feed);
  for (const f of feeds) checkSampleShape(model, data, f);
  return feeds;
}

/** Refuse data whose sample shape contradicts the model's declared input shape, naming both. */
function checkSampleShape(model: OnnxModel, data: Dataset, f: Feed): void {
  const input = model.graph.inputs.find((i) => i.name === f.name);
  const N = data.targets.shape[0];
  if (f.array.shape[0] !== N)
    throw new Error(`'${f.key}' in '${data.source}' has ${f.array.shape[0]} samples but the targets have ${N}.`);
  if (!input?.shape) return;
  const want = input.shape.slice(1);
  const got = f.array.shape.slice(1);
  const fits = want.length === got.length && want.every((d, i) => typeof d !== 'number' || d === got[i]);
  if (!fits) {
    throw new Error(
      `The data in '${data.source}' has samples of shape ${dims(got)}${f.key !== 'inputs' ? ` in '${f.key}'` : ''} but the model input '${input.name}' expects ${dims(input.shape)}.`,
    );
  }
}

/** The position of flat index i in an array of this shape, as [n, t, ...]. */
const positionOf = (i: number, shape: number[]) => {
  const pos: number[] = [];
  for (let d = shape.length - 1; d >= 0; d--) {
    pos.unshift(i % shape[d]);
    i = Math.floor(i / shape[d]);
  }
  return dims(pos);
};

/** Token ids outside their embedding table are refused: the array, the position, the value, the range. */
export function checkTokenIds(feeds: Feed[], indexInputs: IndexInput[]): void {
  for (const ix of indexInputs) {
    const f = feeds.find((x) => x.name === ix.input);
    if (!f) continue;
    const d = f.array.data;
    for (let i = 0; i < d.length; i++) {
      const v = d[i];
      if (!(Number.isInteger(v) && v >= 0 && v < ix.limit)) {
        throw new Error(
          `'${f.key}' holds ${v} at position ${positionOf(i, f.array.shape)}, but the model input '${f.name}' indexes an embedding of ${ix.limit} rows (Gather node '${ix.node}'): token ids must be integers in [0, ${ix.limit - 1}].`,
        );
      }
    }
  }
}

/**
 * The class axis of the logits for class-index targets: 1 where the targets are the logits' shape
 * without axis 1 (PyTorch's [N, C, d1, ...]), else the last axis where they are the shape without it
 * (a language model's [N, T, V]). Null when the shapes fit neither.
 */
export function classAxisOf(logits: readonly number[], targets: readonly number[]): number | null {
  // Axes of size 1 do not matter (targets [N, 1] for logits [N, C]).
  const squeeze = (a: readonly number[]) => a.filter((d) => d !== 1);
  const want = squeeze(targets.slice(1));
  const same = (axis: number) => {
    const rest = squeeze(logits.filter((_d, i) => i !== axis).slice(1));
    return rest.length === want.length && rest.every((d, i) => d === want[i]);
  };
  if (same(1)) return 1;
  if (logits.length > 2 && same(logits.length - 1)) return logits.length - 1;
  return null;
}

/** Targets that are neither a class in [0, C) nor IGNORE_INDEX are refused, with the position and value. */
export function checkTargets(data: Dataset, classes: number, key: string): number {
  const t = data.targets;
  let counted = 0;
  for (let i = 0; i < t.data.length; i++) {
    const v = t.data[i];
    if (v === IGNORE_INDEX) continue;
    if (!(Number.isInteger(v) && v >= 0 && v < classes)) {
      throw new Error(
        `'${key}' in '${data.source}' holds ${v} at position ${positionOf(i, t.shape)}, but the model has ${classes} classes: targets must be integers in [0, ${classes - 1}], or ${IGNORE_INDEX} for positions to ignore.`,
      );
    }
    counted++;
  }
  return counted;
}

/** One-hot rows of class-index targets along `classAxis` of `shape` ([n, ...]); ignored positions stay zero. */
export function oneHot(raw: Float32Array, shape: readonly number[], classAxis: number): Float32Array {
  const C = shape[classAxis];
  const inner = shape.slice(classAxis + 1).reduce((a, b) => a * b, 1);
  const out = new Float32Array(raw.length * C);
  for (let p = 0; p < raw.length; p++) {
    const cls = raw[p];
    if (cls === IGNORE_INDEX) continue;
    const outer = Math.floor(p / inner);
    const k = p % inner;
    out[(outer * C + cls) * inner + k] = 1;
  }
  return out;
}
