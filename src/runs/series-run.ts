/**
 * A checkpoint series: one model, several checkpoints and data sets; for each (checkpoint, data set)
 * member the loss and accuracy, then a Hessian analysis (top eigenvalues, trace, SLQ density and the
 * LLA criteria with their spread over runs) through runHessian, each member recorded as its own run
 * in the series. Everything that does not fit is found before any work starts; a rerun of the same
 * series skips finished members and resumes the others from the stages they have.
 *
 * Members are enumerated in one fixed order (checkpoint-major), and `runSeriesMembers` computes any
 * slice of them, so a shard of a series is a slice of `seriesMembers`.
 */
import { createHash } from 'node:crypto';
import { basename } from 'node:path';
import type { LlaCriteria } from '../analysis/density';
import { CancelledError } from '../analysis/lanczos';
import { type CriterionName, criteriaAccuracyCorrelation, type SeriesPoint } from '../analysis/series-correlation';
import type { HessianOptions, HessianProgress, HessianReport } from '../analysis/spectrum';
import { subsample } from '../data/dataset';
import { type DataOptions, loadDataset } from '../data/load';
import { dataMismatches } from '../evaluator/data-fit';
import { type LossOptions, openEvaluator } from '../evaluator/open';
import { openCheckpoint } from '../formats/checkpoint';
import { type BoundWeights, bindWeights } from '../model/bind';
import { loadOnnxFile } from '../model/open';
import { weightTargets } from '../onnx-import/import';
import { openSeries, type SeriesRow, type SeriesSpec, seriesRuns } from '../store/series';
import type { RunStore } from '../store/store';
import { digest, registerInputs } from './catalog';
import { runHessian, spectrumJson } from './hessian-run';
import { type RunSpec, recorded } from './recorder';

export interface SeriesMember {
  /** Position in the series' fixed order: checkpoint-major, data sets in the order given. */
  index: number;
  checkpoint: string;
  data: string;
  checkpointIndex: number;
  dataIndex: number;
}

export function seriesMembers(checkpoints: string[], data: string[]): SeriesMember[] {
  return checkpoints.flatMap((checkpoint, checkpointIndex) =>
    data.map((d, dataIndex) => ({
      index: checkpointIndex * data.length + dataIndex,
      checkpoint,
      data: d,
      checkpointIndex,
      dataIndex,
    })),
  );
}

/** How every member is evaluated: the loss options but the data and weights, and the Hessian analysis. */
export interface SeriesOptions {
  loss: Omit<LossOptions, 'data' | 'weights' | 'boundWeights' | 'json'>;
  hessian: Partial<HessianOptions>;
}

/** The Hessian analysis a series runs on each member unless told otherwise: criteria need the density. */
export const seriesHessianDefaults: Partial<HessianOptions> = { topK: 5, bottomK: 1, trace: true, density: true };

/** Everything that does not fit, checkpoint by checkpoint and data set by data set. */
export class SeriesMismatchError extends Error {
  override readonly name = 'SeriesMismatchError';
  constructor(readonly problems: string[]) {
    super(
      `The series cannot start: ${problems.length} problem(s) found before any work.\n${problems.map((p) => `  - ${p}`).join('\n')}`,
    );
  }
}

/** Bind every checkpoint and check every data set against the model; throws with every mismatch. */
export async function prepareSeries(
  modelPath: string,
  spec: SeriesSpec,
  options: SeriesOptions,
): Promise<BoundWeights[]> {
  const model = await loadOnnxFile(modelPath);
  const problems: string[] = [];
  const message = (e: unknown) => (e instanceof Error ? e.message : String(e));
  const bound = spec.checkpoints.map((path) => {
    try {
      const ckpt = openCheckpoint(path);
      try {
        return bindWeights(weightTargets(model), ckpt);
      } finally {
        ckpt.close();
      }
    } catch (e) {
      problems.push(message(e));
      return null;
    }
  });
  const dataOptions: DataOptions = options.loss;
  for (const path of spec.data) {
    try {
      const data = subsample(await loadDataset(path, dataOptions), options.loss.samples, options.loss.seed);
      problems.push(...dataMismatches(model, data));
    } catch (e) {
      problems.push(message(e));
    }
  }
  if (spec.checkpoints.length === 0) problems.push('The series has no checkpoints (--checkpoints a.pt,b.pt,...).');
  if (spec.data.length === 0) problems.push('The series has no data sets (--data train.npz [--data test.npz]).');
  if (problems.length) throw new SeriesMismatchError(problems);
  return bound as BoundWeights[];
}

