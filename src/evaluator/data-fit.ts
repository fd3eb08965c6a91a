/**
 * Whether a data set fits a model, checked from the graph's declared shapes before any work: every
 * graph input fed by an array of the right sample shape, and class indices against the class axis of
 * the declared output. The Objective refuses the first misfit (through the same checks, in feeds.ts);
 * a series lists every misfit of every data set first.
 */
import type { Dataset } from '../data/dataset';
import type { OnnxModel } from '../formats/onnx/read';
import { checkTargets, classAxisOf, resolveFeeds } from './feeds';

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

/** Every way `data` contradicts the model's declared inputs and output, as sentences. */
export function dataMismatches(model: OnnxModel, data: Dataset): string[] {
  const problems: string[] = [];
  try {
    resolveFeeds(model, data);
  } catch (e) {
    problems.push(message(e));
  }
  const out = model.graph.outputs[0]?.shape;
  // The batch axis of a declared output is the export's (or symbolic), not the data's: compare the rest.
  const rest = out?.slice(1) ?? [];
  if (data.targets.kind !== 'indices' || !out || !rest.every((d) => typeof d === 'number')) return problems;
  const logits = [data.targets.shape[0], ...(rest as number[])];
  const axis = classAxisOf(logits, data.targets.shape);
  if (axis === null) return problems;
  try {
    checkTargets(data, logits[axis], 'targets');
  } catch (e) {
    problems.push(message(e));
  }
  return problems;
}
