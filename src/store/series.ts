/**
 * Checkpoint series in the runs store: a series row (one model, its checkpoints and data sets in
 * order, and the options) and its members, which are ordinary runs pointing back at it with their
 * index in the series' order. A series is found again by its key (content hashes and options), so
 * rerunning the same command takes up the series it left instead of starting another.
 */
import { randomUUID } from 'node:crypto';
import type { RunRow, RunStore } from './store';

export interface SeriesSpec {
  model: string;
  checkpoints: string[];
  data: string[];
  options: Record<string, unknown>;
}

export interface SeriesRow {
  id: string;
  key: string;
  name: string;
  modelId: string | null;
  spec: SeriesSpec;
  createdAt: string;
}

interface SeriesDbRow {
  id: string;
  key: string;
  name: string;
  model_id: string | null;
  spec: string;
  created_at: string;
}

const fromDb = (r: SeriesDbRow): SeriesRow => ({
  id: r.id,
  key: r.key,
  name: r.name,
  modelId: r.model_id,
  spec: JSON.parse(r.spec) as SeriesSpec,
  createdAt: r.created_at,
});

/** The series with this key, or a new one. `created` says which. */
export function openSeries(
  store: RunStore,
  s: { key: string; name: string; modelId: string | null; spec: SeriesSpec },
): { series: SeriesRow; created: boolean } {
  const found = store.db.prepare('SELECT * FROM series WHERE key = ?').get(s.key) as SeriesDbRow | undefined;
  if (found) return { series: fromDb(found), created: false };
  const id = randomUUID();
  store.db
    .prepare('INSERT INTO series (id, key, name, model_id, spec, created_at) VALUES (?, ?, ?, ?, ?, ?)')
    .run(id, s.key, s.name, s.modelId, JSON.stringify(s.spec), new Date().toISOString());
  return { series: getSeries(store, id) as SeriesRow, created: true };
}

/** A series by id or unique id prefix. */
export function getSeries(store: RunStore, id: string): SeriesRow | null {
  const rows = store.db.prepare('SELECT * FROM series WHERE id = ? OR id LIKE ? LIMIT 2').all(id, `${id}%`) as
    | SeriesDbRow[]
    | [];
  const exact = rows.find((r) => r.id === id);
  if (exact) return fromDb(exact);
  if (rows.length > 1) throw new Error(`The series id prefix '${id}' is ambiguous; give more characters.`);
  return rows[0] ? fromDb(rows[0]) : null;
}

export function listSeries(store: RunStore): SeriesRow[] {
  return (store.db.prepare('SELECT * FROM series ORDER BY created_at DESC').all() as SeriesDbRow[]).map(fromDb);
}

/**
 * Each member's run, by member index. Should a member have several runs (one deleted by hand and
 * recomputed, say), the finished one wins, then the latest.
 */
export function seriesRuns(store: RunStore, seriesId: string): Map<number, RunRow> {
  const rows = store.db
    .prepare("SELECT * FROM runs WHERE series_id = ? ORDER BY series_member, state = 'finished', created_at")
    .all(seriesId) as RunRow[];
  const out = new Map<number, RunRow>();
  for (const r of rows) if (r.series_member !== null) out.set(r.series_member, r);
  return out;
}
