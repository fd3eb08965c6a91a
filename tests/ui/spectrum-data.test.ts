/**
 * The spectrum views' computation, without a browser: each SLQ run smoothed alone matches the
 * engine's smoothing of that run, and their average is the stored density; eigenpairs keep their
 * order and residuals; the per-layer sort; CSV quoting; the whole job's ETA; the workspace store's
 * saved state.
 */
import { describe, expect, it } from 'vitest';
import { createStore } from '../../renderer/src/store';
import { formatSeconds, hessianPlan, jobEta } from '../../renderer/src/views/jobs/job-eta';
import {
  csv,
  eigenRows,
  emptyTrail,
  extendTrail,
  logDensity,
  runDensities,
  sortLayers,
  tickText,
} from '../../renderer/src/views/spectrum/spectrum-data';
import { smoothDensity } from '../../src/analysis/density';
import { EngineEventSchema, RitzPartialSchema } from '../../src/api/contract';

const runs = [
  { nodes: [-2, 0.5, 3, 10], weights: [0.1, 0.4, 0.3, 0.2] },
  { nodes: [-1.5, 1, 2.5, 9.5], weights: [0.2, 0.3, 0.3, 0.2] },
];

describe('spectrum computation', () => {
  it('smooths each SLQ run as the engine does, and their average is the stored density', () => {
    const bandwidth = 1e-3;
    const stored = smoothDensity(runs, { bandwidth, points: 2000 });
    const each = runDensities({ grid: stored.grid, runs }, bandwidth);
    runs.forEach((run, k) => {
      const alone = smoothDensity([run], { bandwidth, points: 2000 });
      // Same grid only when the run spans the same range; compare on the stored grid instead.
      const onGrid = runDensities({ grid: alone.grid, runs: [run] }, bandwidth)[0];
      onGrid.forEach((v, i) => expect(v).toBeCloseTo(alone.values[i], 9));
      expect(each[k]).toHaveLength(2000);
    });
    const max = Math.max(...stored.values);
    stored.values.forEach((v, i) => expect(Math.abs((each[0][i] + each[1][i]) / 2 - v)).toBeLessThan(1e-9 * max));
  });

  it('raises the density to a floor for the log axis', () => {
    const d = logDensity({ grid: [0, 1, 2], values: [0, 1, 1e-20] }, 1e-6);
    expect(d.y).toEqual([1e-6, 1, 1e-6]);
  });

  it('lists eigenpairs top first, with residuals and whether each vector is stored', () => {
    const rows = eigenRows(
      { topEigenvalues: [5, 3], bottomEigenvalues: [-1], residuals: { top: [1e-9, 2e-9], bottom: [3e-7] } },
      [{ k: 0, label: 'top1', eigenvalue: 5 }],
    );
    expect(rows).toEqual([
      { label: 'top1', end: 'top', value: 5, residual: 1e-9, hasVector: true },
      { label: 'top2', end: 'top', value: 3, residual: 2e-9, hasVector: false },
      { label: 'bottom1', end: 'bottom', value: -1, residual: 3e-7, hasVector: false },
    ]);
  });

  it('keeps Ritz trails in step order', () => {
    const r = { top: [1], bottom: [-1], topResiduals: [0.1], bottomResiduals: [0.2] };
    let t = extendTrail(emptyTrail(), 1, r);
    t = extendTrail(t, 2, { ...r, top: [2] });
    expect(extendTrail(t, 2, r)).toBe(t);
    expect(t.top).toEqual([[1], [2]]);
  });

  it('sorts per-layer rows by any column, ties by name', () => {
    const row = (name: string, size: number, topEigenvalue: number) => ({
      name,
      kind: 'tensor' as const,
      size,
      topEigenvalue,
      trace: 0,
      traceStderr: 0,
      matvecs: 1,
    });
    const rows = [row('b', 2, 5), row('a', 3, 5), row('c', 1, 9)];
    expect(sortLayers(rows, 'topEigenvalue', true).map((r) => r.name)).toEqual(['c', 'a', 'b']);
    expect(sortLayers(rows, 'size', false).map((r) => r.name)).toEqual(['c', 'b', 'a']);
  });

  it('writes axis ticks plainly from 0.01 to 10⁴, with exponents outside', () => {
    expect([0, 150, 0.25, 1e5, 0.001, -2000].map((v) => tickText(v))).toEqual([
      '0',
      '150',
      '0.25',
      '1e+5',
      '1e-3',
      '-2000',
    ]);
  });

  it('writes RFC 4180 CSV', () => {
    expect(
      csv(
        ['a', 'b'],
        [
          ['x,y', 1.5],
          ['say "hi"', null],
        ],
      ),
    ).toBe('a,b\r\n"x,y",1.5\r\n"say ""hi""",\r\n');
  });
});