/** A series' identity: its inputs and the options its numbers depend on (threads and backend do not). */
export function seriesSpec(model: string, checkpoints: string[], data: string[], options: SeriesOptions): SeriesSpec {
  const { threads: _t, backend: _b, ...identifying } = options.loss;
  const hessian = { ...seriesHessianDefaults, ...options.hessian };
  return { model, checkpoints, data, options: { ...identifying, ...hessian } };
}

/** The series row for these inputs (by content) and options: the one a previous run left, or a new one. */
export async function openRecordedSeries(store: RunStore, spec: SeriesSpec): Promise<SeriesRow> {
  const { modelId } = await registerInputs(store, { modelPath: spec.model });
  const hashes = async (paths: string[]) => Promise.all(paths.map(async (p) => (await digest(p.split(','))).id));
  const key = createHash('sha256')
    .update(
      JSON.stringify({
        model: modelId,
        checkpoints: await hashes(spec.checkpoints),
        data: await hashes(spec.data),
        options: spec.options,
      }),
    )
    .digest('hex');
  const name = `series ${basename(spec.model)}: ${spec.checkpoints.length} checkpoint(s) × ${spec.data.length} data set(s)`;
  return openSeries(store, { key, name, modelId: modelId ?? null, spec }).series;
}

/** One member's numbers, as `saddle series --json` prints them. */
export interface SeriesEntry {
  checkpoint: string;
  data: string;
  loss: number;
  accuracy: number | null;
  samples: number;
  topEigenvalues: number[];
  trace: { estimate: number; stderr: number } | null;
  criteria: LlaCriteria | null;
  runId?: string;
}

export interface LossResult {
  loss: number;
  accuracy: number | null;
  samples: number;
}

/** A member's row of the series table, from its loss and spectrum results. */
export function entryOf(m: SeriesMember, l: LossResult, r: Partial<HessianReport>, runId?: string): SeriesEntry {
  return {
    checkpoint: m.checkpoint,
    data: m.data,
    loss: l.loss,
    accuracy: l.accuracy,
    samples: l.samples,
    topEigenvalues: r.topEigenvalues ?? [],
    trace: r.trace ? { estimate: r.trace.estimate, stderr: r.trace.stderr } : null,
    criteria: r.criteria ?? null,
    ...(runId ? { runId } : {}),
  };
}

export interface SeriesProgress {
  member: SeriesMember;
  members: number;
  /** 'loss' while the loss is evaluated, then the Hessian stages. */
  stage: string;
  done: number;
  total: number;
  message: string;
  etaSeconds: number | null;
  runId?: string;
  ritz?: HessianProgress['ritz'];
}

export interface SeriesContext {
  modelPath: string;
  options: SeriesOptions;
  /** The checkpoints bound by prepareSeries, in the series' order. */
  bound: BoundWeights[];
  /** Where members are recorded (with `series`), or nothing. */
  store: RunStore | null;
  series: SeriesRow | null;
  signal?: AbortSignal;
  onProgress?: (p: SeriesProgress) => void;
  /** A member has finished (computed now or found finished). */
  onMember?: (m: SeriesMember, e: SeriesEntry) => void;
}

