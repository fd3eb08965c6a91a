/** `saddle landscape` and `saddle interpolate`: loss surfaces along directions, as JSON or a summary. */
import { readFileSync } from 'node:fs';
import {
  gaussianDirection,
  type Normalization,
  normalizeDirection,
  type OneD,
  orthogonalize,
} from '../analysis/directions';
import { CancelledError, lanczos } from '../analysis/lanczos';
import { evaluateGrid, type Grid, type GridPoint, linspace } from '../analysis/landscape';
import { pcaTrajectory } from '../analysis/trajectory';
import { canonicalSign } from '../analysis/vec';
import type { Evaluator } from '../engine/cpu/parallel';
import { openCheckpoint } from '../formats/checkpoint';
import { readNpz } from '../formats/numpy';
import { bindWeights } from '../model/bind';
import { describeBinding, type LossOptions, openEvaluator } from '../model/evaluator';
import { loadOnnxFile } from '../model/open';
import { weightTargets } from '../onnx-import/import';
import { RunStore } from '../store/store';
import { Rng } from '../util/rng';
import { noteUnlessJson, stderrProgress } from './progress';

export interface LandscapeCliOptions extends LossOptions {
  dims: 1 | 2;
  steps: number;
  range: string;
  x?: string;
  y?: string;
  directions: string;
  norm: Normalization;
  oneD: OneD;
  /** Record the run (and every point as it finishes) in this database. */
  db?: string;
}

interface DirectionInfo {
  kind: string;
  normalization: Normalization;
  oneD: OneD;
  seed: number;
  lambda1?: number;
  lambda2?: number;
  file?: string;
}

async function makeDirections(
  ev: Evaluator,
  theta: Float32Array,
  o: LandscapeCliOptions,
  signal: AbortSignal,
): Promise<{ d1: Float64Array; d2: Float64Array | null; info: DirectionInfo }> {
  const P = ev.size;
  const info: DirectionInfo = { kind: o.directions, normalization: o.norm, oneD: o.oneD, seed: o.seed };
  let d1: Float64Array;
  let d2: Float64Array | null = null;
  if (o.directions === 'random') {
    const rng = new Rng(o.seed);
    d1 = gaussianDirection(P, rng);
    if (o.dims === 2) d2 = orthogonalize(gaussianDirection(P, rng), d1);
  } else if (o.directions === 'hessian' || o.directions === 'hessian-minmax') {
    const lz = await lanczos((v) => ev.hvp(theta, v), new Rng(o.seed).gaussianVector(P), {
      steps: 100,
      topK: 2,
      bottomK: 2,
      tol: 1e-6,
      signal,
    });
    const k = lz.eig.values.length;
    let picks: number[];
    if (o.directions === 'hessian-minmax') picks = [k - 1, 0];
    else
      picks = [...Array(k).keys()].sort((a, b) => Math.abs(lz.eig.values[b]) - Math.abs(lz.eig.values[a])).slice(0, 2);
    d1 = canonicalSign(lz.ritzVector(picks[0]));
    info.lambda1 = lz.eig.values[picks[0]];
    if (o.dims === 2) {
      d2 = canonicalSign(lz.ritzVector(picks[1]));
      info.lambda2 = lz.eig.values[picks[1]];
    }
  } else {
    const arrays = readNpz(new Uint8Array(readFileSync(o.directions)), o.directions);
    const gather = (prefix: string) => {
      const d = new Float64Array(P);
      for (const p of ev.params) {
        const a = arrays.get(`${prefix}/${p.name}`);
        if (!a) throw new Error(`The directions file '${o.directions}' has no array '${prefix}/${p.name}'.`);
        if (a.data.length !== p.size)
          throw new Error(
            `'${prefix}/${p.name}' in '${o.directions}' has ${a.data.length} values; the parameter has ${p.size}.`,
          );
        d.set(a.data, p.offset);
      }
      return d;
    };
    info.kind = 'file';
    info.file = o.directions;
    d1 = gather('d1');
    if (o.dims === 2) d2 = gather('d2');
  }
  normalizeDirection(d1, theta, ev.params, o.norm, o.oneD);
  if (d2) normalizeDirection(d2, theta, ev.params, o.norm, o.oneD);
  return { d1, d2, info };
}

