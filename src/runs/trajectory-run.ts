/**
 * Grids through several checkpoints, shared by the CLI (`saddle trajectory`, `saddle interpolate`)
 * and the service (the series view's trajectory and interpolation):
 *  - trajectory: PCA of the checkpoints' differences from the last; the surface in the plane of the
 *    first two components, around the path, with the path on it;
 *  - interpolation: θ(α) = θ_from + α·(θ_to − θ_from) (a plane with a third checkpoint), BatchNorm
 *    running statistics interpolated alike.
 * Every checkpoint is bound first, so a mismatch is reported before any work starts.
 */
import { type Grid, linspace } from '../analysis/landscape';
import type { Shard } from '../analysis/shard';
import { pcaTrajectory } from '../analysis/trajectory';
import type { Evaluator } from '../evaluator/evaluator';
import { openCheckpoint } from '../formats/checkpoint';
import { type BoundWeights, bindWeights } from '../model/bind';
import { loadOnnxFile } from '../model/open';
import { weightTargets } from '../onnx-import/import';
import { evaluateRecordedGrid, type GridProgress } from './landscape-run';
import type { RunRecorder } from './recorder';

/** Bind every checkpoint file to the model, in order; the first mismatch throws. */
export async function bindCheckpoints(modelPath: string, paths: string[]): Promise<BoundWeights[]> {
  const model = await loadOnnxFile(modelPath);
  return paths.map((path) => {
    const ckpt = openCheckpoint(path);
    try {
      return bindWeights(weightTargets(model), ckpt);
    } finally {
      ckpt.close();
    }
  });
}

/** The evaluator's flat parameter vector holding these bound tensors. */
function flat(ev: Evaluator, params: Float32Array[]): Float32Array {
  const theta = new Float32Array(ev.size);
  params.forEach((t, i) => theta.set(t, ev.params[i].offset));
  return theta;
}

export interface GridWork {
  signal: AbortSignal;
  rec: RunRecorder | null;
  onProgress?: (p: GridProgress) => void;
  shard?: Shard | null;
}

export interface TrajectoryOptions {
  steps: number;
  /** Extra room around the path, as a fraction of its extent. */
  margin: number;
}

export interface TrajectoryResult {
  grid: Grid;
  directions: { kind: 'pca'; normalization: 'none'; checkpoints: string[]; explainedVariance: number[] };
  path: Array<[number, number]>;
}

/** The trajectory surface; `ev` must be opened at the last checkpoint (`bound`'s last). */
export async function runTrajectory(
  ev: Evaluator,
  bound: BoundWeights[],
  paths: string[],
  o: TrajectoryOptions,
  work: GridWork,
): Promise<TrajectoryResult> {
  const thetas = bound.map((b) => flat(ev, b.params));
  const t = pcaTrajectory(thetas);
  const span = (k: 0 | 1) => {
    const xs = t.path.map((p) => p[k]);
    const lo = Math.min(...xs);
    const hi = Math.max(...xs);
    const pad = o.margin * Math.max(hi - lo, 1e-12);
    return linspace(`${lo - pad}:${hi + pad}`, o.steps);
  };
  const directions = {
    kind: 'pca' as const,
    normalization: 'none' as const,
    checkpoints: paths,
    explainedVariance: t.explainedVariance,
  };
  work.rec?.result('path', t.path);
  const grid = await evaluateRecordedGrid(ev, thetas[thetas.length - 1], t.d1, t.d2, span(0), span(1), {
    signal: work.signal,
    rec: work.rec,
    meta: { directions, path: t.path },
    onProgress: work.onProgress ?? (() => {}),
    shard: work.shard,
  });
  return { grid, directions, path: t.path };
}

export interface InterpolationOptions {
  steps: number;
  /** The α range, 'a:b'. */
  range: string;
}

/** The line (or, with a third checkpoint, the plane); `ev` must be opened at the first checkpoint. */
export async function runInterpolation(
  ev: Evaluator,
  bound: BoundWeights[],
  files: string[],
  o: InterpolationOptions,
  work: GridWork,
) {
  const [a, b, c] = bound;
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
  const directions = { kind: c ? 'plane' : 'interpolation', checkpoints: files, normalization: 'none' };
  const grid = await evaluateRecordedGrid(ev, thetaA, d1, d2, xs, d2 ? xs : null, {
    signal: work.signal,
    rec: work.rec,
    meta: { directions },
    onProgress: work.onProgress ?? (() => {}),
    buffersAt,
    shard: work.shard,
  });
  return { grid, directions };
}