/** The options a member's run records: complete enough to resume it as a plain Hessian run. */
function memberRunSpec(ctx: SeriesContext, m: SeriesMember): RunSpec {
  const hessian = { ...seriesHessianDefaults, ...ctx.options.hessian };
  return {
    kind: 'hessian',
    name: `series ${basename(ctx.modelPath)} @ ${basename(m.checkpoint)} on ${basename(m.data)}`,
    modelPath: ctx.modelPath,
    dataPath: m.data,
    weightsPath: m.checkpoint,
    seed: ctx.options.loss.seed,
    options: { model: ctx.modelPath, ...ctx.options.loss, data: m.data, weights: m.checkpoint, ...hessian },
    series: ctx.series ? { id: ctx.series.id, member: m.index } : undefined,
  };
}

/** Compute (or take from the store) the given members, in order; a shard passes its slice. */
export async function runSeriesMembers(ctx: SeriesContext, members: SeriesMember[]): Promise<SeriesEntry[]> {
  const runs = ctx.store && ctx.series ? seriesRuns(ctx.store, ctx.series.id) : new Map();
  const out: SeriesEntry[] = [];
  for (const m of members) {
    if (ctx.signal?.aborted) throw new CancelledError();
    const entry = await runMember(ctx, m, runs.get(m.index), members.length);
    ctx.onMember?.(m, entry);
    out.push(entry);
  }
  return out;
}

async function runMember(
  ctx: SeriesContext,
  m: SeriesMember,
  existing: { id: string; state: string; pid: number; host: string } | undefined,
  count: number,
): Promise<SeriesEntry> {
  const store = ctx.store;
  if (store && existing?.state === 'finished') {
    const results = store.getRun(existing.id)?.results ?? {};
    return entryOf(m, results.loss as LossResult, results.spectrum as Partial<HessianReport>, existing.id);
  }
  if (existing && (existing.state === 'running' || existing.state === 'pending'))
    throw new Error(
      `Member ${m.index + 1} (${basename(m.checkpoint)} on ${basename(m.data)}) is ${existing.state} as run ${existing.id.slice(0, 8)} in process ${existing.pid} on ${existing.host}.`,
    );
  const hessian = { ...seriesHessianDefaults, ...ctx.options.hessian };
  const resumeId = store ? existing?.id : undefined;
  return recorded(
    store ?? undefined,
    memberRunSpec(ctx, m),
    async (rec) => {
      const progress = (p: Omit<SeriesProgress, 'member' | 'members' | 'runId'>) =>
        ctx.onProgress?.({ ...p, member: m, members: count, runId: rec?.id });
      progress({ stage: 'loss', done: 0, total: 1, message: '', etaSeconds: null });
      const ev = await openEvaluator(ctx.modelPath, {
        ...ctx.options.loss,
        data: m.data,
        weights: m.checkpoint,
        boundWeights: ctx.bound[m.checkpointIndex],
      });
      try {
        let l = rec?.stored('loss') as LossResult | undefined;
        if (!l) {
          const r = await ev.evaluate(ev.initialTheta());
          l = { loss: r.loss, accuracy: r.accuracy, samples: r.samples };
          rec?.result('loss', l);
        }
        progress({ stage: 'loss', done: 1, total: 1, message: `loss ${l.loss.toPrecision(6)}`, etaSeconds: null });
        const report = await runHessian(ev, hessian, {
          signal: ctx.signal,
          rec,
          onProgress: (p) => progress(p),
        });
        return entryOf(m, l, spectrumJson(report) as Partial<HessianReport>, rec?.id);
      } finally {
        await ev.close();
      }
    },
    resumeId,
  );
}

/** The series' correlation of changes in the criteria with changes in accuracy (data set 0 the reference). */
export function seriesCorrelation(members: SeriesMember[], entries: SeriesEntry[]) {
  const points: SeriesPoint[] = members.map((m, k) => {
    const c = entries[k]?.criteria;
    const criteria: Partial<Record<CriterionName, number | null>> = c
      ? { re: c.re.mean, ct: c.ct.mean, kh: c.kh.mean }
      : {};
    return { checkpoint: m.checkpointIndex, data: m.dataIndex, accuracy: entries[k]?.accuracy ?? null, criteria };
  });
  return criteriaAccuracyCorrelation(points);
}
