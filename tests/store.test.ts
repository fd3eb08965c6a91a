/** The runs store: migrations, crash recovery after SIGKILL, and the runs CLI. */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { MIGRATIONS } from '../src/store/migrations';
import { RunStore } from '../src/store/store';
import { fixture, ROOT } from './helpers';

const dir = mkdtempSync(join(tmpdir(), 'saddle-store-'));
const saddle = (...args: string[]) =>
  spawnSync(process.execPath, [`${ROOT}/bin/saddle.mjs`, ...args], { encoding: 'utf8' });

describe('runs store', () => {
  it('migrates a new database to the latest schema and keeps data across opens', () => {
    const path = join(dir, 'a.db');
    const s = new RunStore(path);
    expect(s.schemaVersion).toBe(MIGRATIONS.length);
    const id = s.createRun({ kind: 'loss', options: { x: 1 } });
    s.putResult(id, 'value', { loss: 0.5 });
    s.finish(id, 'finished');
    s.close();
    const t = new RunStore(path);
    expect(t.getRun(id)?.results).toEqual({ value: { loss: 0.5 } });
    expect(t.getRun(id.slice(0, 8))?.run.state).toBe('finished');
    t.close();
  });

  it('refuses a database from a newer Saddle', () => {
    const path = join(dir, 'future.db');
    const db = new Database(path);
    db.exec('CREATE TABLE schema_version (version INTEGER NOT NULL); INSERT INTO schema_version VALUES (99);');
    db.close();
    expect(() => new RunStore(path)).toThrow(/schema version 99, newer than this Saddle/);
  });

  it('a SIGKILLed run is `crashed` at the next open, the database intact', async () => {
    const path = join(dir, 'kill.db');
    const child = spawn(process.execPath, [
      `${ROOT}/bin/saddle.mjs`,
      'hessian',
      fixture('demo', 'demo.onnx'),
      '--data',
      fixture('demo', 'demo-data.npz'),
      '--iterations',
      '2000',
      '--top-k',
      '1',
      '--density',
      '--runs',
      '50',
      '--db',
      path,
      '--threads',
      '1',
    ]);
    await new Promise<void>((resolve) => {
      child.stderr.on('data', (b: Buffer) => {
        if (String(b).includes('hessian eigenvalues')) resolve();
      });
    });
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));
    const store = new RunStore(path);
    expect(store.db.pragma('integrity_check', { simple: true })).toBe('ok');
    const runs = store.listRuns();
    expect(runs).toHaveLength(1);
    expect(runs[0].state).toBe('crashed');
    // It keeps the Ritz values Lanczos had when it was killed, and where it was.
    const partial = store.getRun(runs[0].id)?.results.partial as { top: number[]; topResiduals: number[] };
    expect(partial.top).toHaveLength(1);
    expect(Number.isFinite(partial.top[0])).toBe(true);
    expect(JSON.parse(runs[0].progress ?? '{}')).toMatchObject({ stage: 'eigenvalues', total: 2000 });
    store.close();
  });

  it('saddle hessian --db records a finished run that runs list/show/delete see', () => {
    const path = join(dir, 'cli.db');
    const r = saddle(
      'hessian',
      fixture('demo', 'demo.onnx'),
      '--data',
      fixture('demo', 'demo-data.npz'),
      '--top-k',
      '2',
      '--bottom-k',
      '0',
      '--iterations',
      '20',
      '--samples',
      '64',
      '--db',
      path,
      '--json',
    );
    expect(r.status, r.stderr).toBe(0);
    const list = JSON.parse(saddle('runs', 'list', '--db', path, '--json').stdout);
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ kind: 'hessian', state: 'finished' });
    const shown = JSON.parse(saddle('runs', 'show', list[0].id, '--db', path, '--json').stdout);
    expect(shown.results.spectrum.topEigenvalues).toEqual(JSON.parse(r.stdout).topEigenvalues);
    // A run still running in a live process (this one) is not deleted under its feet.
    const live = new RunStore(path);
    const busy = live.createRun({ kind: 'landscape', options: {} });
    const refused = saddle('runs', 'delete', busy, '--db', path);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(/is running in process \d+ on .*; stop it \(Ctrl-C\) before deleting it/);
    live.deleteRun(busy);
    live.close();
    expect(saddle('runs', 'delete', list[0].id.slice(0, 8), '--db', path).status).toBe(0);
    expect(JSON.parse(saddle('runs', 'list', '--db', path, '--json').stdout)).toEqual([]);
  });
});

