/** A run's stored eigenvectors as an .npz (v1/<param>, ...), the layout landscape --directions reads. */
import { eigenvectorsNpz, type ParamLayout } from '../runs/hessian-run';
import type { RunData } from './run-data';

/** Why the run has no eigenvectors to write, or null. */
export function npzProblem(data: RunData): string | null {
  return data.vectorCount && data.results.parameters
    ? null
    : `Run ${data.run.id.slice(0, 8)} has no stored eigenvectors; run saddle hessian with --db and --eigenvectors.`;
}

export function vectorsNpz(data: RunData): Uint8Array {
  const problem = npzProblem(data);
  if (problem) throw new Error(problem);
  return eigenvectorsNpz(data.vectors, data.results.parameters as ParamLayout);
}
