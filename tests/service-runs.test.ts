/**
 * The engine's job queue and runs API, as the app and `saddle serve` use them: jobs run one at a
 * time in order, each recorded as a run (pending, running, then finished or cancelled), progress
 * carries the run id and partial results, and runs can be listed, opened, exported and deleted.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { EngineEvent } from '../src/api/contract';
import { dispatch } from '../src/api/dispatch';
import { SaddleService } from '../src/api/service';
import { JobQueue } from '../src/runs/queue';
import { type RunRow, RunStore } from '../src/store/store';
import { fixture, ROOT } from './helpers';

describe('JobQueue', () => {
  it('runs jobs one at a time in submission order; a job cancelled while waiting never starts', async () => {
    const queue = new JobQueue();
    const log: string[] = [];
    const job = (name: string, ms: number) =>
      queue.submit(name, async () => {
        log.push(`start ${name}`);
        await new Promise((r) => setTimeout(r, ms));
        log.push(`end ${name}`);
        return name;
      });
    const a = job('a', 30);
    const b = job('b', 1);
    const c = job('c', 1);
    expect(queue.list()).toEqual([
      { job: 'a', state: 'pending' },
      { job: 'b', state: 'pending' },
      { job: 'c', state: 'pending' },
    ]);
    expect(queue.cancel('b')).toBe(true);
    await expect(b).rejects.toThrow('The analysis was cancelled.');
    expect(await a).toBe('a');
    expect(await c).toBe('c');
    expect(log).toEqual(['start a', 'end a', 'start c', 'end c']);
    await expect(queue.submit('c', async () => 1)).resolves.toBe(1);
  });
});

describe('the engine records analyses as runs', () => {
  it('queues, cancels, records and exports, with progress tagged by run', async () => {
    const db = join(mkdtempSync(join(tmpdir(), 'saddle-service-')), 'runs.db');
    const store = new RunStore(db);
    const events: EngineEvent[] = [];
    const service = new SaddleService('serve', (e) => events.push(e), store);
    const call = async (method: string, payload: unknown) => {
      const r = await dispatch(service, method, payload);
      if (!r.ok) throw new Error(r.error.message);
      // biome-ignore lint/suspicious/noExplicitAny: the test reads results field by field.
      return r.result as any;
    };
    const { modelId } = await call('openDemo', {});
    const data = fixture('demo', 'demo-data.npz');
    const long = dispatch(service, 'hessian', {
      job: 'long',
      modelId,
      data,
      options: { topK: 1, bottomK: 0, iterations: 2000, density: true, runs: 50 },
    });
    const surface = call('landscape', {
      job: 'surface',
      modelId,
      data,
      samples: 64,
      options: { dims: 2, steps: 5, seed: 3 },
    });
    const doomed = dispatch(service, 'hessian', { job: 'doomed', modelId, data, options: { topK: 1 } });
    // Wait until the long job is computing, with its Ritz values streaming.
    await new Promise<void>((resolve) => {
      const check = () =>
        events.some((e) => e.type === 'progress' && e.job === 'long' && e.partial) ? resolve() : setTimeout(check, 20);
      check();
    });
    const states = Object.fromEntries(
      (await call('listRuns', {})).map((r: { kind: string; state: string; id: string }) => [r.id, r.state]),
    );
    expect(Object.values(states).sort()).toEqual(['pending', 'pending', 'running']);
    await expect(call('deleteRun', { id: Object.keys(states)[0] })).rejects.toThrow(/cancel it before deleting it/);

    expect(await call('cancel', { job: 'doomed' })).toEqual({ cancelled: true });
    expect(await call('cancel', { job: 'long' })).toEqual({ cancelled: true });
    expect((await long).ok).toBe(false);
    expect((await doomed).ok).toBe(false);
    const result = await surface;
    expect(result.runId).toMatch(/^[0-9a-f-]{36}$/);

    const runs = await call('listRuns', {});
    const byKind = (state: string) =>
      runs.filter((r: { state: string }) => r.state === state).map((r: { kind: string }) => r.kind);
    expect(byKind('cancelled').sort()).toEqual(['hessian', 'hessian']);
    expect(byKind('finished')).toEqual(['landscape']);
    // The job cancelled while waiting never started.
    const doomedRun = store.listRuns().find((r) => r.state === 'cancelled' && r.started_at === null);
    expect(doomedRun).toBeDefined();
    // The long job kept the Ritz values it had when cancelled.
    const longRun = store.listRuns().find((r) => r.state === 'cancelled' && r.started_at !== null);
    const partial = store.getRun(longRun?.id ?? '')?.results.partial as { top: number[] } | undefined;
    expect(partial?.top[0]).toBeGreaterThan(0);

    // Every point was streamed with its run id, and the recorded grid is what the job returned.
    const points = events.filter((e) => e.type === 'progress' && e.job === 'surface');
    expect(points).toHaveLength(25);
    expect(points.every((e) => e.type === 'progress' && e.runId === result.runId)).toBe(true);
    const view = await call('getRun', { id: result.runId.slice(0, 8) });
    expect(view.run.state).toBe('finished');
    expect(view.grids[0].loss).toEqual(result.loss.flat().map(Math.fround));
    expect(events.some((e) => e.type === 'runs-changed')).toBe(true);

    // The same surface from the CLI, with the same options and thread count, is the same surface.
    const cli = spawnSync(
      process.execPath,
      [
        `${ROOT}/bin/saddle.mjs`,
        'landscape',
        fixture('demo', 'demo.onnx'),
        '--data',
        data,
        '--samples',
        '64',
        '--steps',
        '5',
        '--seed',
        '3',
        '--json',
      ],
      { encoding: 'utf8' },
    );
    expect(JSON.parse(cli.stdout).loss).toEqual(result.loss);

    const png = await call('exportRun', { id: result.runId, format: 'png', figure: 'contour' });
    expect(png.encoding).toBe('base64');
    expect(png.fileName).toMatch(/^saddle-landscape-[0-9a-f]{8}\.png$/);
    expect(Buffer.from(png.content, 'base64').subarray(1, 4).toString()).toBe('PNG');
    const csv = await call('exportRun', { id: result.runId, format: 'csv' });
    expect(csv.content.split('\r\n')).toHaveLength(1 + 25 + 1);
    await expect(call('exportPdf', { id: result.runId })).rejects.toThrow(/PDF export needs the desktop app/);
    expect(await call('deleteRun', { id: result.runId })).toEqual({ deleted: true });
    expect((await call('listRuns', {})).map((r: { id: string }) => r.id)).not.toContain(result.runId);
    store.close();
  }, 120_000);

  it('a cancelled landscape resumes from its points to the grid an uninterrupted run gives', async () => {
    const db = join(mkdtempSync(join(tmpdir(), 'saddle-service-')), 'runs.db');
    const store = new RunStore(db);
    let points = 0;
    const service = new SaddleService(
      'serve',
      (e) => {
        if (e.type === 'progress' && e.job === 'cut' && e.partial) points++;
        if (points === 10) void service.cancel({ job: 'cut' });
      },
      store,
    );
    const { modelId } = await service.openDemo();
    const request = { modelId, data: fixture('demo', 'demo-data.npz'), batchSize: 128, samples: 64 };
    const options = { dims: 2 as const, steps: 9, seed: 5 };
    await expect(service.landscape({ ...request, job: 'cut', options })).rejects.toThrow(/cancelled/);
    const [cut] = store.listRuns();
    expect(cut.state).toBe('cancelled');
    const kept = store.points(cut.id).length;
    expect(kept).toBeGreaterThanOrEqual(10);
    expect(kept).toBeLessThan(81);
    const resumed = await service.resumeRun({ job: 'again', id: cut.id });
    expect(store.findRun(cut.id)?.state).toBe('finished');
    const whole = await service.landscape({ ...request, job: 'whole', options });
    expect(resumed.loss).toEqual(whole.loss);
    expect(Array.from(store.getGrid(cut.id)?.loss ?? [])).toEqual((whole.loss as number[][]).flat().map(Math.fround));
    await expect(service.resumeRun({ job: 'again', id: cut.id })).rejects.toThrow(/is finished; only crashed/);
    store.close();
  }, 120_000);

  it('a resume is a job like any other: pending in the queue, running with progress and ETA, cancellable', async () => {
    const db = join(mkdtempSync(join(tmpdir(), 'saddle-service-')), 'runs.db');
    const store = new RunStore(db);
    const events: EngineEvent[] = [];
    /** The run's state as each of the resume's points arrives. */
    const states: string[] = [];
    let points = 0;
    let cut: RunRow = { id: '' } as RunRow;
    const service = new SaddleService(
      'serve',
      (e) => {
        events.push(e);
        if (e.type === 'progress' && e.job === 'again') states.push(store.findRun(cut.id)?.state ?? '');
        if (e.type === 'progress' && e.job === 'cut' && e.partial && ++points === 5)
          void service.cancel({ job: 'cut' });
      },
      store,
    );
    const { modelId } = await service.openDemo();
    const request = { modelId, data: fixture('demo', 'demo-data.npz'), batchSize: 128, samples: 32 };
    const options = { dims: 2 as const, steps: 7, seed: 2 };
    await expect(service.landscape({ ...request, job: 'cut', options })).rejects.toThrow(/cancelled/);
    cut = store.listRuns()[0];
    const kept = store.points(cut.id).length;

    // Behind a running job, the resume waits `pending`; cancelled there, it never starts.
    const busy = service.hessian({ ...request, job: 'busy', options: { topK: 1, bottomK: 0, iterations: 200 } });
    const waiting = service.resumeRun({ job: 'wait', id: cut.id });
    expect(store.findRun(cut.id)?.state).toBe('pending');
    expect(await service.cancel({ job: 'wait' })).toEqual({ cancelled: true });
    await expect(waiting).rejects.toThrow('The analysis was cancelled.');
    expect(store.findRun(cut.id)?.state).toBe('cancelled');
    expect(store.points(cut.id)).toHaveLength(kept);
    await busy;

    // Taken up: `running` (and lists told so) while its points stream with an ETA.
    const before = events.length;
    await service.resumeRun({ job: 'again', id: cut.id });
    const mine = events.slice(before);
    const progress = mine.filter((e) => e.type === 'progress' && e.job === 'again');
    expect(progress).toHaveLength(49 - kept);
    expect(progress.every((e) => e.type === 'progress' && e.runId === cut.id && typeof e.etaSeconds === 'number')).toBe(
      true,
    );
    expect(new Set(states)).toEqual(new Set(['running']));
    // runs-changed when queued, when it starts running, and when it ends.
    expect(mine.filter((e) => e.type === 'runs-changed').length).toBeGreaterThanOrEqual(3);
    expect(store.findRun(cut.id)?.state).toBe('finished');
    store.close();
  }, 120_000);
});
