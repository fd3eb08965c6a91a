/**
 * `saddle slurm --submit` on a real single-node Slurm (tests/slurm/local-slurm.ts): a 2-D landscape
 * as an array of 4 and a 3-run SLQ density as an array of 3, each merged by a job that depends on
 * its array (afterok); the merged runs equal unsharded runs of the same commands — the grid point
 * for point, the density, its runs and the LLA criteria within float64 rounding. Without the Slurm
 * binaries this is skipped locally and fails under CI (.ci/run installs slurm-wlm and munge); when
 * Slurm is there but does not start, it fails with the daemon's log.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HessianReport } from '../src/analysis/spectrum';
import { RunStore } from '../src/store/store';
import { fixture, ROOT, requireSystemPath } from './helpers';
import { type LocalSlurm, SLURM_BINARIES, startLocalSlurm } from './slurm/local-slurm';

const present = SLURM_BINARIES.every((bin) => requireSystemPath(bin, 'Slurm (slurm-wlm and munge)'));
const dir = mkdtempSync(join(tmpdir(), 'saddle-slurm-test-'));
const model = fixture('engine', 'mlp_tanh.onnx');
const data = fixture('engine', 'mlp_tanh-data.npz');
// One thread and the CPU everywhere, so each sum is added in one order on every task.
const common = ['--data', data, '--batch-size', '16', '--seed', '5', '--threads', '1', '--backend', 'cpu'];
const landscapeArgs = ['landscape', model, ...common, '--steps', '5', '--y', '-0.5:0.5:4'];
const densityArgs = [
  'hessian',
  model,
  ...common,
  '--density',
  '--runs',
  '3',
  '--iterations',
  '12',
  '--top-k',
  '2',
  '--bottom-k',
  '1',
];

function saddle(args: string[], env?: NodeJS.ProcessEnv): string {
  const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'saddle.mjs'), ...args], {
    encoding: 'utf8',
    env,
    cwd: dir,
  });
  if (r.status !== 0) throw new Error(`saddle ${args.slice(0, 2).join(' ')} failed: ${r.stderr}`);
  return r.stdout;
}

function onlyRun(path: string) {
  const store = new RunStore(path);
  try {
    const [run] = store.listRuns();
    return { run, results: store.getRun(run.id)?.results ?? {}, grid: store.getGrid(run.id) };
  } finally {
    store.close();
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.runIf(present)('saddle slurm on a real single-node Slurm', () => {
  let slurm: LocalSlurm;
  beforeAll(async () => {
    slurm = await startLocalSlurm();
  }, 120_000);
  afterAll(async () => {
    await slurm?.stop();
  }, 60_000);

  /** Wait for a job to end; its final state, or an error quoting the logs of a job that failed. */
  async function finished(id: string, logs: string): Promise<void> {
    for (let t = 0; t < 1200; t++) {
      const state = slurm.jobState(id);
      if (state === 'COMPLETED') return;
      if (state && !/PENDING|RUNNING|CONFIGURING|COMPLETING/.test(state)) {
        const log = (f: string) => (existsSync(join(logs, f)) ? readFileSync(join(logs, f), 'utf8') : '');
        throw new Error(
          `Slurm job ${id} ended ${state}.\nmerge.log: ${log('merge.log')}\nshard-0.log: ${log('shard-0.log')}`,
        );
      }
      await sleep(500);
    }
    throw new Error(`Slurm job ${id} did not finish in 10 minutes (state ${slurm.jobState(id)}).`);
  }

  it('a 2-D landscape as an array of 4 and a 3-run SLQ density as an array of 3 merge into the unsharded runs', async () => {
    const submit = (shards: number, name: string, args: string[]) =>
      JSON.parse(
        saddle(
          [
            'slurm',
            '--shards',
            String(shards),
            '--dir',
            join(dir, name),
            '--submit',
            '--json',
            ...args,
            '--db',
            join(dir, `${name}.db`),
          ],
          slurm.env,
        ),
      ) as { jobs: { array: string; merge: string } };
    const land = submit(4, 'land', landscapeArgs);
    const density = submit(3, 'density', densityArgs);
    // The unsharded runs, computed here while Slurm works.
    saddle([...landscapeArgs, '--db', join(dir, 'land-single.db')]);
    saddle([...densityArgs, '--db', join(dir, 'density-single.db')]);
    await finished(land.jobs.merge, join(dir, 'land'));
    await finished(density.jobs.merge, join(dir, 'density'));
    expect(slurm.jobState(land.jobs.array)).toBe('COMPLETED');
    // Every task ran under Slurm and wrote its log and its own database.
    for (let i = 0; i < 4; i++) expect(existsSync(join(dir, 'land', `shard-${i}.log`))).toBe(true);
    for (let i = 0; i < 3; i++) expect(existsSync(join(dir, 'density', `shard-${i}.db`))).toBe(true);

    const single = onlyRun(join(dir, 'land-single.db'));
    const merged = onlyRun(join(dir, 'land.db'));
    expect(merged.run.state).toBe('finished');
    expect((merged.results.shards as { count: number }).count).toBe(4);
    expect(merged.grid?.complete).toBe(true);
    expect(merged.grid?.x).toEqual(single.grid?.x);
    expect(merged.grid?.y).toEqual(single.grid?.y);
    expect([...(merged.grid?.loss ?? [])]).toEqual([...(single.grid?.loss ?? [])]);
    expect([...(merged.grid?.accuracy ?? [])]).toEqual([...(single.grid?.accuracy ?? [])]);

    type Full = HessianReport & Required<Pick<HessianReport, 'density' | 'criteria'>>;
    const a = onlyRun(join(dir, 'density-single.db')).results.spectrum as Full;
    const b = onlyRun(join(dir, 'density.db')).results.spectrum as Full;
    const close = (x: number, y: number) =>
      expect(Math.abs(x - y)).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(y)));
    expect(b.topEigenvalues).toEqual(a.topEigenvalues);
    expect(b.density.runs).toHaveLength(3);
    b.density.runs.forEach((run, r) => {
      run.nodes.forEach((x, k) => close(x, a.density.runs[r].nodes[k]));
      run.weights.forEach((x, k) => close(x, a.density.runs[r].weights[k]));
    });
    b.density.values.forEach((x, k) => close(x, a.density.values[k]));
    b.density.grid.forEach((x, k) => close(x, a.density.grid[k]));
    close(b.criteria.re.mean, a.criteria.re.mean);
    close(b.criteria.ct.mean, a.criteria.ct.mean);
    close(b.criteria.ct.std, a.criteria.ct.std);
  }, 900_000);
});
