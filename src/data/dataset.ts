/** An in-memory data set: inputs and targets with the sample axis first. */
export type TargetKind = 'indices' | 'dense';

/**
 * One array of model inputs. Integer arrays (token ids, attention masks) are held as float32, which
 * is exact for |x| < 2^24 (the loader refuses larger values): the engine computes in floating point.
 */
export interface InputArray {
  shape: number[];
  data: Float32Array;
  /** Read from an integer array. */
  integer?: boolean;
}

/** An input array fed to a named graph input (models with several inputs). */
export interface NamedInput extends InputArray {
  /** The graph input it feeds. */
  name: string;
  /** The array's name in the data file, for messages. */
  key: string;
}

export interface Dataset {
  /** The first (or only) model input. */
  inputs: InputArray;
  /** The graph input `inputs` feeds, when the data names it (--inputs-key name=array,...). */
  inputName?: string;
  /** The array name of `inputs` in the data file, for messages. */
  inputsKey?: string;
  /** Further graph inputs fed by name, each with the sample axis first. */
  extraInputs?: NamedInput[];
  /** Class indices (shape [N] or [N, d1, ...]) or dense targets (one-hot, soft or regression values). */
  targets: { shape: number[]; data: Float32Array; kind: TargetKind };
  /** Where the data came from, for messages. */
  source: string;
}

export const sampleCount = (d: Dataset): number => d.inputs.shape[0];

/** A seeded subset of n samples, in their original order (or the whole set when n ≥ N). */
export function subsample(d: Dataset, n: number | undefined, seed = 0): Dataset {
  const N = sampleCount(d);
  if (n === undefined || n >= N) return d;
  if (!Number.isInteger(n) || n < 1) throw new Error(`--samples must be a positive integer, got ${n}`);
  // Partial Fisher-Yates with a 32-bit LCG: reproducible for a seed on every platform.
  let s = (seed ^ 0x9e3779b9) >>> 0;
  const rand = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
  const idx = Array.from({ length: N }, (_v, i) => i);
  for (let i = 0; i < n; i++) {
    const j = i + Math.floor(rand() * (N - i));
    [idx[i], idx[j]] = [idx[j], idx[i]];
  }
  const chosen = idx.slice(0, n).sort((a, b) => a - b);
  const pick = <T extends { data: Float32Array; shape: number[] }>({ data, shape, ...rest }: T) => {
    const per = shape.slice(1).reduce((a, b) => a * b, 1);
    const out = new Float32Array(n * per);
    chosen.forEach((k, i) => out.set(data.subarray(k * per, (k + 1) * per), i * per));
    return { ...rest, shape: [n, ...shape.slice(1)], data: out };
  };
  return {
    ...d,
    inputs: pick(d.inputs),
    extraInputs: d.extraInputs?.map(pick),
    targets: pick(d.targets),
    source: `${d.source} (${n} of ${N} samples, seed ${seed})`,
  };
}
