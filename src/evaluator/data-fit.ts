/**
 * Whether a data set fits a model, checked from the graph's declared shapes before any work: the
 * sample shape against the data input, and class indices against a declared class count. Shared by
 * the Objective (which refuses data that does not fit) and a series (which lists every misfit first).
 */
import type { Dataset } from '../data/dataset';
import type { OnnxModel } from '../formats/onnx/read';

/** Every way `data` contradicts the model's declared input and output shapes, as sentences. */
export function dataMismatches(model: OnnxModel, data: Dataset): string[] {
  const problems: string[] = [];
  const input = model.graph.inputs.find((i) => !model.graph.initializers.has(i.name));
  if (input?.shape) {
    const want = input.shape.slice(1);
    const got = data.inputs.shape.slice(1);
    const fits = want.length === got.length && want.every((d, i) => typeof d !== 'number' || d === got[i]);
    if (!fits)
      problems.push(
        `The data in '${data.source}' has samples of shape [${got.join(', ')}] but the model input '${input.name}' expects [${input.shape.join(', ')}].`,
      );
  }
  const classes = model.graph.outputs[0]?.shape?.[1];
  if (data.targets.kind === 'indices' && typeof classes === 'number') {
    let max = -1;
    for (const t of data.targets.data) if (t > max) max = t;
    if (max >= classes)
      problems.push(
        `The data in '${data.source}' has class index ${max} but the model output '${model.graph.outputs[0].name}' has ${classes} classes.`,
      );
  }
  return problems;
}

/** Refuse data whose sample shape contradicts the model's declared input shape, naming both. */
export function checkInputShape(model: OnnxModel, data: Dataset): void {
  const [first] = dataMismatches(model, data).filter((p) => p.includes('samples of shape'));
  if (first) throw new Error(first);
}
