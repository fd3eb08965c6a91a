/**
 * Which job a shard belongs to. Every shard records, beside its index, a job key: a hash over what
 * determines the numbers — the kind, the model, weights and data by content (the catalog's sha256),
 * any further checkpoint files by content, and the options — leaving out only what says where and
 * how a shard runs (its index, its database, JSON output, thread count). `saddle runs merge` puts
 * together only shards with one key.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Shard } from '../analysis/shard';
import type { RunStore } from '../store/store';

/** Options that do not change a shard's numbers, or are paths whose content is hashed instead. */
const NOT_IN_KEY = new Set([
  'shard',
  'db',
  'json',
  'threads',
  'model',
  'data',
  'weights',
  'from',
  'to',
  'third',
  'checkpoints',
]);

/** What a shard records as its result `shard`. */
export interface ShardRecord extends Shard {
  job: string;
  kind: string;
  /** The job's options (the shard's, less `shard`): what the merged run records. */
  options: Record<string, unknown>;
}

/** JSON with object keys sorted at every depth, so equal options hash equally. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object')
    return `{${Object.keys(value)
      .sort()
      .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return JSON.stringify(value);
}

const sha256 = (data: string | Uint8Array) => createHash('sha256').update(data).digest('hex');

/** The checkpoint files an option names beyond --weights (interpolate's --to/--third, trajectory's list). */
export function extraCheckpointFiles(options: Record<string, unknown>): string[] {
  const files: string[] = [];
  for (const k of ['from', 'to', 'third']) if (typeof options[k] === 'string') files.push(options[k] as string);
  if (typeof options.checkpoints === 'string')
    files.push(
      ...options.checkpoints
        .split(',')
        .map((p) => p.trim())
        .filter(Boolean),
    );
  return files;
}

/** The job key of run `runId` (recorded with its inputs already registered by content). */
export function jobKey(store: RunStore, runId: string): ShardRecord['job'] {
  const run = store.getRun(runId)?.run;
  if (!run) throw new Error(`No run '${runId}' to key.`);
  const options = JSON.parse(run.options) as Record<string, unknown>;
  const kept = Object.fromEntries(Object.entries(options).filter(([k]) => !NOT_IN_KEY.has(k)));
  return sha256(
    canonicalJson({
      kind: run.kind,
      model: run.model_id,
      weights: run.checkpoint_id,
      data: run.dataset_id,
      checkpoints: extraCheckpointFiles(options).map((f) => sha256(readFileSync(f))),
      options: kept,
    }),
  );
}

/** Record a new run's shard: its index, count and job key. */
export function recordShard(store: RunStore, runId: string, shard: Shard): void {
  const run = store.getRun(runId)?.run;
  if (!run) throw new Error(`No run '${runId}' to mark as a shard.`);
  const { shard: _s, ...options } = JSON.parse(run.options) as Record<string, unknown>;
  const record: ShardRecord = {
    index: shard.index,
    count: shard.count,
    job: jobKey(store, runId),
    kind: run.kind,
    options,
  };
  store.putResult(runId, 'shard', record);
}