describe('resuming a landscape', () => {
  it('a SIGKILLed landscape resumes from its points and equals an uninterrupted run', async () => {
    const args = [
      'landscape',
      fixture('demo', 'demo.onnx'),
      '--data',
      fixture('demo', 'demo-data.npz'),
      '--steps',
      '25',
      '--threads',
      '1',
      '--json',
    ];
    const clean = JSON.parse(saddle(...args).stdout);
    const path = join(dir, 'resume.db');
    const child = spawn(process.execPath, [`${ROOT}/bin/saddle.mjs`, ...args, '--db', path]);
    await new Promise<void>((resolve) => {
      child.stderr.on('data', (b: Buffer) => {
        // Progress lines come every 2 s off a terminal: kill at the first one.
        if (/points [1-9]\d+\/625/.test(String(b))) resolve();
      });
    });
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));
    const store = new RunStore(path);
    const [run] = store.listRuns();
    const partial = store.points(run.id).length;
    expect(run.state).toBe('crashed');
    expect(store.db.pragma('integrity_check', { simple: true })).toBe('ok');
    // The crashed run keeps its axes and partial points.
    const crashedGrid = store.getGrid(run.id);
    expect(crashedGrid?.complete).toBe(false);
    expect(Array.from(crashedGrid?.loss ?? []).filter((v) => !Number.isNaN(v))).toHaveLength(partial);
    store.close();
    expect(partial).toBeGreaterThan(5);
    expect(partial).toBeLessThan(625);
    const resumed = saddle('runs', 'resume', run.id, '--db', path, '--json');
    expect(resumed.status, resumed.stderr).toBe(0);
    const out = JSON.parse(resumed.stdout);
    expect(out.loss).toEqual(clean.loss);
    expect(out.accuracy).toEqual(clean.accuracy);
    const after = new RunStore(path);
    expect(after.getRun(run.id)?.run.state).toBe('finished');
    // Finished, the grid is packed into float32 BLOBs and the point journal is gone.
    const grid = after.getGrid(run.id);
    expect(grid?.complete).toBe(true);
    expect(Array.from(grid?.loss ?? [])).toEqual(clean.loss.flat().map(Math.fround));
    expect(after.points(run.id)).toHaveLength(0);
    after.close();
  });
});

describe('resuming a Hessian analysis from the CLI', () => {
  it('a SIGKILLed run keeps its eigenvalues and `runs resume` computes only the density, equal to a clean run', async () => {
    const args = [
      'hessian',
      fixture('demo', 'demo.onnx'),
      '--data',
      fixture('demo', 'demo-data.npz'),
      '--top-k',
      '2',
      '--bottom-k',
      '0',
      '--iterations',
      '30',
      '--density',
      '--runs',
      '8',
      '--samples',
      '64',
      '--threads',
      '1',
      '--backend',
      'cpu',
      '--json',
    ];
    const clean = JSON.parse(saddle(...args).stdout);
    const path = join(dir, 'resume-hessian.db');
    const child = spawn(process.execPath, [`${ROOT}/bin/saddle.mjs`, ...args, '--db', path]);
    let stderr = '';
    await new Promise<void>((resolve) => {
      child.stderr.on('data', (b: Buffer) => {
        stderr += String(b);
        if (stderr.includes('hessian density')) resolve();
      });
      child.once('exit', () => resolve());
    });
    expect(stderr, 'the run ended before its density stage started').toContain('hessian density');
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));
    const store = new RunStore(path);
    const [run] = store.listRuns();
    expect(run.state).toBe('crashed');
    expect(store.getRun(run.id)?.results.stages).toEqual({
      planned: ['eigenvalues', 'density'],
      done: ['eigenvalues'],
    });
    store.close();
    const resumed = saddle('runs', 'resume', run.id.slice(0, 8), '--db', path, '--json');
    expect(resumed.status, resumed.stderr).toBe(0);
    // The eigenvalues were not computed again: no eigenvalue progress line.
    expect(resumed.stderr).not.toMatch(/hessian eigenvalues/);
    const out = JSON.parse(resumed.stdout);
    expect(out.topEigenvalues).toEqual(clean.topEigenvalues);
    expect(out.density).toEqual(clean.density);
    expect(out.criteria).toEqual(clean.criteria);
    const after = new RunStore(path);
    expect(after.getRun(run.id)?.run.state).toBe('finished');
    after.close();
  }, 240_000);
});
