/**
 * A recorded series as the app reads it back: every member in the series' order with its run (if it
 * has one yet), state and numbers, and the criteria-accuracy correlation over the finished members.
 */
import type { HessianReport } from '../analysis/spectrum';
import { getSeries, listSeries, seriesRuns } from '../store/series';
import type { RunStore } from '../store/store';
import { entryOf, type LossResult, type SeriesEntry, seriesCorrelation, seriesMembers } from './series-run';

export function seriesView(store: RunStore, id: string) {
  const series = getSeries(store, id);
  if (!series) throw new Error(`No series '${id}'.`);
  const members = seriesMembers(series.spec.checkpoints, series.spec.data);
  const runs = seriesRuns(store, series.id);
  const rows = members.map((m) => {
    const run = runs.get(m.index);
    let entry: SeriesEntry | null = null;
    if (run?.state === 'finished') {
      const results = store.getRun(run.id)?.results ?? {};
      const l = results.loss as LossResult | undefined;
      if (l) entry = entryOf(m, l, (results.spectrum ?? {}) as Partial<HessianReport>, run.id);
    }
    return { ...m, runId: run?.id ?? null, state: run?.state ?? null, entry };
  });
  const finished = rows.filter((r) => r.entry);
  const correlation = seriesCorrelation(
    finished,
    finished.map((r) => r.entry as SeriesEntry),
  );
  return {
    id: series.id,
    name: series.name,
    createdAt: series.createdAt,
    model: series.spec.model,
    checkpoints: series.spec.checkpoints,
    data: series.spec.data,
    options: series.spec.options,
    members: rows,
    correlation: Object.fromEntries(
      Object.entries(correlation).map(([k, c]) => [k, { r: c.r, n: c.n, note: c.note ?? null, pairs: c.pairs }]),
    ),
  };
}

/** Every series with how far it got. */
export function seriesSummaries(store: RunStore) {
  return listSeries(store).map((s) => {
    const runs = [...seriesRuns(store, s.id).values()];
    return {
      id: s.id,
      name: s.name,
      createdAt: s.createdAt,
      members: s.spec.checkpoints.length * s.spec.data.length,
      finished: runs.filter((r) => r.state === 'finished').length,
    };
  });
}
