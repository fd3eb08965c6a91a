/**
 * A Hessian analysis as a run: its stages are recorded as they finish, so a cancelled run keeps and
 * exports what it finished (eigenvalues, density, LLA criteria) with the numbers an uninterrupted run
 * gives, and a resume computes only the stages it lacks, as a job with progress, state and Cancel.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { EngineEvent } from '../src/api/contract';
import { SaddleService } from '../src/api/service';
import { RunStore } from '../src/store/store';
import { fixture } from './helpers';

const options = { topK: 2, bottomK: 1, iterations: 30, density: true, runs: 2, perLayer: true, seed: 7 };

describe('a cancelled Hessian run', () => {
  it('keeps and exports its finished stages, and resumes only the stage it lacks', async () => {
    const store = new RunStore(join(mkdtempSync(join(tmpdir(), 'saddle-hessian-run-')), 'runs.db'));
    const events: EngineEvent[] = [];
    const service = new SaddleService(
      'serve',
      (e) => {
        events.push(e);
        // Cancelled by the user while the last stage (per-layer) runs.
        if (e.type === 'progress' && e.job === 'cut' && e.stage === 'per-layer') void service.cancel({ job: 'cut' });
      },
      store,
    );
    const { modelId } = await service.openDemo();
    const request = { modelId, data: fixture('demo', 'demo-data.npz'), batchSize: 128, samples: 64 };
    await expect(service.hessian({ ...request, job: 'cut', options })).rejects.toThrow('The analysis was cancelled.');
    const [cut] = store.listRuns();
    expect(cut.state).toBe('cancelled');
    const results = store.getRun(cut.id)?.results ?? {};
    expect(results.stages).toEqual({
      planned: ['eigenvalues', 'density', 'per-layer'],
      done: ['eigenvalues', 'density'],
    });

    // The same analysis without the unfinished stage, uninterrupted: the same numbers.
    const { perLayer: _p, ...finishedStages } = options;
    const whole = await service.hessian({ ...request, job: 'whole', options: finishedStages });
    const csv = await service.exportRun({ id: cut.id, format: 'csv' });
    expect(csv.content).toBe(
      `end,rank,eigenvalue,residual\r\n${[
        ...(whole.topEigenvalues as number[]).map(
          (v, k) => `top,${k + 1},${v},${(whole.residuals as { top: number[] }).top[k]}`,
        ),
        ...(whole.bottomEigenvalues as number[]).map(
          (v, k) => `bottom,${k + 1},${v},${(whole.residuals as { bottom: number[] }).bottom[k]}`,
        ),
      ].join('\r\n')}\r\n`,
    );
    const lla = await service.exportRun({ id: cut.id, format: 'lla' });
    expect(lla.content).toBe((await service.exportRun({ id: whole.runId as string, format: 'lla' })).content);
    const density = await service.exportRun({ id: cut.id, format: 'png' });
    expect(Buffer.from(density.content, 'base64').subarray(1, 4).toString()).toBe('PNG');
    await expect(service.exportRun({ id: cut.id, format: 'csv', table: 'per-layer' })).rejects.toThrow(
      /has no per-layer curvature/,
    );

    // Resumed: a queued job like any other, `running` while it computes the per-layer stage only.
    const seen: string[] = [];
    const before = events.length;
    const resumed = service.resumeRun({ job: 'again', id: cut.id });
    seen.push(store.findRun(cut.id)?.state ?? '');
    const done = await resumed;
    const mine = events.slice(before).filter((e) => e.type === 'progress' && e.job === 'again');
    expect(mine.length).toBeGreaterThan(0);
    expect(mine.every((e) => e.type === 'progress' && e.stage === 'per-layer' && e.runId === cut.id)).toBe(true);
    expect(seen[0]).toBe('pending');
    expect(store.findRun(cut.id)?.state).toBe('finished');
    expect(done.runId).toBe(cut.id);
    expect(done.topEigenvalues).toEqual(whole.topEigenvalues);
    expect(done.criteria).toEqual(whole.criteria);
    expect((done.perLayer as Array<{ name: string }>).map((b) => b.name)).toContain('conv1.weight');
    expect(store.getRun(cut.id)?.results.stages).toEqual({
      planned: ['eigenvalues', 'density', 'per-layer'],
      done: ['eigenvalues', 'density', 'per-layer'],
    });
    store.close();
  }, 120_000);
});
