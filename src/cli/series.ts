/**
 * `saddle series MODEL --checkpoints a.pt,b.pt --data train.npz [--data test.npz]`: per checkpoint
 * and data set the loss, accuracy, top eigenvalues, trace and LLA criteria; with `--db`, a series of
 * runs that a rerun of the same command takes up where it stopped.
 */
import { basename } from 'node:path';
import type { Correlation, CriterionName } from '../analysis/series-correlation';
import type { Shard } from '../analysis/shard';
import type { LossOptions } from '../evaluator/open';
import {
  openRecordedSeries,
  prepareSeries,
  runSeriesMembers,
  type SeriesContext,
  type SeriesEntry,
  type SeriesOptions,
  seriesCorrelation,
  seriesMembers,
  seriesSpec,
} from '../runs/series-run';
import { runSeriesShard, seriesShardMembers } from '../runs/series-shard';
import { RunStore } from '../store/store';
import { requireDbForShard, stderrProgress, withCancel } from './progress';

export interface SeriesCliOptions extends Omit<LossOptions, 'data' | 'weights'> {
  checkpoints: string;
  data: string[];
  topK: number;
  iterations: number;
  runs: number;
  khN: number;
  db?: string;
  /** Compute only this shard's members (a contiguous range of the series' order), with db. */
  shard?: Shard | null;
}

const splitList = (s: string) =>
  s
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);

export function seriesOptionsOf(o: SeriesCliOptions): SeriesOptions {
  const { checkpoints: _c, data: _d, topK, iterations, runs, khN, db: _db, json: _json, shard: _s, ...loss } = o;
  return { loss, hessian: { topK, iterations, runs, khN, seed: o.seed } };
}

export async function seriesCommand(modelPath: string, o: SeriesCliOptions): Promise<void> {
  requireDbForShard(o);
  const options = seriesOptionsOf(o);
  const spec = seriesSpec(modelPath, splitList(o.checkpoints), o.data, options);
  const bound = await prepareSeries(modelPath, spec, options);
  const members = seriesShardMembers(spec.checkpoints, spec.data, o.shard ?? null);
  const store = o.db ? new RunStore(o.db) : null;
  const progress = stderrProgress('series');
  let entries: SeriesEntry[];
  try {
    const series = store ? await openRecordedSeries(store, spec) : null;
    if (series && !o.json)
      process.stderr.write(
        `series ${series.id} (${o.shard ? `shard ${o.shard.index}/${o.shard.count}: members ${members[0]?.index + 1}–${members[members.length - 1]?.index + 1} of ${seriesMembers(spec.checkpoints, spec.data).length}` : `${members.length} members`})\n`,
      );
    entries = await withCancel((signal) => {
      const ctx: SeriesContext = {
        modelPath,
        options,
        bound,
        store,
        series,
        signal,
        onProgress: (p) =>
          progress.update(
            `[${p.member.index + 1}/${p.members} ${basename(p.member.checkpoint)} on ${basename(p.member.data)}] ${p.stage}`,
            p.done,
            p.total,
            p.message,
            p.etaSeconds,
          ),
      };
      return o.shard && store && series
        ? runSeriesShard({ ...ctx, store, series }, o.shard)
        : runSeriesMembers(ctx, members);
    });
  } finally {
    progress.done();
    store?.close();
  }
  // A shard's slice of the members says little about the correlation: the merged series gives it.
  const correlation = spec.data.length > 1 && !o.shard ? seriesCorrelation(members, entries) : null;
  if (o.json) {
    const stripped = correlation
      ? Object.fromEntries(Object.entries(correlation).map(([k, c]) => [k, { r: c.r, n: c.n, note: c.note }]))
      : undefined;
    process.stdout.write(`${JSON.stringify({ series: entries, ...(stripped ? { correlation: stripped } : {}) })}\n`);
  } else process.stdout.write(`${describe(entries, correlation)}\n`);
}

function describe(entries: SeriesEntry[], correlation: Record<CriterionName, Correlation> | null): string {
  const f = (x: number | null | undefined, p = 5) => (x === null || x === undefined ? '—' : x.toPrecision(p));
  const pm = (m: { mean: number | null; std: number | null } | undefined) =>
    m && m.mean !== null ? `${f(m.mean, 4)}±${f(m.std, 2)}` : '—';
  const rows = entries.map((e) => [
    basename(e.checkpoint),
    basename(e.data),
    f(e.loss, 6),
    e.accuracy === null ? 'n/a' : `${(100 * e.accuracy).toFixed(2)}%`,
    f(e.topEigenvalues[0]),
    e.trace ? `${f(e.trace.estimate)}±${f(e.trace.stderr, 2)}` : '—',
    pm(e.criteria?.re),
    pm(e.criteria?.kh),
    pm(e.criteria?.ct),
    e.criteria?.hesdType ?? '—',
  ]);
  const head = ['checkpoint', 'data', 'loss', 'accuracy', 'λmax', 'trace', 're', 'Kh', 'Ct', 'HESD'];
  const widths = head.map((h, k) => Math.max(h.length, ...rows.map((r) => r[k].length)));
  const line = (r: string[]) => r.map((c, k) => c.padEnd(widths[k])).join('  ');
  const lines = [line(head), ...rows.map(line)];
  if (correlation) {
    lines.push('', 'correlation of Δcriterion with Δaccuracy against the first data set (Pearson r, pairs):');
    for (const [k, c] of Object.entries(correlation))
      lines.push(
        `  ${k.padEnd(3)} r = ${c.r === null ? 'undefined' : c.r.toFixed(3)}  n = ${c.n}${c.note ? `  (${c.note})` : ''}`,
      );
  }
  return lines.join('\n');
}
