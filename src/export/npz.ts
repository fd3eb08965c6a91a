/** A run's stored eigenvectors as an .npz (v1/<param>, ...), the layout landscape --directions reads. */
import { eigenvectorsNpz, type ParamLayout } from '../runs/hessian-run';
import type { RunData } from './run-data';

export function vectorsNpz(data: RunData): Uint8Array {
  const layout = data.results.parameters as ParamLayout | undefined;
  if (!data.vectors.length || !layout)
    throw new Error(
      `Run ${data.run.id.slice(0, 8)} has no stored eigenvectors; run saddle hessian with --db and --eigenvectors.`,
    );
  return eigenvectorsNpz(data.vectors, layout);
}
