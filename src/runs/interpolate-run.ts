/**
 * Interpolation between checkpoints as a run: θ(α) = θ_A + α·(θ_B − θ_A) (a curve), or with a third
 * checkpoint the plane θ_A + α·(θ_B − θ_A) + β·(θ_C − θ_A). BatchNorm running statistics move with
 * the weights, so (1, 0) is exactly checkpoint B. Shared by `saddle interpolate` and the app's queue.
 */
import { type Grid, linspace } from '../analysis/landscape';
import type { Shard } from '../analysis/shard';
import type { Evaluator } from '../evaluator/evaluator';
import { type LossOptions, openEvaluator } from '../evaluator/open';
import { openCheckpoint } from '../formats/checkpoint';
import { bindWeights } from '../model/bind';
import { loadOnnxFile } from '../model/open';
import { weightTargets } from '../onnx-import/import';
import { evaluateRecordedGrid, type GridProgress } from './landscape-run';
import type { RunRecorder } from './recorder';

export interface InterpolationOptions {
  from: string;
  to: string;
  third?: string;
  steps: number;
  range: string;
  /** Compute only this shard's points (see analysis/shard.ts); `saddle runs merge` joins them. */
  shard?: Shard | null;
}

export interface InterpolationDirections {
  kind: 'interpolation' | 'plane';
  checkpoints: string[];
  normalization: 'none';
}

/** Bind every checkpoint to the model first, so any mismatch is reported before work starts. */
export function bindAll(model: Awaited<ReturnType<typeof loadOnnxFile>>, paths: string[]) {
  return paths.map((path) => {
    const ckpt = openCheckpoint(path);
    try {
      return bindWeights(weightTargets(model), ckpt);
    } finally {
      ckpt.close();
    }
  });
}

/** A checkpoint's parameters as one flat vector in the evaluator's order. */
export function flatParams(ev: Evaluator, params: Float32Array[]): Float32Array {
  const theta = new Float32Array(ev.size);
  params.forEach((t, i) => theta.set(t, ev.params[i].offset));
  return theta;
}

/** The whole interpolation: opens the evaluator at checkpoint A, evaluates the grid, closes it. */
export async function runInterpolation(
  modelPath: string,
  loss: LossOptions,
  o: InterpolationOptions,
  signal: AbortSignal,
  rec: RunRecorder | null,
  onProgress?: (p: GridProgress) => void,
): Promise<{ grid: Grid; directions: InterpolationDirections }> {
  const model = await loadOnnxFile(modelPath);
  const files = [o.from, o.to, ...(o.third ? [o.third] : [])];
  const [a, b, c] = bindAll(model, files);
  const ev = await openEvaluator(modelPath, { ...loss, boundWeights: a });
  try {
    rec?.computedOn(ev);
    const thetaA = ev.initialTheta();
    const minus = (t: Float32Array) => Float64Array.from(t, (v, k) => v - thetaA[k]);
    const d1 = minus(flatParams(ev, b.params));
    const d2 = c ? minus(flatParams(ev, c.params)) : null;
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
    const directions: InterpolationDirections = {
      kind: c ? 'plane' : 'interpolation',
      checkpoints: files,
      normalization: 'none',
    };
    const grid = await evaluateRecordedGrid(ev, thetaA, d1, d2, xs, d2 ? xs : null, {
      signal,
      rec,
      meta: { directions },
      onProgress,
      buffersAt,
      shard: o.shard,
    });
    return { grid, directions };
  } finally {
    await ev.close();
  }
}
