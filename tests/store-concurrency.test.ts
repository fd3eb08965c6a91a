/**
 * Two processes on one runs database at once (the app and a CLI run, say): WAL lets readers go on
 * while one writes, the busy timeout queues the writers, and no write is lost.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RunStore } from '../src/store/store';
import { fixture, ROOT } from './helpers';

function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [`${ROOT}/bin/saddle.mjs`, ...args]);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b) => {
      stdout += b;
    });
    child.stderr.on('data', (b) => {
      stderr += b;
    });
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('one database, several processes', () => {
  it('two CLI landscapes and this process write at once; every point and row arrives', async () => {
    const db = join(mkdtempSync(join(tmpdir(), 'saddle-concurrent-')), 'shared.db');
    const args = (seed: string) => [
      'landscape',
      fixture('demo', 'demo.onnx'),
      '--data',
      fixture('demo', 'demo-data.npz'),
      '--samples',
      '64',
      '--steps',
      '9',
      '--seed',
      seed,
      '--threads',
      '1',
      '--db',
      db,
      '--json',
    ];
    // The store exists before the children start, so all three race on writes, not on creation.
    const store = new RunStore(db);
    const children = Promise.all([run(args('1')), run(args('2'))]);
    let finished = false;
    void children.then(() => {
      finished = true;
    });
    // Meanwhile this process records runs of its own, each with many results, in transactions.
    let mine = 0;
    while (!finished || mine < 20) {
      const id = store.createRun({ kind: 'loss', options: { n: mine } });
      store.db.transaction(() => {
        for (let k = 0; k < 20; k++) store.putResult(id, `r${k}`, { k, mine });
      })();
      store.finish(id, 'finished');
      mine++;
      await new Promise((r) => setTimeout(r, 5));
    }
    const [a, b] = await children;
    expect(a.code, a.stderr).toBe(0);
    expect(b.code, b.stderr).toBe(0);
    const runs = store.listRuns();
    const landscapes = runs.filter((r) => r.kind === 'landscape');
    expect(landscapes.map((r) => r.state)).toEqual(['finished', 'finished']);
    for (const [r, out] of [
      [landscapes.find((l) => JSON.parse(l.options).seed === 1), a],
      [landscapes.find((l) => JSON.parse(l.options).seed === 2), b],
    ] as const) {
      const grid = store.getGrid(r?.id ?? '');
      expect(grid?.complete).toBe(true);
      expect(Array.from(grid?.loss ?? [])).toEqual(JSON.parse(out.stdout).loss.flat().map(Math.fround));
    }
    const losses = runs.filter((r) => r.kind === 'loss');
    expect(losses).toHaveLength(mine);
    const rows = store.db.prepare(
      'SELECT COUNT(*) AS n FROM results WHERE run_id IN (SELECT id FROM runs WHERE kind = ?)',
    );
    expect(rows.get('loss')).toEqual({ n: 20 * mine });
    expect(store.db.pragma('integrity_check', { simple: true })).toBe('ok');
    store.close();
  }, 120_000);
});
