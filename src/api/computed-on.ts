/** The `computedOn` field of the API's analysis results (shown by the UI's computed-on notice). */
import type { Evaluator } from '../evaluator/evaluator';

/** Where a job's numbers were computed, and why not on the GPU when `auto` fell back. */
export const computedOn = (ev: Evaluator) => ({
  backend: ev.backend,
  backendNotice: ev.backendNotice,
  deviceMemory: ev.deviceMemory(),
});
