/** The series timeline's model (renderer/src/views/series/series-model.ts): the x axis, lines, the gap. */
import { describe, expect, it } from 'vitest';
import { checkpointAxis, extent, generalizationGap, seriesLines } from '../renderer/src/views/series/series-model';
import type { SeriesView } from '../src/api/contract';

describe('series timeline model', () => {
  it('puts checkpoints at their epoch or step, else at their number, else in file order', () => {
    expect(checkpointAxis(['/a/epoch1.pt', '/a/epoch_10.pt', 'C:\\b\\Epoch-4.pt'])).toEqual({
      label: 'epoch',
      x: [1, 10, 4],
      names: ['epoch1.pt', 'epoch_10.pt', 'Epoch-4.pt'],
    });
    expect(checkpointAxis(['model_step200.pt', 'model_step400.pt']).x).toEqual([200, 400]);
    expect(checkpointAxis(['ckpt-100.safetensors', 'ckpt-300.safetensors'])).toMatchObject({
      label: 'checkpoint number',
      x: [100, 300],
    });
    // Repeated or missing numbers: the order given.
    expect(checkpointAxis(['best.pt', 'last.pt', 'epoch3.pt'])).toMatchObject({
      label: 'checkpoint (file order)',
      x: [1, 2, 3],
    });
    expect(checkpointAxis(['run1/epoch2.pt', 'run2/epoch2.pt']).x).toEqual([1, 2]);
  });

  it('draws one line per data set and the accuracy gap against the first', () => {
    const entry = (accuracy: number, re: number) => ({
      checkpoint: '',
      data: '',
      loss: 1 - accuracy,
      accuracy,
      samples: 10,
      topEigenvalues: [2 * re],
      trace: { estimate: 3, stderr: 0.1 },
      criteria: {
        re: { mean: re, std: 0.01 },
        ct: { mean: -re, std: 0.01 },
        kh: { n: 0.5, mean: null, std: null },
        hesdType: 'MP' as const,
      },
    });
    const member = (c: number, d: number, e: ReturnType<typeof entry> | null) => ({
      index: c * 2 + d,
      checkpoint: `epoch${c + 1}.pt`,
      data: d ? 'test.npz' : 'train.npz',
      checkpointIndex: c,
      dataIndex: d,
      runId: e ? `r${c}${d}` : null,
      state: e ? ('finished' as const) : null,
      entry: e,
    });
    const view: SeriesView = {
      id: 's',
      name: 's',
      createdAt: '',
      model: 'm.onnx',
      checkpoints: ['epoch1.pt', 'epoch2.pt'],
      data: ['/d/train.npz', '/d/test.npz'],
      options: {},
      members: [
        member(0, 0, entry(0.9, 0.3)),
        member(0, 1, entry(0.7, 0.2)),
        member(1, 0, entry(1, 0.1)),
        member(1, 1, null),
      ],
      correlation: {},
    };
    const re = seriesLines(view, 're');
    expect(re.map((l) => l.data)).toEqual(['train.npz', 'test.npz']);
    expect(re[0].points).toEqual([
      { x: 1, y: 0.3, spread: 0.01, checkpoint: 'epoch1.pt' },
      { x: 2, y: 0.1, spread: 0.01, checkpoint: 'epoch2.pt' },
    ]);
    expect(re[1].points).toHaveLength(1);
    // Kh undefined everywhere: no points rather than zeros.
    expect(seriesLines(view, 'Kh').every((l) => l.points.length === 0)).toBe(true);
    const gap = generalizationGap(view);
    expect(gap).toHaveLength(1);
    expect(gap[0].points).toHaveLength(1);
    expect(gap[0].points[0].y).toBeCloseTo(0.2, 15);
  });

  it('gives every axis a range, flat lines included', () => {
    expect(extent([])).toEqual([0, 1]);
    expect(extent([2, 2])).toEqual([1.8, 2.2]);
    expect(extent([0, 0])).toEqual([-1, 1]);
    const [lo, hi] = extent([0, 10]);
    expect(lo).toBeCloseTo(-0.8, 12);
    expect(hi).toBeCloseTo(10.8, 12);
  });
});
