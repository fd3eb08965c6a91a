/**
 * A sharded checkpoint series, without a scheduler: 2 checkpoints × 2 data sets (fixtures/series/)
 * split 2 ways, each shard in its own database, merge into one series whose every member equals the
 * unsharded series' member number for number; a missing shard is named; `saddle slurm` accepts it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Shard } from '../src/analysis/shard';
import { parseInner, writeSlurm } from '../src/cli/cluster';
import { buildProgram } from '../src/cli/main';
import { type SeriesCliOptions, seriesCommand } from '../src/cli/series';
import { seriesShardMembers } from '../src/runs/series-shard';
import { seriesView } from '../src/runs/series-view';
import { mergeShards } from '../src/runs/shard-merge';
import { listSeries } from '../src/store/series';
import { RunStore } from '../src/store/store';
import { fixture } from './helpers';

const dir = mkdtempSync(join(tmpdir(), 'saddle-series-shard-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const model = fixture('series', 'mlp.onnx');
const checkpoints = ['epoch1.pt', 'epoch4.pt'].map((f) => fixture('series', f));
const data = ['train.npz', 'test.npz'].map((f) => fixture('series', f));

const options = (db: string, shard?: Shard): SeriesCliOptions => ({
  checkpoints: checkpoints.join(','),
  data,
  topK: 2,
  iterations: 20,
  runs: 2,
  khN: 0.5,
  loss: 'auto',
  batchSize: 64,
  seed: 0,
  bn: 'eval',
  threads: 1,
  backend: 'cpu',
  json: true,
  db,
  shard,
});

/** The one series in a database, as the app reads it. */
function theSeries(path: string) {
  const store = new RunStore(path);
  try {
    const all = listSeries(store);
    expect(all).toHaveLength(1);
    return seriesView(store, all[0].id);
  } finally {
    store.close();
  }
}

async function merge(out: string, shards: string[]) {
  const store = new RunStore(out);
  try {
    return await mergeShards(store, shards);
  } finally {
    store.close();
  }
}

beforeEach(() => {
  vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
});
afterEach(() => vi.restoreAllMocks());

describe('a sharded series', () => {
  it('splits the members checkpoint-major into contiguous ranges', () => {
    const ranges = [0, 1, 2].map((index) =>
      seriesShardMembers(checkpoints, data, { index, count: 3 }).map((m) => m.index),
    );
    expect(ranges).toEqual([[0], [1], [2, 3]]);
    expect(seriesShardMembers(checkpoints, data, null).map((m) => m.index)).toEqual([0, 1, 2, 3]);
  });

  it('merges 2 shards into exactly the unsharded series, and names a missing shard', async () => {
    const single = join(dir, 'single.db');
    await seriesCommand(model, options(single));
    const shards = [0, 1].map((index) => join(dir, `shard-${index}.db`));
    for (const [index, db] of shards.entries()) await seriesCommand(model, options(db, { index, count: 2 }));
    // Each shard computed its own two members only.
    expect(theSeries(shards[0]).members.map((m) => m.state)).toEqual(['finished', 'finished', null, null]);
    expect(theSeries(shards[1]).members.map((m) => m.state)).toEqual([null, null, 'finished', 'finished']);

    await expect(merge(join(dir, 'missing.db'), [shards[1]])).rejects.toThrow(/shard 0\/2 is missing/);

    const out = join(dir, 'merged.db');
    const summary = await merge(out, shards);
    expect(summary.kind).toBe('series');
    expect(summary.shards).toBe(2);
    const want = theSeries(single);
    const got = theSeries(out);
    expect(got.name).toBe(want.name);
    expect(got.checkpoints).toEqual(want.checkpoints);
    expect(got.data).toEqual(want.data);
    expect(got.options).toEqual(want.options);
    expect(got.members.map((m) => m.state)).toEqual(['finished', 'finished', 'finished', 'finished']);
    const numbers = (s: typeof want) => s.members.map(({ entry }) => ({ ...entry, runId: undefined }));
    // Every number, to the bit: loss, accuracy, eigenvalues, trace, criteria.
    expect(numbers(got)).toEqual(numbers(want));
    expect(numbers(got)[3].topEigenvalues).toHaveLength(2);
    expect(got.correlation).toEqual(want.correlation);
    // The merged `series` run lists every member's run, in order.
    const merged = new RunStore(out);
    try {
      expect(merged.getRun(summary.runId)?.results.members).toEqual(got.members.map((m) => m.runId));
    } finally {
      merged.close();
    }

    // A shard rerun into its file takes up its earlier run: still one shard 0 there, and it merges.
    await seriesCommand(model, options(shards[0], { index: 0, count: 2 }));
    const again = await merge(join(dir, 'merged-again.db'), shards);
    expect(again.shards).toBe(2);
  }, 120_000);

  it('needs a database to record a shard in', async () => {
    const { db: _db, ...noDb } = options('unused.db', { index: 0, count: 2 });
    await expect(seriesCommand(model, noDb)).rejects.toThrow(/--shard 0\/2 .*give --db/);
  });

  it('is a command saddle slurm splits', () => {
    const args = ['series', model, '--checkpoints', checkpoints.join(','), '--data', data[0], '--data', data[1]];
    const inner = parseInner(buildProgram(), [...args, '--db', join(dir, 'slurm-out.db')]);
    expect(inner.name).toBe('series');
    const files = writeSlurm(inner, { shards: 2, dir: join(dir, 'slurm') }, dir, ['saddle']);
    expect(files.shardDbs).toHaveLength(2);
  });
});
