/**
 * Does a data set fit a model? Checked before an analysis is queued, so a wrong file is one
 * sentence at once rather than a failed run minutes later. Symbolic dimensions (a named batch or
 * sequence axis) fit any size.
 */
import type { Dataset } from './dataset';

export interface DataFit {
  samples: number;
  inputShape: number[];
  targets: Dataset['targets']['kind'];
  modelInput: Array<number | string> | null;
  problem: string | null;
}

const shapeText = (s: ReadonlyArray<number | string>) => `[${s.join(', ')}]`;

/**
 * Compare one sample's shape with the model input's shape after its batch axis. `file` is how the
 * user knows the data set (its name), `input` the model's first input.
 */
export function dataFit(
  data: Dataset,
  file: string,
  input: { name: string; shape: ReadonlyArray<number | string> | null } | undefined,
): DataFit {
  const sample = data.inputs.shape.slice(1);
  const modelInput = input?.shape ? input.shape.slice(1) : null;
  const fit = {
    samples: data.inputs.shape[0],
    inputShape: sample,
    targets: data.targets.kind,
    modelInput: modelInput ? [...modelInput] : null,
  };
  if (fit.samples < 1) return { ...fit, problem: `The data set '${file}' holds no samples.` };
  if (!input || !modelInput) return { ...fit, problem: null };
  const fits =
    modelInput.length === sample.length && modelInput.every((d, k) => typeof d === 'string' || d === sample[k]);
  return {
    ...fit,
    problem: fits
      ? null
      : `The data set '${file}' has samples of shape ${shapeText(sample)}, but the model's input '${input.name}' takes ${shapeText(modelInput)} after its batch axis.`,
  };
}
