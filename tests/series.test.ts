/**
 * A checkpoint series against float64 PyTorch references (fixtures/gen_series.py: a tanh MLP after
 * epochs 1, 2, 4 and 8 on a training and a shifted test set): loss (1e-5), accuracy, the top
 * eigenvalues (1e-3), the trace (within 5 standard errors of the exact one) and re = |λmin/λmax| of
 * the exact spectrum (1e-3). Then: every mismatch reported before any work, and a rerun that skips
 * finished members and resumes a cancelled one from the stages it has.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CancelledError } from '../src/analysis/lanczos';
import {
  openRecordedSeries,
  prepareSeries,
  runSeriesMembers,
  type SeriesContext,
  type SeriesEntry,
  SeriesMismatchError,
  type SeriesOptions,
  seriesMembers,
} from '../src/runs/series-run';
import { getSeries, seriesRuns } from '../src/store/series';
import { RunStore } from '../src/store/store';
import { fixture, ROOT, readJson } from './helpers';

interface Ref {
  topK: number;
  members: Array<{
    checkpoint: string;
    data: string;
    loss: number;
    accuracy: number;
    topEigenvalues: number[];
    bottomEigenvalue: number;
    trace: number;
  }>;
}

const ref = readJson<Ref>(fixture('series', 'series-ref.json'));
const model = fixture('series', 'mlp.onnx');
const checkpoints = ['epoch1.pt', 'epoch2.pt', 'epoch4.pt', 'epoch8.pt'].map((f) => fixture('series', f));
const data = ['train.npz', 'test.npz'].map((f) => fixture('series', f));
const spec = { model, checkpoints, data, options: { seed: 0 } };
const options: SeriesOptions = {
  loss: { loss: 'auto', batchSize: 64, seed: 0, bn: 'eval', threads: 1, backend: 'cpu' },
  hessian: { topK: ref.topK, iterations: 100, runs: 2, seed: 0 },
};
const dir = mkdtempSync(join(tmpdir(), 'saddle-series-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const rel = (got: number, want: number) => Math.abs(got - want) / Math.abs(want);

function expectMatchesReference(entries: SeriesEntry[]): void {
  expect(entries.map((e) => [e.checkpoint, e.data])).toEqual(
    ref.members.map((m) => [fixture('series', m.checkpoint), fixture('series', m.data)]),
  );
  entries.forEach((e, k) => {
    const want = ref.members[k];
    expect(rel(e.loss, want.loss)).toBeLessThan(1e-5);
    expect(e.accuracy).toBeCloseTo(want.accuracy, 12);
    expect(e.topEigenvalues).toHaveLength(ref.topK);
    e.topEigenvalues.forEach((l, i) => {
      expect(rel(l, want.topEigenvalues[i])).toBeLessThan(1e-3);
    });
    expect(e.trace).not.toBeNull();
    expect(Math.abs((e.trace?.estimate ?? 0) - want.trace)).toBeLessThan(5 * (e.trace?.stderr ?? 0));
    // The SLQ runs reach both ends of this 256-parameter spectrum: re is the exact |λmin/λmax|.
    const re = Math.abs(want.bottomEigenvalue / want.topEigenvalues[0]);
    expect(rel(e.criteria?.re.mean ?? 0, re)).toBeLessThan(1e-3);
    expect(e.criteria?.hesdType).toBe('MP');
  });
}

describe('saddle series', () => {
  it('matches the float64 references for every checkpoint and data set, and resumes after a cancel', async () => {
    const store = new RunStore(join(dir, 'resume.db'));
    const bound = await prepareSeries(model, spec, options);
    const members = seriesMembers(checkpoints, data);
    const series = await openRecordedSeries(store, spec);
    const controller = new AbortController();
    const ctx: SeriesContext = { modelPath: model, options, bound, store, series, signal: controller.signal };
    // Cancel member 4 (epoch2 on test) once its eigenvalues and trace are recorded.
    await expect(
      runSeriesMembers(
        {
          ...ctx,
          onProgress: (p) => {
            if (p.member.index === 3 && p.stage === 'density') controller.abort();
          },
        },
        members,
      ),
    ).rejects.toBeInstanceOf(CancelledError);
    const before = seriesRuns(store, series.id);
    expect([...before.values()].map((r) => r.state)).toEqual(['finished', 'finished', 'finished', 'cancelled']);

    // The same series is found again by content, and only what is missing is computed.
    const again = await openRecordedSeries(store, spec);
    expect(again.id).toBe(series.id);
    const stages = new Map<number, Set<string>>();
    const entries = await runSeriesMembers(
      {
        ...ctx,
        series: again,
        signal: undefined,
        onProgress: (p) => {
          const s = stages.get(p.member.index) ?? new Set<string>();
          s.add(p.stage);
          stages.set(p.member.index, s);
        },
      },
      members,
    );
    expect([...stages.keys()]).toEqual([3, 4, 5, 6, 7]);
    expect([...(stages.get(3) ?? [])]).toEqual(['loss', 'density']);
    const after = seriesRuns(store, series.id);
    expect(after.size).toBe(8);
    for (const k of [0, 1, 2, 3]) expect(after.get(k)?.id).toBe(before.get(k)?.id);
    expect([...after.values()].every((r) => r.state === 'finished')).toBe(true);
    expect(entries.map((e) => e.runId)).toEqual([...after.values()].map((r) => r.id));
    expectMatchesReference(entries);
    expect(getSeries(store, series.id.slice(0, 8))?.spec.checkpoints).toEqual(checkpoints);
    store.close();
  }, 120_000);

  it('reports every checkpoint and data set that does not fit before any work', async () => {
    const wrongCkpt = fixture('series', 'mismatch-ckpt.pt');
    const wrongShape = fixture('series', 'mismatch-wide.npz');
    const wrongClasses = fixture('series', 'mismatch-classes.npz');
    const bad = {
      model,
      checkpoints: [checkpoints[0], wrongCkpt],
      data: [data[0], wrongShape, wrongClasses],
      options: {},
    };
    const error = await prepareSeries(model, bad, options).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SeriesMismatchError);
    const problems = (error as SeriesMismatchError).problems;
    expect(problems).toHaveLength(3);
    expect(problems[0]).toContain('mismatch-ckpt.pt');
    expect(problems[0]).toContain('fc2.bias');
    expect(problems[0]).toContain('fc1.weight (expected [12, 16], got [12, 15])');
    expect(problems[1]).toContain('mismatch-wide.npz');
    expect(problems[1]).toContain('[20]');
    expect(problems[2]).toContain('mismatch-classes.npz');
    expect(problems[2]).toMatch(/holds 7 at position \[\d+\], but the model has 4 classes/);

    // The CLI says so on stderr and leaves no database behind: nothing started.
    const db = join(dir, 'never.db');
    const r = spawnSync(
      process.execPath,
      [
        join(ROOT, 'bin/saddle.mjs'),
        'series',
        model,
        '--checkpoints',
        `${checkpoints[0]},${wrongCkpt}`,
        '--data',
        data[0],
        '--data',
        wrongShape,
        '--db',
        db,
      ],
      { encoding: 'utf8' },
    );
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('2 problem(s)');
    expect(existsSync(db)).toBe(false);
  });

  it('prints the documented JSON', () => {
    const r = spawnSync(
      process.execPath,
      [
        join(ROOT, 'bin/saddle.mjs'),
        'series',
        model,
        '--checkpoints',
        `${checkpoints[0]},${checkpoints[3]}`,
        '--data',
        data[0],
        '--data',
        data[1],
        '--threads',
        '1',
        '--backend',
        'cpu',
        '--top-k',
        '2',
        '--json',
      ],
      { encoding: 'utf8' },
    );
    // Progress goes to stderr, member by member; stdout holds only the JSON.
    expect(r.stderr).toContain('series [4/4 epoch8.pt on test.npz] density');
    const out = JSON.parse(r.stdout);
    expect(out.series.map((e: SeriesEntry) => [e.checkpoint, e.data])).toEqual([
      [checkpoints[0], data[0]],
      [checkpoints[0], data[1]],
      [checkpoints[3], data[0]],
      [checkpoints[3], data[1]],
    ]);
    const wanted = [0, 1, 6, 7].map((k) => ref.members[k]);
    out.series.forEach((e: SeriesEntry, k: number) => {
      expect(Object.keys(e)).toEqual(
        expect.arrayContaining(['checkpoint', 'data', 'loss', 'accuracy', 'topEigenvalues', 'trace', 'criteria']),
      );
      expect(rel(e.loss, wanted[k].loss)).toBeLessThan(1e-5);
      expect(rel(e.topEigenvalues[0], wanted[k].topEigenvalues[0])).toBeLessThan(1e-3);
      expect(Object.keys(e.trace ?? {})).toEqual(['estimate', 'stderr']);
    });
    expect(out.correlation.re.n).toBe(2);
    expect(out.correlation.re.r).toBeNull();
  }, 60_000);
});