async function runGrid(
  ev: Evaluator,
  theta: Float32Array,
  d1: Float64Array,
  d2: Float64Array | null,
  x: number[],
  y: number[] | null,
  signal: AbortSignal,
  buffersAt?: (x: number, y: number) => Map<string, Float32Array>,
  done?: Map<string, GridPoint>,
  record?: (p: GridPoint) => void,
): Promise<Grid> {
  const progress = stderrProgress('landscape');
  try {
    return await evaluateGrid(ev, theta, d1, d2, {
      x,
      y,
      signal,
      buffersAt,
      done,
      onPoint: (p, n, total) => {
        record?.(p);
        progress.update(
          'points',
          n,
          total,
          `loss ${p.loss.toPrecision(6)} at (${x[p.i].toPrecision(3)}${y ? `, ${y[p.j].toPrecision(3)}` : ''})`,
          null,
        );
      },
    });
  } finally {
    progress.done();
  }
}

function withCancel<T>(fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const onSigint = () => controller.abort();
  process.once('SIGINT', onSigint);
  return fn(controller.signal).finally(() => process.off('SIGINT', onSigint));
}

function print(grid: Grid, directions: object, json: boolean | undefined): void {
  if (json) {
    process.stdout.write(
      `${JSON.stringify({ x: grid.x, y: grid.y, loss: grid.loss, accuracy: grid.accuracy, directions })}\n`,
    );
    return;
  }
  const flat = (grid.loss as Array<number | number[]>).flat();
  const min = Math.min(...flat);
  const max = Math.max(...flat);
  process.stdout.write(
    `${grid.y ? `${grid.x.length}×${grid.y.length}` : grid.x.length} points; loss from ${min.toPrecision(6)} to ${max.toPrecision(6)}\n${JSON.stringify(directions)}\n`,
  );
}

export async function landscapeCommand(modelPath: string, o: LandscapeCliOptions, resumeId?: string): Promise<void> {
  const ev = await openEvaluator(modelPath, o, (r) => noteUnlessJson(o)(describeBinding(o.weights ?? '', r)));
  const store = o.db ? new RunStore(o.db) : null;
  // A resumed run keeps its id and the points it has; a new one records its options to be resumable.
  const runId =
    resumeId ??
    store?.createRun({
      kind: 'landscape',
      dataPath: o.data,
      weightsPath: o.weights,
      seed: o.seed,
      options: { model: modelPath, ...o },
    });
  try {
    await withCancel(async (signal) => {
      const theta = ev.initialTheta();
      const { d1, d2, info } = await makeDirections(ev, theta, o, signal);
      const x = linspace(o.x ?? o.range, o.steps);
      const y = o.dims === 2 ? linspace(o.y ?? o.range, o.steps) : null;
      const done = new Map((store && runId ? store.points(runId) : []).map((p) => [`${p.i},${p.j}`, p]));
      const onPoint =
        store && runId ? (p: GridPoint) => store.putPoint(runId, p.i, p.j, p.loss, p.accuracy) : undefined;
      const grid = await runGrid(ev, theta, d1, d2, x, y, signal, undefined, done, onPoint);
      if (store && runId) {
        store.putResult(runId, 'grid', {
          x: grid.x,
          y: grid.y,
          loss: grid.loss,
          accuracy: grid.accuracy,
          directions: info,
        });
        store.finish(runId, 'finished');
      }
      print(grid, info, o.json);
    });
  } catch (e) {
    if (store && runId) store.finish(runId, e instanceof CancelledError ? 'cancelled' : 'failed', (e as Error).message);
    throw e;
  } finally {
    store?.close();
    await ev.close();
  }
}

/** `saddle runs resume ID`: continue a crashed or cancelled landscape run from the points it has. */
export async function resumeLandscape(id: string, opts: { db: string; json?: boolean }): Promise<void> {
  const store = new RunStore(opts.db);
  let run: ReturnType<RunStore['getRun']>;
  try {
    run = store.getRun(id);
    if (!run) throw new Error(`No run '${id}' in ${opts.db}.`);
    if (run.run.kind !== 'landscape')
      throw new Error(`Run ${run.run.id} is a ${run.run.kind} run; only landscape runs resume.`);
    if (run.run.state === 'finished') throw new Error(`Run ${run.run.id} already finished.`);
    store.reopen(run.run.id);
  } finally {
    store.close();
  }
  const options = JSON.parse(run.run.options) as LandscapeCliOptions & { model: string };
  await landscapeCommand(options.model, { ...options, db: opts.db, json: opts.json }, run.run.id);
}
export interface InterpolateCliOptions extends LossOptions {
  from: string;
  to: string;
  third?: string;
  steps: number;
  range: string;
}

