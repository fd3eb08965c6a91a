/**
 * Runs as the runs table lists them: what each was computed from (model, weights, data set, their
 * content hashes), how many samples, its options, the backend it ran on, its series, and timing.
 * One query for the rows and one for the results the table needs, whatever the number of runs.
 */
import type { RunSummary } from '../api/contract';
import type { RunRow, RunStore } from '../store/store';

export function runSummary(r: RunRow, results: { environment?: unknown; loss?: unknown } = {}): RunSummary {
  const options = JSON.parse(r.options) as Record<string, unknown>;
  const env = (results.environment ?? {}) as { backend?: unknown };
  const loss = (results.loss ?? {}) as { samples?: unknown };
  const samples = typeof options.samples === 'number' ? options.samples : null;
  return {
    id: r.id,
    name: r.name,
    kind: r.kind,
    state: r.state,
    createdAt: r.created_at,
    startedAt: r.started_at,
    seconds: r.seconds,
    error: r.error,
    model: typeof options.model === 'string' ? options.model : null,
    weights: r.weights_path,
    data: r.data_path,
    samples: samples ?? (typeof loss.samples === 'number' ? loss.samples : null),
    backend: typeof env.backend === 'string' ? env.backend : null,
    options,
    hashes: { model: r.model_id, weights: r.checkpoint_id, data: r.dataset_id },
    seriesId: r.series_id ?? null,
    seriesMember: r.series_member ?? null,
  };
}

export function runSummaries(store: RunStore): RunSummary[] {
  const rows = store.listRuns();
  const results = new Map<string, Record<string, unknown>>();
  const stored = store.db
    .prepare("SELECT run_id, key, json FROM results WHERE key IN ('environment', 'loss') AND json IS NOT NULL")
    .all() as Array<{ run_id: string; key: string; json: string }>;
  for (const s of stored) {
    const m = results.get(s.run_id) ?? {};
    m[s.key] = JSON.parse(s.json);
    results.set(s.run_id, m);
  }
  return rows.map((r) => runSummary(r, results.get(r.id)));
}
