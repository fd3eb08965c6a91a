/**
 * Sharded runs and `saddle runs merge`, without a scheduler: a 2-D landscape split 4 ways merges into
 * the unsharded grid point for point; a 3-run SLQ density and a Hutchinson trace split 3 ways merge
 * into the unsharded statistics; missing, duplicated and foreign shards are named, and a missing
 * shard re-run alone completes the merge.
 */
import { copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { parseShard, type Shard, shareIndices, shareRange } from '../src/analysis/shard';
import type { HessianReport, HessianShare } from '../src/analysis/spectrum';
import { hutchinson, hutchinsonEstimate, hutchinsonProbes } from '../src/analysis/trace';
import { type HessianCliOptions, hessianCommand } from '../src/cli/hessian';
import {
  interpolateCommand,
  type LandscapeCliOptions,
  landscapeCommand,
  trajectoryCommand,
} from '../src/cli/landscape';
import { mergeShards } from '../src/runs/shard-merge';
import { RunStore } from '../src/store/store';
import { fixture } from './helpers';

const dir = mkdtempSync(join(tmpdir(), 'saddle-shards-test-'));
const model = fixture('engine', 'mlp_tanh.onnx');
const data = fixture('engine', 'mlp_tanh-data.npz');
const common = {
  data,
  loss: 'auto',
  batchSize: 16,
  seed: 3,
  bn: 'eval',
  threads: 1,
  backend: 'cpu',
  json: true,
} as const;
const landscape = (db: string, shard?: Shard): LandscapeCliOptions => ({
  ...common,
  dims: 2,
  directions: 'random',
  norm: 'filter',
  oneD: 'zero',
  steps: 5,
  range: '-1:1',
  y: '-0.5:0.5:3',
  db,
  shard,
});
const hessian = (db: string, shard?: Shard): HessianCliOptions => ({
  ...common,
  topK: 2,
  bottomK: 1,
  iterations: 12,
  trace: true,
  traceMethod: 'hutchinson',
  density: true,
  runs: 3,
  khN: 0.5,
  bandwidth: 1e-5,
  db,
  shard,
});

/** A recorded spectrum with every part this test asks for. */
type Spectrum = HessianReport &
  Required<Pick<HessianReport, 'trace' | 'density' | 'criteria' | 'share'>> & {
    share: Required<HessianShare>;
  };

/** The one run in a database. */
function onlyRun(path: string) {
  const store = new RunStore(path);
  try {
    const [run] = store.listRuns();
    return {
      run,
      results: store.getRun(run.id)?.results ?? {},
      grid: store.getGrid(run.id),
      vectors: store.vectors(run.id),
    };
  } finally {
    store.close();
  }
}

async function merge(out: string, shards: string[]) {
  const store = new RunStore(out);
  try {
    return await mergeShards(store, shards);
  } finally {
    store.close();
  }
}

beforeEach(() => {
  vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
});
afterEach(() => vi.restoreAllMocks());

describe('the split', () => {
  it('is contiguous, covers every item once, and sizes differ by at most one', () => {
    for (const [total, n] of [
      [25, 4],
      [3, 3],
      [100, 3],
      [2, 4],
    ]) {
      const all = Array.from({ length: n }, (_v, i) => shareIndices(total, { index: i, count: n })).flat();
      expect(all).toEqual([...Array(total).keys()]);
      const sizes = Array.from({ length: n }, (_v, i) => {
        const r = shareRange(total, { index: i, count: n });
        return r.to - r.from;
      });
      expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
    }
  });

  it('reads auto/N from Slurm or Kubernetes, and names what is wrong', () => {
    expect(parseShard('2/4')).toEqual({ index: 2, count: 4 });
    expect(parseShard('auto/4', { SLURM_ARRAY_TASK_ID: '3' })).toEqual({ index: 3, count: 4 });
    expect(parseShard('auto/3', { JOB_COMPLETION_INDEX: '1' })).toEqual({ index: 1, count: 3 });
    expect(() => parseShard('4/4')).toThrow(/shard index 4 is not below the shard count 4/);
    expect(() => parseShard('auto/4', { SLURM_ARRAY_TASK_ID: '7' })).toThrow(/7 \(from SLURM_ARRAY_TASK_ID\)/);
    expect(() => parseShard('auto/4', {})).toThrow(/SLURM_ARRAY_TASK_ID or JOB_COMPLETION_INDEX, and neither is set/);
    expect(() => parseShard('1-4')).toThrow(/'1-4' is not a shard/);
  });
});

describe('a 2-D landscape in 4 shards', () => {
  const shardDb = (i: number) => join(dir, `land-${i}.db`);
  it('merges into exactly the unsharded grid, and refuses a missing or a duplicated shard', async () => {
    await landscapeCommand(model, landscape(join(dir, 'land-single.db')));
    for (const i of [0, 1, 3]) await landscapeCommand(model, landscape(shardDb(i), { index: i, count: 4 }));
    // Each shard holds its own row-major range of the 5 × 3 points, and only those.
    const s1 = onlyRun(shardDb(1)).grid;
    expect([...(s1?.loss ?? [])].map((v, k) => (Number.isNaN(v) ? null : k)).filter((k) => k !== null)).toEqual([
      3, 4, 5, 6,
    ]);

    const out = join(dir, 'land-merged.db');
    await expect(merge(out, [0, 1, 3].map(shardDb))).rejects.toThrow(
      /Cannot merge the landscape job [0-9a-f]{8}: shard 2\/4 is missing\. A missing shard can be re-run alone/,
    );
    // A shard that crashed is missing too, and the merge says where it lies crashed.
    const crashed = join(dir, 'land-2-crashed.db');
    copyFileSync(shardDb(1), crashed);
    const store = new RunStore(crashed);
    const [run] = store.listRuns();
    store.putResult(run.id, 'shard', { ...(store.getRun(run.id)?.results.shard as object), index: 2 });
    store.finish(run.id, 'crashed');
    store.close();
    await expect(merge(out, [...[0, 1, 3].map(shardDb), crashed])).rejects.toThrow(
      /shard 2\/4 is missing \(.*land-2-crashed\.db holds it crashed\)/,
    );
    // The missing shard, re-run alone; a second database holding shard 1 again is a duplicate.
    await landscapeCommand(model, landscape(shardDb(2), { index: 2, count: 4 }));
    await landscapeCommand(model, landscape(join(dir, 'land-1-again.db'), { index: 1, count: 4 }));
    await expect(merge(out, [...[0, 1, 2, 3].map(shardDb), join(dir, 'land-1-again.db')])).rejects.toThrow(
      /shard 1\/4 is duplicated: run [0-9a-f]{8} in .*land-1\.db and run [0-9a-f]{8} in .*land-1-again\.db/,
    );
    expect(new RunStore(out).listRuns()).toEqual([]);

    const r = await merge(out, [3, 1, 0, 2].map(shardDb));
    expect(r).toMatchObject({ kind: 'landscape', shards: 4, notes: [] });
    const single = onlyRun(join(dir, 'land-single.db'));
    const merged = onlyRun(out);
    expect(merged.run.state).toBe('finished');
    expect(merged.grid?.complete).toBe(true);
    expect(merged.grid?.x).toEqual(single.grid?.x);
    expect(merged.grid?.y).toEqual(single.grid?.y);
    expect(merged.grid?.meta).toEqual(single.grid?.meta);
    expect([...(merged.grid?.loss ?? [])]).toEqual([...(single.grid?.loss ?? [])]);
    expect([...(merged.grid?.accuracy ?? [])]).toEqual([...(single.grid?.accuracy ?? [])]);
    expect(merged.run.model_id).toBe(single.run.model_id);
    expect(merged.run.dataset_id).toBe(single.run.dataset_id);
    const { db: _a, ...singleOptions } = JSON.parse(single.run.options);
    expect(JSON.parse(merged.run.options)).toEqual({ ...singleOptions });
  });

  it('refuses shards of different jobs, naming the files', async () => {
    const other = join(dir, 'land-other.db');
    await landscapeCommand(model, { ...landscape(other, { index: 0, count: 4 }), steps: 4 });
    await expect(merge(join(dir, 'mixed.db'), [other, shardDb(1), shardDb(2), shardDb(3)])).rejects.toThrow(
      /The shards belong to 2 jobs, not one: job [0-9a-f]{8} \(landscape; land-other\.db\); job [0-9a-f]{8} \(landscape; land-1\.db, land-2\.db, land-3\.db\)/,
    );
  });

  it('needs a database to record a shard in', async () => {
    await expect(
      landscapeCommand(model, landscape(undefined as unknown as string, { index: 0, count: 2 })),
    ).rejects.toThrow(/--shard 0\/2 computes a share of the job .* give --db/);
  });
});

describe('a Hessian trace and 3-run SLQ density in 3 shards', () => {
  it('merge into the unsharded statistics, with the stages that do not split from shard 0', async () => {
    const singleDb = join(dir, 'hess-single.db');
    await hessianCommand(model, hessian(singleDb));
    const shards = [0, 1, 2].map((i) => join(dir, `hess-${i}.db`));
    for (const [i, db] of shards.entries()) await hessianCommand(model, hessian(db, { index: i, count: 3 }));
    // Shard 1 computed one SLQ run and its third of the 100 probes, and no eigenvalues.
    const s1 = onlyRun(shards[1]).results.spectrum as Spectrum;
    expect(s1.topEigenvalues).toBeUndefined();
    expect(s1.share.density.indices).toEqual([1]);
    expect(s1.share.trace.indices).toEqual(shareIndices(100, { index: 1, count: 3 }));

    const out = join(dir, 'hess-merged.db');
    await expect(merge(out, [shards[0], shards[2]])).rejects.toThrow(/shard 1\/3 is missing/);
    await merge(out, shards);
    const single = onlyRun(singleDb);
    const merged = onlyRun(out);
    const a = single.results.spectrum as Spectrum;
    const b = merged.results.spectrum as Spectrum;
    expect(b.topEigenvalues).toEqual(a.topEigenvalues);
    expect(b.bottomEigenvalues).toEqual(a.bottomEigenvalues);
    const close = (x: number, y: number) =>
      expect(Math.abs(x - y)).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(y)));
    // The single run stopped by its rule after some probes; the merge applies the same rule.
    expect(b.trace.matvecs).toBe(a.trace.matvecs);
    expect(b.trace.method).toBe('hutchinson');
    close(b.trace.estimate, a.trace.estimate);
    close(b.trace.stderr, a.trace.stderr);
    expect(b.density.runs).toHaveLength(3);
    b.density.runs.forEach((run: { nodes: number[]; weights: number[] }, r: number) => {
      run.nodes.forEach((x, k) => close(x, a.density.runs[r].nodes[k]));
      run.weights.forEach((x, k) => close(x, a.density.runs[r].weights[k]));
    });
    expect(b.density.grid).toHaveLength(a.density.grid.length);
    b.density.grid.forEach((x: number, k: number) => close(x, a.density.grid[k]));
    b.density.values.forEach((x: number, k: number) => close(x, a.density.values[k]));
    for (const c of ['re', 'ct'] as const) {
      close(b.criteria[c].mean, a.criteria[c].mean);
      close(b.criteria[c].std, a.criteria[c].std);
    }
    close(b.criteria.kh.mean ?? 0, a.criteria.kh.mean ?? 0);
    expect(b.criteria.hesdType).toBe(a.criteria.hesdType);
    expect(merged.results.stages).toEqual(single.results.stages);
    expect((merged.results.probes as { trace: number[] }).trace).toHaveLength(100);
  });
});