function bindAll(model: Awaited<ReturnType<typeof loadOnnxFile>>, paths: string[]) {
  return paths.map((path) => {
    const ckpt = openCheckpoint(path);
    try {
      return bindWeights(weightTargets(model), ckpt);
    } finally {
      ckpt.close();
    }
  });
}

function flat(ev: Evaluator, params: Float32Array[]): Float32Array {
  const theta = new Float32Array(ev.size);
  params.forEach((t, i) => theta.set(t, ev.params[i].offset));
  return theta;
}

export interface TrajectoryCliOptions extends LossOptions {
  checkpoints: string;
  steps: number;
  margin: number;
}

/** PCA of the checkpoints' differences from the last; the surface in that plane with the path on it. */
export async function trajectoryCommand(modelPath: string, o: TrajectoryCliOptions): Promise<void> {
  const model = await loadOnnxFile(modelPath);
  const paths = o.checkpoints
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
  const bound = bindAll(model, paths);
  const ev = await openEvaluator(modelPath, { ...o, boundWeights: bound[bound.length - 1] });
  try {
    await withCancel(async (signal) => {
      const thetas = bound.map((b) => flat(ev, b.params));
      const t = pcaTrajectory(thetas);
      const span = (k: 0 | 1) => {
        const xs = t.path.map((p) => p[k]);
        const lo = Math.min(...xs);
        const hi = Math.max(...xs);
        const pad = o.margin * Math.max(hi - lo, 1e-12);
        return linspace(`${lo - pad}:${hi + pad}`, o.steps);
      };
      const grid = await runGrid(ev, thetas[thetas.length - 1], t.d1, t.d2, span(0), span(1), signal);
      const directions = {
        kind: 'pca',
        normalization: 'none',
        checkpoints: paths,
        explainedVariance: t.explainedVariance,
      };
      if (o.json)
        process.stdout.write(
          `${JSON.stringify({ x: grid.x, y: grid.y, loss: grid.loss, accuracy: grid.accuracy, directions, path: t.path })}\n`,
        );
      else print(grid, directions, false);
    });
  } finally {
    await ev.close();
  }
}

/** θ(α) = θ_from + α·(θ_to − θ_from), BatchNorm statistics interpolated alike. */
export async function interpolateCommand(modelPath: string, o: InterpolateCliOptions): Promise<void> {
  const model = await loadOnnxFile(modelPath);
  // Binding every file first reports any mismatch before work starts.
  const files = [o.from, o.to, ...(o.third ? [o.third] : [])];
  const [a, b, c] = bindAll(model, files);
  const ev = await openEvaluator(modelPath, { ...o, boundWeights: a });
  try {
    await withCancel(async (signal) => {
      const thetaA = ev.initialTheta();
      const minus = (t: Float32Array) => Float64Array.from(t, (v, k) => v - thetaA[k]);
      const d1 = minus(flat(ev, b.params));
      const d2 = c ? minus(flat(ev, c.params)) : null;
      // Running statistics move with the weights too, so (1, 0) is exactly the second checkpoint.
      const buffersAt = (x: number, y: number) => {
        const out = new Map<string, Float32Array>();
        for (const [k, va] of a.buffers) {
          const vb = b.buffers.get(k);
          const vc = c?.buffers.get(k);
          if (vb)
            out.set(
              k,
              Float32Array.from(va, (v, i) => v + x * (vb[i] - v) + (vc ? y * (vc[i] - v) : 0)),
            );
        }
        return out;
      };
      const xs = linspace(o.range, o.steps);
      const grid = await runGrid(ev, thetaA, d1, d2, xs, d2 ? xs : null, signal, buffersAt);
      const directions = { kind: c ? 'plane' : 'interpolation', checkpoints: files, normalization: 'none' };
      print(grid, directions, o.json);
    });
  } finally {
    await ev.close();
  }
}
