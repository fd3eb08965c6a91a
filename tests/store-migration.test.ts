/**
 * Upgrading a runs database written by schema version 1 (fixtures/store/v1.db, made by the Saddle of
 * commit 8a54832): every run, result and landscape value survives, grids move from JSON into BLOBs,
 * and the upgraded runs export like new ones.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { MIGRATIONS } from '../src/store/migrations';
import { RunStore } from '../src/store/store';
import { fixture, ROOT } from './helpers';

describe('schema migration', () => {
  it('upgrades a version-1 database without losing a number', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'saddle-migrate-')), 'v1.db');
    copyFileSync(fixture('store', 'v1.db'), path);
    // What version 1 holds, read with plain SQL before Saddle touches it.
    const old = new Database(path, { readonly: true });
    expect(old.prepare('SELECT version FROM schema_version').get()).toEqual({ version: 1 });
    const oldRuns = old.prepare('SELECT id, kind, state, options FROM runs ORDER BY kind').all() as Array<{
      id: string;
      kind: string;
    }>;
    const oldSpectrum = old.prepare("SELECT json FROM results WHERE key = 'spectrum'").get() as { json: string };
    const oldGrid = JSON.parse(
      (old.prepare("SELECT json FROM results WHERE key = 'grid'").get() as { json: string }).json,
    ) as { x: number[]; y: number[]; loss: number[][]; accuracy: number[][]; directions: unknown };
    old.close();
    expect(oldRuns.map((r) => r.kind)).toEqual(['hessian', 'landscape']);

    const store = new RunStore(path);
    expect(store.schemaVersion).toBe(MIGRATIONS.length);
    expect(store.db.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(
      store
        .listRuns()
        .map((r) => [r.id, r.kind, r.state])
        .sort(),
    ).toEqual(oldRuns.map((r) => [r.id, r.kind, 'finished']).sort());
    // Version 1 had no duration column: it is derived from the timestamps.
    for (const r of store.listRuns()) expect(r.seconds).toBeGreaterThan(0);
    const hessian = store.getRun(oldRuns[0].id);
    expect(hessian?.results.spectrum).toEqual(JSON.parse(oldSpectrum.json));
    const landscape = oldRuns[1].id;
    const grid = store.getGrid(landscape);
    expect(grid?.complete).toBe(true);
    expect(grid?.x).toEqual(oldGrid.x);
    expect(grid?.y).toEqual(oldGrid.y);
    expect(Array.from(grid?.loss ?? [])).toEqual(oldGrid.loss.flat().map(Math.fround));
    expect(Array.from(grid?.accuracy ?? [])).toEqual(oldGrid.accuracy.flat().map(Math.fround));
    expect(grid?.meta.directions).toEqual(oldGrid.directions);
    // The JSON copy and the point journal are gone: the BLOBs are the grid now.
    expect(store.getRun(landscape)?.results.grid).toBeUndefined();
    expect(store.points(landscape)).toHaveLength(0);
    store.close();

    // Opening again is a no-op, and the upgraded runs export.
    expect(new RunStore(path).schemaVersion).toBe(MIGRATIONS.length);
    const csv = spawnSync(
      process.execPath,
      [`${ROOT}/bin/saddle.mjs`, 'runs', 'export', landscape, '--format', 'csv', '--db', path],
      { encoding: 'utf8' },
    );
    expect(csv.status, csv.stderr).toBe(0);
    expect(csv.stdout.trim().split('\r\n')).toHaveLength(1 + 25);
  });

  it('a failing migration leaves the previous version whole', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'saddle-migrate-')), 'v1.db');
    copyFileSync(fixture('store', 'v1.db'), path);
    // A version-2 table already there makes migration 2 fail halfway through its SQL.
    const db = new Database(path);
    db.exec('CREATE TABLE vectors (x INTEGER)');
    db.close();
    expect(() => new RunStore(path)).toThrow(/vectors already exists/);
    const after = new Database(path, { readonly: true });
    expect(after.prepare('SELECT version FROM schema_version').get()).toEqual({ version: 1 });
    expect(after.prepare("SELECT COUNT(*) AS n FROM results WHERE key = 'grid'").get()).toEqual({ n: 1 });
    expect(after.prepare('SELECT COUNT(*) AS n FROM sqlite_master WHERE name = ?').get('checkpoints')).toEqual({
      n: 0,
    });
    after.close();
  });
});
