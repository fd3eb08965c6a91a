/**
 * A recorded run as the UI reads it (`getRun`): its summary and options, its results checked
 * against the typed schemas (keys the UI does not know are left out), its grids with NaN (not yet
 * computed) as null, and the eigenvectors it keeps (labels and eigenvalues; the vectors stay here).
 */
import { runSummary } from '../runs/run-summary';
import type { RunStore } from '../store/store';
import type { RunView } from './contract';
import { GridMetaSchema, RunResultsSchema } from './results';

/** Parse what a run holds; a result that does not fit its schema is a bug, named with the run. */
function typed<T>(what: string, runId: string, parse: () => T): T {
  try {
    return parse();
  } catch (e) {
    throw new Error(
      `Run ${runId.slice(0, 8)}'s ${what} does not fit the results contract: ${e instanceof Error ? e.message : String(e)}`,
    );
  }
}

export function runView(store: RunStore, id: string): RunView {
  const found = store.getRun(id);
  if (!found) throw new Error(`No run '${id}'.`);
  const r = found.run;
  const options = JSON.parse(r.options) as Record<string, unknown>;
  const orNull = (v: ArrayLike<number>) => Array.from(v, (x) => (Number.isNaN(x) ? null : x));
  const vectors = found.vectors
    ? (
        store.db.prepare('SELECT k, label, eigenvalue FROM vectors WHERE run_id = ? ORDER BY k').all(r.id) as Array<{
          k: number;
          label: string;
          eigenvalue: number | null;
        }>
      ).map((v) => ({ k: v.k, label: v.label, eigenvalue: v.eigenvalue }))
    : [];
  return {
    run: {
      ...runSummary(r, found.results),
      options,
      model: typeof options.model === 'string' ? options.model : null,
      data: r.data_path,
      weights: r.weights_path,
      version: r.version,
      host: r.host,
    },
    results: typed('results', r.id, () => RunResultsSchema.parse(found.results)),
    grids: found.grids.flatMap((name) => {
      const g = store.getGrid(r.id, name);
      if (!g) return [];
      const meta = typed(`grid '${name}'`, r.id, () => GridMetaSchema.parse(g.meta));
      return [{ ...g, meta, loss: orNull(g.loss), accuracy: g.accuracy ? orNull(g.accuracy) : null }];
    }),
    eigenvectors: vectors,
  };
}
