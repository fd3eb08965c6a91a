/**
 * Landscape directions from a Hessian run's stored eigenvectors: pick an eigenvalue in the spectrum
 * view, and the landscape follows its eigenvector (two picks make a plane). The vectors are the
 * run's float32 BLOBs, unit-norm with canonical sign, in the flat parameter order of the same model.
 */
import type { RunStore } from '../store/store';
import type { GivenDirections, LandscapeRunOptions } from './landscape-run';

export function storedEigenDirections(
  store: RunStore,
  runId: string,
  labels: string[],
  parameters: number,
): GivenDirections {
  const run = store.findRun(runId);
  if (!run) throw new Error(`No Hessian run '${runId}' to take eigenvectors from.`);
  const short = run.id.slice(0, 8);
  const stored = store.vectors(run.id);
  if (!stored.length)
    throw new Error(
      `Run ${short} kept no eigenvectors; run the spectrum again with "keep eigenvectors" to follow one in a landscape.`,
    );
  const picked = labels.map((label) => {
    const v = stored.find((s) => s.label === label);
    if (!v)
      throw new Error(`Run ${short} has no eigenvector '${label}'; it has ${stored.map((s) => s.label).join(', ')}.`);
    if (v.data.length !== parameters)
      throw new Error(
        `Run ${short}'s eigenvector '${label}' has ${v.data.length} values, but the open model has ${parameters} parameters: it belongs to another model.`,
      );
    return v;
  });
  const [a, b] = picked;
  return {
    d1: Float64Array.from(a.data),
    d2: b ? Float64Array.from(b.data) : null,
    info: {
      kind: 'eigenvectors',
      run: run.id,
      vectors: labels,
      ...(a.eigenvalue !== null ? { lambda1: a.eigenvalue } : {}),
      ...(b && b.eigenvalue !== null ? { lambda2: b.eigenvalue } : {}),
    },
  };
}

/** How the app names directions that are not the CLI's string: a file, or a run's eigenvectors. */
export interface ServiceDirections {
  directionsFile?: string;
  eigenvectors?: { run: string; vectors: string[] };
}

/** Refuse, before a job is queued, directions that lack what they need. */
export function checkDirections(o: { dims?: 1 | 2; directions?: string } & ServiceDirections): void {
  if (o.directions === 'file' && !o.directionsFile)
    throw new Error('Directions from a file need the file: choose an .npz with d1/<param> (and d2/<param>).');
  if (o.directions === 'eigenvectors') {
    if (!o.eigenvectors) throw new Error('Directions from eigenvectors need a Hessian run and its eigenvectors.');
    const dims = o.dims ?? 2;
    if (o.eigenvectors.vectors.length !== dims)
      throw new Error(
        `A ${dims}-D landscape needs ${dims} eigenvector(s); ${o.eigenvectors.vectors.length} were picked.`,
      );
  }
}

/**
 * The recorded options as the landscape run takes them: a file's path as the directions, or a Hessian
 * run's eigenvectors given. Resolved when the job runs, so a resume (which has only the recorded
 * options) resolves them the same way.
 */
export function resolveDirections(
  recorded: LandscapeRunOptions & ServiceDirections,
  store: () => RunStore,
  parameters: number,
): LandscapeRunOptions {
  if (recorded.directions === 'file' && recorded.directionsFile)
    return { ...recorded, directions: recorded.directionsFile };
  if (recorded.directions === 'eigenvectors' && recorded.eigenvectors)
    return {
      ...recorded,
      given: storedEigenDirections(store(), recorded.eigenvectors.run, recorded.eigenvectors.vectors, parameters),
    };
  return recorded;
}
