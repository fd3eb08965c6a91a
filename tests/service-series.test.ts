/**
 * A checkpoint series from the app's side of the contract: queued as one job with progress tagged by
 * member run, read back with every member's numbers (checked against the float64 references), found
 * again (a second request computes nothing), listed, and refused whole when a file does not fit.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { EngineEvent, RunSummary, RunView, SeriesView } from '../src/api/contract';
import { dispatch } from '../src/api/dispatch';
import { SaddleService } from '../src/api/service';
import { RunStore } from '../src/store/store';
import { fixture, readJson } from './helpers';

const ref = readJson<{ members: Array<{ checkpoint: string; data: string; loss: number; topEigenvalues: number[] }> }>(
  fixture('series', 'series-ref.json'),
);

describe('the series API', () => {
  it('runs a series as a job, reads it back, resumes it, and refuses files that do not fit', async () => {
    const store = new RunStore(join(mkdtempSync(join(tmpdir(), 'saddle-service-series-')), 'runs.db'));
    const events: EngineEvent[] = [];
    const service = new SaddleService('serve', (e) => events.push(e), store);
    const call = async (method: string, payload: unknown) => {
      const r = await dispatch(service, method, payload);
      if (!r.ok) throw new Error(r.error.message);
      // biome-ignore lint/suspicious/noExplicitAny: the test reads results field by field.
      return r.result as any;
    };
    const { modelId } = await call('openModel', { path: fixture('series', 'mlp.onnx') });
    const checkpoints = ['epoch1.pt', 'epoch4.pt', 'epoch8.pt'].map((f) => fixture('series', f));
    const data = ['train.npz', 'test.npz'].map((f) => fixture('series', f));
    const request = {
      job: 'series-1',
      modelId,
      checkpoints,
      data,
      backend: 'cpu',
      options: { topK: 2, iterations: 60, runs: 1 },
    };
    const view: SeriesView = await call('series', request);
    expect(view.members).toHaveLength(6);
    expect(view.members.every((m) => m.state === 'finished' && m.entry && m.runId)).toBe(true);
    const wanted = [0, 1, 4, 5, 6, 7].map((k) => ref.members[k]);
    view.members.forEach((m, k) => {
      expect(m.checkpoint).toBe(fixture('series', wanted[k].checkpoint));
      expect(m.data).toBe(fixture('series', wanted[k].data));
      expect(Math.abs((m.entry?.loss ?? 0) - wanted[k].loss) / wanted[k].loss).toBeLessThan(1e-5);
      const top = m.entry?.topEigenvalues[0] ?? 0;
      expect(Math.abs(top - wanted[k].topEigenvalues[0]) / wanted[k].topEigenvalues[0]).toBeLessThan(1e-3);
    });
    expect(view.correlation.re.n).toBe(3);
    expect(view.correlation.re.r).not.toBeNull();
    const progress = events.filter((e) => e.type === 'progress' && e.job === 'series-1');
    const runIds = new Set(progress.map((e) => (e.type === 'progress' ? e.runId : undefined)));
    expect(runIds).toEqual(new Set(view.members.map((m) => m.runId)));

    // Read back by a prefix of its id; listed; every member run names its series.
    const again: SeriesView = await call('getSeries', { id: view.id.slice(0, 8) });
    expect(again).toEqual(view);
    expect(await call('listSeries', {})).toEqual([
      { id: view.id, name: view.name, createdAt: view.createdAt, members: 6, finished: 6 },
    ]);
    const runs: RunSummary[] = await call('listRuns', {});
    expect(runs.filter((r) => r.seriesId === view.id).map((r) => r.seriesMember)).toEqual(
      expect.arrayContaining([0, 1, 2, 3, 4, 5]),
    );
    const member = runs.find((r) => r.id === view.members[0].runId);
    expect(member).toMatchObject({ backend: 'cpu', weights: checkpoints[0], data: data[0], samples: 96 });
    expect(member?.hashes?.weights).toMatch(/^[0-9a-f]{64}$/);
    // A member reads back through the typed results contract (its loss result has no gradient), with
    // the summary fields the runs table shows and the entry's numbers.
    const memberView: RunView = await call('getRun', { id: view.members[0].runId });
    expect(memberView.run).toMatchObject({ seriesId: view.id, seriesMember: 0, backend: 'cpu', samples: 96 });
    expect(memberView.results.loss?.loss).toBe(view.members[0].entry?.loss);
    expect(memberView.results.spectrum?.topEigenvalues).toEqual(view.members[0].entry?.topEigenvalues);

    // The same request again finds the series finished and computes nothing.
    const before = events.length;
    const resumed: SeriesView = await call('series', { ...request, job: 'series-2' });
    expect(resumed.id).toBe(view.id);
    expect(events.slice(before).filter((e) => e.type === 'progress')).toEqual([]);

    // A file that does not fit: refused before anything is queued or recorded.
    const bad = await dispatch(service, 'series', {
      ...request,
      job: 'series-3',
      checkpoints: [checkpoints[0], fixture('series', 'mismatch-ckpt.pt')],
      data: [data[0], fixture('series', 'mismatch-wide.npz')],
    });
    expect(bad.ok).toBe(false);
    if (!bad.ok) {
      expect(bad.error.message).toContain('2 problem(s)');
      expect(bad.error.message).toContain('mismatch-ckpt.pt');
      expect(bad.error.message).toContain('mismatch-wide.npz');
    }
    expect(await call('listSeries', {})).toHaveLength(1);
    store.close();
  }, 120_000);
});
