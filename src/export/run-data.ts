/** Everything about one run, read from the store once, for every exporter. */
import type { RunRow, RunStore, StoredGrid, StoredVector } from '../store/store';

export interface RunData {
  run: RunRow;
  options: Record<string, unknown>;
  results: Record<string, unknown>;
  grids: StoredGrid[];
  vectors: StoredVector[];
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
    model: model ? { ...model, summary: JSON.parse(model.summary) } : null,
  };
}

/** The run's main grid, or a sentence saying why there is none. */
export function mainGrid(data: RunData, format: string): StoredGrid {
  const grid = data.grids[0];
  if (!grid)
    throw new Error(
      `Run ${data.run.id.slice(0, 8)} is a ${data.run.kind} run with no loss grid; ${format} needs a landscape, interpolate or trajectory run.`,
    );
  return grid;
}

/** A 2-D grid, for formats that have no 1-D form. */
export function surfaceGrid(data: RunData, format: string): StoredGrid & { y: number[] } {
  const grid = mainGrid(data, format);
  if (!grid.y) throw new Error(`Run ${data.run.id.slice(0, 8)} holds a 1-D curve; ${format} needs a 2-D surface.`);
  return grid as StoredGrid & { y: number[] };
}
