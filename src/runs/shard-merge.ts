/**
 * `saddle runs merge OUT.db SHARD.db...`: the shards of one job (analysis/shard.ts), each recorded
 * in its own database, become one finished run equal to the run a single machine makes. Every shard
 * file is read through a snapshot (store/merge.ts), so the shard files are never modified; the
 * shards must share one job key (shard-job.ts) and cover every index once, else nothing is written
 * and the error names each missing or duplicated shard and the files involved.
 */
import { mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { mergeRuns } from '../store/merge';
import type { RunRow, RunStore } from '../store/store';
import { RunStore as Store } from '../store/store';
import type { ShardRecord } from './shard-job';
import { type ShardMerger, shardMergers } from './shard-merge-kinds';

/** One finished-or-not shard run found in one of the files. */
export interface ShardRun {
  file: string;
  store: RunStore;
  run: RunRow;
  record: ShardRecord;
  results: Record<string, unknown>;
}

export interface ShardMergeSummary {
  runId: string;
  kind: string;
  job: string;
  shards: number;
  /** Things worth knowing that do not stop the merge (shards on different thread counts). */
  notes: string[];
  summary: string;
}

/** Read every shard run of every file, each file through its own snapshot under `scratch`. */
async function readShards(files: string[], scratch: string): Promise<{ shards: ShardRun[]; stores: RunStore[] }> {
  const stores: RunStore[] = [];
  const shards: ShardRun[] = [];
  const seen = new Map<string, string>();
  for (const [n, file] of files.entries()) {
    let real: string;
    try {
      real = realpathSync(file);
    } catch {
      throw new Error(`The shard database '${file}' does not exist.`);
    }
    const again = seen.get(real);
    if (again) throw new Error(`The shard database '${file}' is given twice (also as '${again}'); give each once.`);
    seen.set(real, file);
    const store = new Store(join(scratch, `${n}.db`), { recover: false });
    stores.push(store);
    await mergeRuns(store, file);
    const found = store
      .listRuns()
      .map((run) => ({ run, results: store.getRun(run.id)?.results ?? {} }))
      .filter((r) => r.results.shard);
    if (!found.length) throw new Error(`'${file}' holds no shard run (one recorded with --shard I/N).`);
    for (const r of found) shards.push({ file, store, ...r, record: r.results.shard as ShardRecord });
  }
  return { shards, stores };
}

const short = (job: string) => job.slice(0, 8);

/** The one job all shards belong to, or an error that lists the jobs found and where. */
function oneJob(shards: ShardRun[]): { job: string; kind: string; count: number } {
  const jobs = new Map<string, ShardRun[]>();
  for (const s of shards) jobs.set(s.record.job, [...(jobs.get(s.record.job) ?? []), s]);
  if (jobs.size > 1) {
    const list = [...jobs.entries()].map(
      ([job, ss]) =>
        `job ${short(job)} (${ss[0].record.kind}; ${[...new Set(ss.map((s) => basename(s.file)))].join(', ')})`,
    );
    throw new Error(
      `The shards belong to ${jobs.size} jobs, not one: ${list.join('; ')}. Their model, weights, data or options differ; merge each job's shards separately.`,
    );
  }
  const counts = new Set(shards.map((s) => s.record.count));
  if (counts.size > 1)
    throw new Error(
      `The shards split the job ${[...counts].join(' and ')} ways (${shards.map((s) => `${basename(s.file)}: ${s.record.index}/${s.record.count}`).join(', ')}); all shards of a job use one N.`,
    );
  return { job: shards[0].record.job, kind: shards[0].record.kind, count: shards[0].record.count };
}

/** Shard i's one finished run; every missing or duplicated index reported together. */
function coverEveryIndex(shards: ShardRun[], count: number): ShardRun[] {
  const problems: string[] = [];
  const chosen: ShardRun[] = [];
  for (let i = 0; i < count; i++) {
    const all = shards.filter((s) => s.record.index === i);
    const finished = all.filter((s) => s.run.state === 'finished');
    if (finished.length === 1) chosen.push(finished[0]);
    else if (finished.length > 1)
      problems.push(
        `shard ${i}/${count} is duplicated: ${finished.map((s) => `run ${s.run.id.slice(0, 8)} in ${s.file}`).join(' and ')}; give one of them`,
      );
    else
      problems.push(
        `shard ${i}/${count} is missing${all.length ? ` (${all.map((s) => `${s.file} holds it ${s.run.state}`).join(', ')})` : ''}`,
      );
  }
  if (problems.length)
    throw new Error(
      `Cannot merge the ${shards[0].record.kind} job ${short(shards[0].record.job)}: ${problems.join('; ')}. A missing shard can be re-run alone: the job's command with --shard I/${count} and its own --db, then merge again.`,
    );
  return chosen;
}

/** Threads and backends that differ across shards change sums' rounding, not the method: a note. */
function environmentNotes(shards: ShardRun[]): string[] {
  const notes: string[] = [];
  const env = (s: ShardRun) => (s.results.environment ?? {}) as { threads?: number; backend?: string };
  for (const key of ['threads', 'backend'] as const) {
    const values = new Set(shards.map((s) => String(env(s)[key])));
    if (values.size > 1)
      notes.push(
        `The shards ran with different ${key} (${[...values].join(', ')}): sums are then added in another order, so values may differ from a single run's in the last bits.`,
      );
  }
  return notes;
}

/** The catalog rows (model, checkpoint, data set) a run refers to, copied so its foreign keys hold. */
function copyCatalog(from: RunStore, to: RunStore, run: RunRow): void {
  const copy = (table: string, id: string | null) => {
    if (!id) return;
    const row = from.db.prepare(`SELECT * FROM ${table} WHERE id = ?`).get(id) as Record<string, unknown> | undefined;
    if (!row) return;
    const cols = Object.keys(row);
    to.db
      .prepare(`INSERT OR IGNORE INTO ${table} (${cols.join(', ')}) VALUES (${cols.map(() => '?').join(', ')})`)
      .run(...cols.map((c) => row[c]));
  };
  copy('models', run.model_id);
  copy('checkpoints', run.checkpoint_id);
  copy('datasets', run.dataset_id);
}

/** Results a shard records about itself, not about the job. */
const SHARD_OWN = new Set(['environment', 'shard', 'stages', 'spectrum', 'partial']);

function writeMerged(target: RunStore, shards: ShardRun[], job: string, merger: ShardMerger): string {
  const first = shards[0];
  const options = first.record.options;
  return target.db.transaction(() => {
    copyCatalog(first.store, target, first.run);
    const id = target.createRun({
      kind: first.run.kind,
      name: `${first.run.name.replace(/ shard \d+\/\d+$/, '')} (${shards.length} shards merged)`,
      modelId: first.run.model_id ?? undefined,
      checkpointId: first.run.checkpoint_id ?? undefined,
      datasetId: first.run.dataset_id ?? undefined,
      dataPath: first.run.data_path ?? undefined,
      weightsPath: first.run.weights_path ?? undefined,
      options,
      seed: first.run.seed ?? undefined,
      state: 'finished',
    });
    for (const [key, value] of Object.entries(first.results)) if (!SHARD_OWN.has(key)) target.putResult(id, key, value);
    target.putResult(id, 'environment', {
      merged: shards.map((s) => ({ shard: s.record.index, ...(s.results.environment as object) })),
    });
    target.putResult(id, 'shards', {
      job,
      count: shards.length,
      sources: shards.map((s) => ({
        index: s.record.index,
        file: s.file,
        run: s.run.id,
        host: s.run.host,
        seconds: s.run.seconds,
      })),
    });
    merger(target, id, shards, options);
    // The compute time of the job: what its shards spent together.
    const seconds = shards.reduce((a, s) => a + (s.run.seconds ?? 0), 0);
    target.db.prepare('UPDATE runs SET seconds = ? WHERE id = ?').run(seconds, id);
    return id;
  })();
}

/** Merge the shards in `files` into one finished run in `target`. Nothing is written on any error. */
export async function mergeShards(target: RunStore, files: string[]): Promise<ShardMergeSummary> {
  if (!files.length) throw new Error('Give the shard databases to merge.');
  const scratch = mkdtempSync(join(tmpdir(), 'saddle-shards-'));
  let stores: RunStore[] = [];
  try {
    const read = await readShards(files, scratch);
    stores = read.stores;
    const { job, kind, count } = oneJob(read.shards);
    const merger = shardMergers[kind];
    if (!merger)
      throw new Error(
        `Runs of kind '${kind}' cannot be merged from shards; Saddle merges ${Object.keys(shardMergers).join(', ')}.`,
      );
    const shards = coverEveryIndex(read.shards, count);
    const runId = writeMerged(target, shards, job, merger);
    return {
      runId,
      kind,
      job,
      shards: count,
      notes: environmentNotes(shards),
      summary: `merged ${count} shard(s) of ${kind} job ${short(job)} into run ${runId.slice(0, 8)}`,
    };
  } finally {
    for (const s of stores) s.close();
    rmSync(scratch, { recursive: true, force: true });
  }
}
