/**
 * A checkpoint series split over machines. Shard I of N computes the members in its contiguous range
 * of `seriesMembers` (shareIndices, as grids split their points), each a whole run of the series in
 * the shard's own database. Beside them the shard records one run of kind `series`: its shard record
 * (index, count, and the series key as the job key: the series' inputs by content and its options)
 * finished once every member of its range is. `saddle runs merge` then copies each shard's members
 * into the target and joins them to one series there, equal to the series one machine computes.
 */
import { basename } from 'node:path';
import { type Shard, shardLabel, shareIndices } from '../analysis/shard';
import { getSeries, openSeries, type SeriesRow, seriesRuns } from '../store/series';
import type { RunStore } from '../store/store';
import { recorded } from './recorder';
import { runSeriesMembers, type SeriesContext, type SeriesEntry, seriesMembers } from './series-run';
import type { ShardRecord } from './shard-job';
import type { ShardRun } from './shard-merge';

/** The members shard `shard` computes, in the series' order. */
export function seriesShardMembers(checkpoints: string[], data: string[], shard: Shard | null) {
  const all = seriesMembers(checkpoints, data);
  return shareIndices(all.length, shard).map((k) => all[k]);
}

/** Compute this shard's members into `ctx.store`, recorded under one `series` run holding the shard. */
export async function runSeriesShard(
  ctx: SeriesContext & { store: RunStore; series: SeriesRow },
  shard: Shard,
): Promise<SeriesEntry[]> {
  const { spec } = ctx.series;
  const members = seriesShardMembers(spec.checkpoints, spec.data, shard);
  const options = { model: spec.model, checkpoints: spec.checkpoints, data: spec.data, ...spec.options };
  // A rerun of the shard takes up its earlier run (its finished members are skipped), so the file
  // never holds the shard twice.
  const earlier = ctx.store
    .listRuns()
    .filter((r) => r.kind === 'series' && r.state !== 'running' && r.state !== 'pending')
    .find((r) => {
      const rec = ctx.store.getRun(r.id)?.results.shard as ShardRecord | undefined;
      return rec?.job === ctx.series.key && rec.index === shard.index && rec.count === shard.count;
    });
  return recorded(
    ctx.store,
    {
      kind: 'series',
      name: `${ctx.series.name} shard ${shardLabel(shard)}`,
      modelPath: spec.model,
      options,
      seed: typeof spec.options.seed === 'number' ? spec.options.seed : undefined,
    },
    async (rec) => {
      const id = rec?.id as string;
      const record: ShardRecord = {
        index: shard.index,
        count: shard.count,
        job: ctx.series.key,
        kind: 'series',
        options,
      };
      rec?.result('shard', record);
      rec?.result('series', { id: ctx.series.id, key: ctx.series.key, members: members.length });
      const entries = await runSeriesMembers(ctx, members);
      ctx.store.putResult(
        id,
        'members',
        entries.map((e) => e.runId ?? null),
      );
      return entries;
    },
    earlier?.id,
  );
}

/** Every column of `table`'s rows matching `where`, copied from one store to another. */
function copyRows(from: RunStore, to: RunStore, table: string, where: string, arg: unknown, set = {}): void {
  const rows = from.db.prepare(`SELECT * FROM ${table} WHERE ${where} = ?`).all(arg) as Record<string, unknown>[];
  for (const r of rows) {
    const row = { ...r, ...set };
    const cols = Object.keys(row);
    to.db
      .prepare(`INSERT OR IGNORE INTO ${table} (${cols.join(', ')}) VALUES (${cols.map(() => '?').join(', ')})`)
      .run(...cols.map((c) => row[c as keyof typeof row]));
  }
}

/**
 * The series merger: each shard's members of its range (each a finished run) copied with their
 * results, points, grids and vectors into `target`, joined to the target's series of the same key
 * (made from the shard's row if the target has none). The merged `series` run names that series.
 */
export function mergeSeriesShards(target: RunStore, id: string, shards: ShardRun[]): void {
  const label = (s: ShardRun) => `shard ${s.record.index}/${s.record.count} (${s.file})`;
  let joined: SeriesRow | null = null;
  for (const s of shards) {
    const own = (s.results.series ?? {}) as { id?: string };
    const row = own.id ? getSeries(s.store, own.id) : null;
    if (!row) throw new Error(`${label(s)} names no series it belongs to.`);
    joined ??= openSeries(target, { key: row.key, name: row.name, modelId: row.modelId, spec: row.spec }).series;
    const members = seriesMembers(row.spec.checkpoints, row.spec.data);
    const runs = seriesRuns(s.store, row.id);
    for (const k of shareIndices(members.length, s.record)) {
      const run = runs.get(k);
      if (run?.state !== 'finished')
        throw new Error(
          `${label(s)} is finished but its member ${k + 1} (${basename(members[k].checkpoint)} on ${basename(members[k].data)}) is ${run ? run.state : 'absent'}.`,
        );
      for (const [table, col] of [
        ['models', run.model_id],
        ['checkpoints', run.checkpoint_id],
        ['datasets', run.dataset_id],
      ] as const)
        if (col) copyRows(s.store, target, table, 'id', col);
      copyRows(s.store, target, 'runs', 'id', run.id, { series_id: joined.id });
      for (const table of ['results', 'points', 'grids', 'vectors']) copyRows(s.store, target, table, 'run_id', run.id);
    }
  }
  const series = joined as SeriesRow;
  const runs = seriesRuns(target, series.id);
  const count = series.spec.checkpoints.length * series.spec.data.length;
  target.putResult(id, 'series', { id: series.id, key: series.key, members: count });
  // Shard 0's list of its members' runs (copied as a result) becomes the whole series' list.
  target.putResult(
    id,
    'members',
    Array.from({ length: count }, (_v, k) => runs.get(k)?.id ?? null),
  );
}