describe('the whole job’s ETA', () => {
  const plan = hessianPlan(
    { topK: 5, bottomK: 3, iterations: 100, trace: true, traceProbes: 50, density: true, runs: 3, perLayer: false },
    10,
  );
  it('prices the stages to come at the running stage’s rate', () => {
    expect(plan.map((s) => s.name)).toEqual(['eigenvalues', 'trace', 'density']);
    // 40 of 100 steps left 60 steps at 0.5 s each: 30 s, then 50 + 300 H·v products at 0.5 s.
    expect(jobEta(plan, { stage: 'eigenvalues', done: 40, total: 100, etaSeconds: 30 })).toEqual({
      stage: 1,
      stages: 3,
      seconds: 30 + 350 * 0.5,
    });
    expect(jobEta(plan, { stage: 'density', done: 100, total: 300, etaSeconds: 20 })).toEqual({
      stage: 3,
      stages: 3,
      seconds: 20,
    });
    expect(jobEta(plan, { stage: 'trace', done: 0, total: 50, etaSeconds: null }).seconds).toBeNull();
    expect(formatSeconds(125)).toBe('2 min 5 s');
  });
});

describe('the workspace store', () => {
  it('saves what reopens the workspace, and drops what belonged to a replaced model', () => {
    const memory = new Map<string, string>();
    const storage = {
      getItem: (k: string) => memory.get(k) ?? null,
      setItem: (k: string, v: string) => void memory.set(k, v),
    };
    const store = createStore(storage);
    const model = { modelId: 'm1', info: { file: '/up/demo.onnx' } } as never;
    store.set({ model });
    store.set({
      weights: { file: '/up/demo.pt' } as never,
      weightsName: 'demo.pt',
      data: { path: '/up/d.npz', name: 'd.npz' },
      selectedRun: 'abc',
    });
    store.set({ pickedEigen: ['top1'] });
    expect(createStore(storage).saved()).toEqual({
      modelPath: '/up/demo.onnx',
      weightsPath: '/up/demo.pt',
      weightsName: 'demo.pt',
      data: { path: '/up/d.npz', name: 'd.npz' },
      selectedRun: 'abc',
    });
    // Another run clears the picks; another model clears the weights.
    store.set({ selectedRun: 'def' });
    expect(store.get().pickedEigen).toEqual([]);
    store.set({ model: { modelId: 'm2', info: { file: '/up/other.onnx' } } as never });
    expect(store.get().weights).toBeNull();
  });
});

describe('progress partials', () => {
  it('still parse when a value diverged (NaN over a MessagePort, null over JSON), so the event arrives', () => {
    expect(
      RitzPartialSchema.safeParse({ top: [Number.NaN], bottom: [null], topResiduals: [1], bottomResiduals: [1] })
        .success,
    ).toBe(true);
    const point = {
      type: 'progress',
      job: 'j',
      stage: 'points',
      done: 1,
      total: 2,
      partial: { i: 0, j: 0, loss: Number.NaN, accuracy: null },
    };
    expect(EngineEventSchema.safeParse(point).success).toBe(true);
    expect(EngineEventSchema.safeParse({ ...point, partial: { i: 0, j: 0 } }).success).toBe(false);
  });
});
