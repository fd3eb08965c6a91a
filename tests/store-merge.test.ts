/**
 * Merging another runs database (a GPU server's saddle.db) into this one: runs, results, grids and
 * catalog rows arrive, an older schema is upgraded on a snapshot, the source file is left byte for
 * byte as it was, writes still in its WAL are seen, and merging twice adds nothing.
 */
import { createHash } from 'node:crypto';
import { copyFileSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { mergeRuns } from '../src/store/merge';
import { listSeries, openSeries, seriesRuns } from '../src/store/series';
import { RunStore } from '../src/store/store';
import { fixture } from './helpers';

const dir = mkdtempSync(join(tmpdir(), 'saddle-merge-test-'));
const sha = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

describe('merging runs databases', () => {
  it('brings a version-1 database in without touching it; a second merge adds nothing', async () => {
    const source = join(dir, 'server.db');
    copyFileSync(fixture('store', 'v1.db'), source);
    const before = sha(source);
    const target = new RunStore(join(dir, 'app.db'));
    const mine = target.createRun({ kind: 'loss', options: {} });
    target.finish(mine, 'finished');
    expect(await mergeRuns(target, source)).toEqual({ added: 2, skipped: 0 });
    expect(sha(source)).toBe(before);
    const runs = target.listRuns();
    expect(runs.map((r) => r.kind).sort()).toEqual(['hessian', 'landscape', 'loss']);
    const landscape = runs.find((r) => r.kind === 'landscape');
    expect(target.getGrid(landscape?.id ?? '')?.loss).toHaveLength(25);
    const hessian = runs.find((r) => r.kind === 'hessian');
    expect(target.getRun(hessian?.id ?? '')?.results.spectrum).toHaveProperty('topEigenvalues');
    expect(await mergeRuns(target, source)).toEqual({ added: 0, skipped: 2 });
    expect(target.db.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(target.db.pragma('foreign_key_check')).toEqual([]);
    target.close();
  });

  it('sees runs still in the source WAL (a process has it open)', async () => {
    const live = new RunStore(join(dir, 'live.db'));
    const id = live.createRun({ kind: 'landscape', options: {} });
    live.putGridAxes(id, 'surface', [0, 1], null, {});
    live.putPoint(id, 0, 0, 1.5, null);
    const target = new RunStore(join(dir, 'app2.db'));
    expect(await mergeRuns(target, join(dir, 'live.db'))).toEqual({ added: 1, skipped: 0 });
    expect(target.points(id)).toEqual([{ i: 0, j: 0, loss: 1.5, accuracy: null }]);
    live.close();
    target.close();
  });

  it('refuses a foreign SQLite file and one from a newer Saddle, naming the file', async () => {
    const target = new RunStore(join(dir, 'app3.db'));
    const foreign = join(dir, 'foreign.db');
    new Database(foreign).exec('CREATE TABLE t (x); INSERT INTO t VALUES (1);');
    await expect(mergeRuns(target, foreign)).rejects.toThrow(
      /Saddle runs database reader: it is an SQLite database, but not a Saddle runs database .*foreign\.db/,
    );
    const future = join(dir, 'future.db');
    new Database(future).exec(
      'CREATE TABLE schema_version (version INTEGER NOT NULL); INSERT INTO schema_version VALUES (99);',
    );
    await expect(mergeRuns(target, future)).rejects.toThrow(/schema version 99, newer than this Saddle.*future\.db/);
    expect(target.listRuns()).toEqual([]);
    target.close();
  });
});

describe('merging checkpoint series', () => {
  it('brings series along, and members of a series both databases have join the one here', async () => {
    const spec = { model: 'm.onnx', checkpoints: ['a.pt'], data: ['d.npz'], options: {} };
    const make = (path: string, member: number) => {
      const store = new RunStore(path);
      const { series } = openSeries(store, { key: 'same-inputs', name: 'series m.onnx', modelId: null, spec });
      const other = openSeries(store, { key: `only-in-${member}`, name: 'other', modelId: null, spec }).series;
      const id = store.createRun({ kind: 'hessian', options: {}, series: { id: series.id, member } });
      store.finish(id, 'finished');
      const lone = store.createRun({ kind: 'hessian', options: {}, series: { id: other.id, member: 0 } });
      store.finish(lone, 'finished');
      return { store, series, id };
    };
    const server = make(join(dir, 'series-server.db'), 1);
    server.store.close();
    const app = make(join(dir, 'series-app.db'), 0);
    expect(await mergeRuns(app.store, join(dir, 'series-server.db'))).toEqual({ added: 2, skipped: 0 });
    // One series per key: the server's member 1 is now a member of this database's series.
    expect(
      listSeries(app.store)
        .map((s) => s.key)
        .sort(),
    ).toEqual(['only-in-0', 'only-in-1', 'same-inputs']);
    const members = seriesRuns(app.store, app.series.id);
    expect([...members.keys()]).toEqual([0, 1]);
    expect(members.get(1)?.id).toBe(server.id);
    expect(app.store.db.pragma('foreign_key_check')).toEqual([]);
    app.store.close();
  });
});
