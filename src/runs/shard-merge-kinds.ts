/**
 * How each kind of sharded run is put back together (see analysis/shard.ts for the split):
 *  - grids (landscape, interpolate, trajectory): every shard's points, from its point journal at
 *    full precision, placed at their row-major index, then packed as a single run packs them;
 *  - hessian: the stages that do not split come whole from shard 0; Hutchinson probe values and SLQ
 *    runs are put in index order and the single run's statistics are computed over them (the trace
 *    with its stopping rule, the density and the LLA criteria over all runs).
 *  - series: the members are whole runs; each shard's range of them is copied and joined to one
 *    series (series-shard.ts).
 * A new sharded kind adds its merger to `shardMergers`; `runs merge` dispatches on the run's kind.
 */
import { llaCriteria, type SlqRun, smoothDensity } from '../analysis/density';
import { shareRange } from '../analysis/shard';
import { defaultHessianOptions, type HessianReport, type HessianShare } from '../analysis/spectrum';
import { hutchinsonEstimate } from '../analysis/trace';
import type { RunStore } from '../store/store';
import { hessianOptionsOf, plannedStages, spectrumJson } from './hessian-run';
import { mergeSeriesShards } from './series-shard';
import { canonicalJson } from './shard-job';
import type { ShardRun } from './shard-merge';

/** Writes the merged results of `shards` (shard 0 first, all finished, one job) into run `id`. */
export type ShardMerger = (target: RunStore, id: string, shards: ShardRun[], options: Record<string, unknown>) => void;

const label = (s: ShardRun) => `shard ${s.record.index}/${s.record.count} (${s.file})`;

function mergeGrids(target: RunStore, id: string, shards: ShardRun[]): void {
  const first = shards[0];
  const names = first.store.gridNames(first.run.id);
  if (!names.length) throw new Error(`${label(first)} has no grid.`);
  for (const name of names) {
    const axes = (s: ShardRun) => {
      const g = s.store.getGrid(s.run.id, name);
      if (!g) throw new Error(`${label(s)} has no grid '${name}'.`);
      return g;
    };
    const g0 = axes(first);
    const ny = g0.y?.length ?? 1;
    const total = g0.x.length * ny;
    const loss = new Float64Array(total).fill(Number.NaN);
    let accuracy: Float64Array | null = null;
    for (const s of shards) {
      const g = axes(s);
      // The same job key makes equal axes and directions; a difference here is a bug worth naming.
      if (canonicalJson([g.x, g.y, g.meta]) !== canonicalJson([g0.x, g0.y, g0.meta]))
        throw new Error(`${label(s)} has other grid axes or directions than ${label(first)}; they are not one job.`);
      const { from, to } = shareRange(total, s.record);
      for (const p of s.store.points(s.run.id)) {
        const k = p.i * ny + p.j;
        if (k < from || k >= to) continue;
        loss[k] = p.loss;
        if (p.accuracy !== null) {
          accuracy ??= new Float64Array(total).fill(Number.NaN);
          accuracy[k] = p.accuracy;
        }
      }
      const absent = [...Array(to - from).keys()].filter((k) => Number.isNaN(loss[from + k])).length;
      if (absent) throw new Error(`${label(s)} is finished but lacks ${absent} of its ${to - from} points.`);
    }
    target.putGridAxes(id, name, g0.x, g0.y, g0.meta);
    target.finishGrid(id, name, loss, accuracy);
  }
}

/** Items by global index from every shard's share, checked to be exactly 0..total−1 once each. */
function inOrder<T>(
  shards: ShardRun[],
  part: (s: HessianShare) => { indices: number[]; items: T[] } | undefined,
  total: number,
  what: string,
): T[] {
  const out = new Array<T | undefined>(total);
  for (const s of shards) {
    const share = (s.results.spectrum as { share?: HessianShare } | undefined)?.share;
    const p = share && part(share);
    if (!p) throw new Error(`${label(s)} recorded no ${what}.`);
    p.indices.forEach((k, n) => {
      if (out[k] !== undefined) throw new Error(`${what} ${k} is in two shards.`);
      out[k] = p.items[n];
    });
  }
  const absent = [...out.keys()].filter((k) => out[k] === undefined);
  if (absent.length) throw new Error(`The shards lack ${what} ${absent.join(', ')}.`);
  return out as T[];
}

function mergeHessian(target: RunStore, id: string, shards: ShardRun[], options: Record<string, unknown>): void {
  const o = { ...defaultHessianOptions, ...hessianOptionsOf(options), shard: null };
  const first = shards[0];
  const { share: _share, ...whole } = (first.results.spectrum ?? {}) as Partial<HessianReport>;
  const report: Partial<HessianReport> = {
    ...whole,
    hvps: shards.reduce((a, s) => a + ((s.results.spectrum as HessianReport | undefined)?.hvps ?? 0), 0),
    seconds: shards.reduce((a, s) => a + ((s.results.spectrum as HessianReport | undefined)?.seconds ?? 0), 0),
  };
  if (o.trace && o.traceMethod === 'hutchinson') {
    const values = inOrder(
      shards,
      (s) => s.trace && { indices: s.trace.indices, items: s.trace.values },
      o.traceProbes,
      'Hutchinson probe',
    );
    report.trace = hutchinsonEstimate(values);
    target.putResult(id, 'probes', { trace: values });
  }
  if (o.density) {
    const runs = inOrder<SlqRun>(
      shards,
      (s) => s.density && { indices: s.density.indices, items: s.density.runs },
      o.runs,
      'SLQ run',
    );
    report.density = { ...smoothDensity(runs, { bandwidth: o.bandwidth }), runs };
    report.criteria = llaCriteria(runs, o.khN);
  }
  const planned = plannedStages(o);
  target.putResult(id, 'spectrum', spectrumJson(report));
  target.putResult(id, 'stages', { planned, done: planned });
  for (const v of first.store.vectors(first.run.id)) target.putVector(id, v.k, v.label, v.eigenvalue, v.data);
}

export const shardMergers: Record<string, ShardMerger> = {
  landscape: mergeGrids,
  interpolate: mergeGrids,
  trajectory: mergeGrids,
  hessian: mergeHessian,
  series: mergeSeriesShards,
};
