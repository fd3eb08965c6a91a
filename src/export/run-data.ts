/** Everything about one run, read from the store once, for every exporter. */
import type { RunRow, RunStore, StoredGrid, StoredVector } from '../store/store';

export interface RunData {
  run: RunRow;
  options: Record<string, unknown>;
  results: Record<string, unknown>;
  grids: StoredGrid[];
  vectors: StoredVector[];
  /** Eigenvectors stored with the run (loaded into `vectors` only when asked for). */
  vectorCount: number;
  model: { id: string; path: string; summary: Record<string, unknown> } | null;
}

export function loadRunData(store: RunStore, id: string, withVectors = false): RunData {
  const found = store.getRun(id);
  if (!found) throw new Error(`No run '${id}' in the runs database.`);
  const { run } = found;
  const model = run.model_id
    ? (store.db.prepare('SELECT id, path, summary FROM models WHERE id = ?').get(run.model_id) as
        | { id: string; path: string; summary: string }
        | undefined)
    : undefined;
  return {
    run,
    options: JSON.parse(run.options),
    results: found.results,
    grids: found.grids.map((name) => store.getGrid(run.id, name)).filter((g): g is StoredGrid => g !== null),
    vectors: withVectors ? store.vectors(run.id) : [],
    vectorCount: found.vectors,
    model: model ? { ...model, summary: JSON.parse(model.summary) } : null,
  };
}

/** Why the run has no grid for `format`, or null when it has one. */
export function gridProblem(data: RunData, format: string): string | null {
  return data.grids[0]
    ? null
    : `Run ${data.run.id.slice(0, 8)} is a ${data.run.kind} run with no loss grid; ${format} needs a landscape, interpolate or trajectory run.`;
}

/** Why the run has no 2-D grid for `format` (which has no 1-D form), or null. */
export function surfaceProblem(data: RunData, format: string): string | null {
  return (
    gridProblem(data, format) ??
    (data.grids[0].y ? null : `Run ${data.run.id.slice(0, 8)} holds a 1-D curve; ${format} needs a 2-D surface.`)
  );
}

/** Why `format`, which needs every point, cannot be written yet (a cancelled or crashed grid), or null. */
export function completeGridProblem(data: RunData, format: string, surface: boolean): string | null {
  return (
    (surface ? surfaceProblem(data, format) : gridProblem(data, format)) ??
    (data.grids[0].complete
      ? null
      : `Run ${data.run.id.slice(0, 8)} is ${data.run.state} with points missing; resume it first.`)
  );
}

const refuse = (problem: string | null) => {
  if (problem) throw new Error(problem);
};

/** The run's main grid, or a sentence saying why there is none. */
export function mainGrid(data: RunData, format: string): StoredGrid {
  refuse(gridProblem(data, format));
  return data.grids[0];
}

/** A 2-D grid, for formats that have no 1-D form. */
export function surfaceGrid(data: RunData, format: string): StoredGrid & { y: number[] } {
  refuse(surfaceProblem(data, format));
  return data.grids[0] as StoredGrid & { y: number[] };
}

/** A grid with every point, for formats that cannot say "not computed". */
export function completeGrid(data: RunData, format: string, surface: boolean): StoredGrid {
  refuse(completeGridProblem(data, format, surface));
  return data.grids[0];
}
