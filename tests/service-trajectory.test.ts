/**
 * The series view's trajectory and interpolation, from the app's side of the contract: the grid, the
 * directions and the path equal, number for number, what `saddle trajectory` and `saddle interpolate`
 * print for the same checkpoints and data (the CLI's numbers are checked against PyTorch in
 * cli.test.ts); each is recorded as a run with progress events, and a mismatch is refused.
 */
import { mkdtempSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { EngineEvent } from '../src/api/contract';
import { dispatch } from '../src/api/dispatch';
import { SaddleService } from '../src/api/service';
import { interpolateCommand, trajectoryCommand } from '../src/cli/landscape';
import { RunStore } from '../src/store/store';
import { fixture } from './helpers';

const model = fixture('series', 'mlp.onnx');
const data = fixture('series', 'train.npz');
const checkpoints = ['epoch1.pt', 'epoch2.pt', 'epoch8.pt'].map((f) => fixture('series', f));
const loss = {
  data,
  loss: 'auto',
  batchSize: 64,
  seed: 0,
  bn: 'eval',
  threads: availableParallelism(),
  backend: 'cpu',
  json: true,
} as const;

/** What a CLI command printed as JSON. */
async function cliJson(run: () => Promise<void>): Promise<Record<string, unknown>> {
  let out = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((s) => {
    out += String(s);
    return true;
  });
  vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  await run();
  vi.restoreAllMocks();
  return JSON.parse(out);
}

afterEach(() => vi.restoreAllMocks());

describe('trajectory and interpolation through the service', () => {
  it('equal the CLI grids, and are recorded as runs', async () => {
    const store = new RunStore(join(mkdtempSync(join(tmpdir(), 'saddle-service-trajectory-')), 'runs.db'));
    const events: EngineEvent[] = [];
    const service = new SaddleService('serve', (e) => events.push(e), store);
    const call = async (method: string, payload: unknown) => {
      const r = await dispatch(service, method, payload);
      if (!r.ok) throw new Error(r.error.message);
      // biome-ignore lint/suspicious/noExplicitAny: the test reads results field by field.
      return r.result as any;
    };
    const { modelId } = await call('openModel', { path: model });
    const base = { modelId, data, batchSize: 64, backend: 'cpu' };

    const trajectory = await call('trajectory', { ...base, job: 't1', checkpoints, options: { steps: 5 } });
    const wantT = await cliJson(() =>
      trajectoryCommand(model, { ...loss, checkpoints: checkpoints.join(','), steps: 5, margin: 0.2 }),
    );
    expect(trajectory.loss).toHaveLength(5);
    for (const k of ['x', 'y', 'loss', 'accuracy', 'directions', 'path']) expect(trajectory[k]).toEqual(wantT[k]);

    const line = await call('interpolate', {
      ...base,
      job: 'i1',
      options: { from: checkpoints[0], to: checkpoints[2], steps: 7, range: '-0.5:1.5' },
    });
    const wantI = await cliJson(() =>
      interpolateCommand(model, { ...loss, from: checkpoints[0], to: checkpoints[2], steps: 7, range: '-0.5:1.5' }),
    );
    expect(line.loss).toHaveLength(7);
    for (const k of ['x', 'y', 'loss', 'accuracy', 'directions']) expect(line[k]).toEqual(wantI[k]);

    // Recorded: finished runs of the CLI's kinds, with their grids and the path; points streamed.
    const runs = store.listRuns();
    expect(runs.map((r) => [r.kind, r.state]).sort()).toEqual([
      ['interpolate', 'finished'],
      ['trajectory', 'finished'],
    ]);
    const t = runs.find((r) => r.kind === 'trajectory');
    expect(store.getRun(t?.id ?? '')?.results.path).toEqual(wantT.path);
    expect([...(store.getGrid(t?.id ?? '')?.loss ?? [])]).toHaveLength(25);
    const points = events.filter((e) => e.type === 'progress' && e.job === 't1' && e.stage === 'points');
    expect(points).toHaveLength(25);

    // A checkpoint that does not fit the model is refused with the file named.
    await expect(
      call('interpolate', {
        ...base,
        job: 'i2',
        options: { from: checkpoints[0], to: fixture('series', 'mismatch-ckpt.pt') },
      }),
    ).rejects.toThrow(/mismatch-ckpt\.pt/);
    // Fewer than 3 checkpoints is not a trajectory.
    await expect(call('trajectory', { ...base, job: 't2', checkpoints: checkpoints.slice(0, 2) })).rejects.toThrow();
    store.close();
  }, 120_000);
});