describe('the Hutchinson stopping rule over shards', () => {
  it('a merge of every probe stops where the single run stopped', async () => {
    const diag = Float64Array.from({ length: 50 }, (_v, k) => 1 + (k % 7));
    const matvec = async (v: Float64Array) => v.map((x, k) => x * diag[k]);
    const opts = { seed: 11, maxProbes: 90, relTol: 0.05 };
    const single = await hutchinson(matvec, diag.length, opts);
    expect(single.matvecs).toBeLessThan(90);
    const values = (
      await Promise.all(
        [0, 1, 2].map((i) => hutchinsonProbes(matvec, diag.length, shareIndices(90, { index: i, count: 3 }), opts)),
      )
    ).flat();
    expect(hutchinsonEstimate(values, opts)).toEqual(single);
  });
});

describe('checkpoint planes and trajectories in shards', () => {
  const f = (n: string) => fixture('files', n);
  const cnn = { ...common, data: fixture('engine', 'cnn_bn-data.npz') };
  const cnnModel = fixture('engine', 'cnn_bn.onnx');
  const plane = (db: string, shard?: Shard) => ({
    ...cnn,
    from: f('cnn_bn-zip.pt'),
    to: f('cnn_bn-bf16.safetensors'),
    third: f('cnn_bn-f16.safetensors'),
    range: '0:1',
    steps: 3,
    db,
    shard,
  });
  const path = (db: string, shard?: Shard) => ({
    ...cnn,
    checkpoints: [f('cnn_bn-f16.safetensors'), f('cnn_bn-bf16.safetensors'), f('cnn_bn-zip.pt')].join(','),
    steps: 3,
    margin: 0.2,
    db,
    shard,
  });

  it('merge into the unsharded interpolation plane and trajectory surface, path included', async () => {
    for (const [kind, run, count] of [
      ['plane', interpolateCommand, 4],
      ['path', trajectoryCommand, 2],
    ] as const) {
      const options = kind === 'plane' ? plane : path;
      const single = join(dir, `${kind}-single.db`);
      await run(cnnModel, options(single) as never);
      const shards = Array.from({ length: count }, (_v, i) => join(dir, `${kind}-${i}.db`));
      for (const [i, db] of shards.entries()) await run(cnnModel, options(db, { index: i, count }) as never);
      const out = join(dir, `${kind}-merged.db`);
      await merge(out, shards);
      const a = onlyRun(single);
      const b = onlyRun(out);
      expect(b.run.kind).toBe(a.run.kind);
      expect(b.grid?.complete).toBe(true);
      expect([...(b.grid?.loss ?? [])]).toEqual([...(a.grid?.loss ?? [])]);
      expect(b.grid?.meta).toEqual(a.grid?.meta);
      expect(b.results.path).toEqual(a.results.path);
    }
  }, 300_000);
});
