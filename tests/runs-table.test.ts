/** The runs table's model (renderer/src/views/runs-model.ts): names, colours, durations, sort, filter, search. */
import { describe, expect, it } from 'vitest';
import {
  computedSeconds,
  defaultQuery,
  displayNames,
  keyOptions,
  queryRuns,
  runColour,
} from '../renderer/src/views/runs-model';
import type { RunSummary } from '../src/api/contract';

let n = 0;
function run(o: Partial<RunSummary>): RunSummary {
  n++;
  return {
    id: `${String(n).padStart(2, '0')}c0ffee-0000-4000-8000-000000000000`,
    name: 'landscape demo.onnx',
    kind: 'landscape',
    state: 'finished',
    createdAt: `2026-11-30T10:00:${String(n).padStart(2, '0')}.000Z`,
    startedAt: `2026-11-30T10:00:${String(n).padStart(2, '0')}.000Z`,
    seconds: n,
    error: null,
    model: '/m/demo.onnx',
    weights: null,
    data: '/d/demo-data.npz',
    samples: null,
    backend: 'cpu',
    options: { dims: 2, steps: 21, range: '-1:1', directions: 'random', norm: 'filter', seed: 0 },
    ...o,
  };
}

describe('runs table model', () => {
  it('names runs apart by what differs between them, and only where names collide', () => {
    const runs = [
      run({}),
      run({ weights: '/w/epoch1.pt' }),
      run({ samples: 64 }),
      run({ options: { dims: 2, steps: 41, range: '-1:1', directions: 'random', norm: 'filter', seed: 0 } }),
      run({}),
      run({ name: 'hessian demo.onnx', kind: 'hessian', options: { topK: 5 } }),
    ];
    const names = displayNames(runs);
    expect(names.get(runs[5].id)).toBe('hessian demo.onnx');
    expect(names.get(runs[1].id)).toBe('landscape demo.onnx @ epoch1.pt');
    expect(names.get(runs[2].id)).toBe('landscape demo.onnx 64 samples');
    expect(names.get(runs[3].id)).toBe('landscape demo.onnx steps=41');
    // Two runs with nothing different: the short id tells them apart.
    expect(names.get(runs[0].id)).toBe(`landscape demo.onnx steps=21 #${runs[0].id.slice(0, 6)}`);
    expect(new Set(names.values()).size).toBe(runs.length);
  });

  it('gives each run its own colour, the same wherever it appears', () => {
    const a = run({});
    const b = run({});
    expect(runColour(a.id)).toBe(runColour(a.id));
    expect(runColour(a.id)).not.toBe(runColour(b.id));
    expect(runColour(a.id)).toMatch(/^hsl\(\d+ 65% \d+%\)$/);
  });

  it('counts the time a run computed, not the time since it was created', () => {
    const pending = run({ state: 'pending', seconds: null, startedAt: null });
    const running = run({
      state: 'running',
      seconds: null,
      createdAt: '2026-11-30T09:00:00.000Z',
      startedAt: '2026-11-30T10:00:00.000Z',
    });
    expect(computedSeconds(pending, Date.parse('2026-11-30T11:00:00.000Z'))).toBeNull();
    expect(computedSeconds(running, Date.parse('2026-11-30T10:00:30.000Z'))).toBe(30);
    expect(computedSeconds(run({ seconds: 2.5 }), Date.now())).toBe(2.5);
  });

  it('sorts by any column, filters by state and kind, and searches by all words', () => {
    const runs = [
      run({ state: 'failed', weights: '/w/b.pt' }),
      run({ kind: 'hessian', name: 'hessian demo.onnx', options: { topK: 3 }, backend: 'webgpu (llvmpipe)' }),
      run({ weights: '/w/a.pt', samples: 10 }),
    ];
    const names = displayNames(runs);
    const ids = (q: Partial<typeof defaultQuery>) =>
      queryRuns(runs, { ...defaultQuery, ...q }, names, 0).map((r) => r.id);
    expect(ids({})).toEqual([runs[2].id, runs[1].id, runs[0].id]);
    expect(ids({ sort: 'duration', descending: false })).toEqual([runs[0].id, runs[1].id, runs[2].id]);
    expect(ids({ sort: 'weights', descending: false })).toEqual([runs[1].id, runs[2].id, runs[0].id]);
    expect(ids({ state: 'failed' })).toEqual([runs[0].id]);
    expect(ids({ kind: 'hessian' })).toEqual([runs[1].id]);
    expect(ids({ search: 'WEBGPU topK=3' })).toEqual([runs[1].id]);
    expect(ids({ search: 'a.pt landscape' })).toEqual([runs[2].id]);
    expect(ids({ search: 'nothing-like-this' })).toEqual([]);
    expect(keyOptions(runs[1])).toBe('topK=3');
  });
});
