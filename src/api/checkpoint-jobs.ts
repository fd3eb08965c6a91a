/**
 * The app's grids through checkpoints (the series view's trajectory and interpolation): the options
 * recorded as `saddle trajectory` and `saddle interpolate` record them (so `saddle runs resume` and
 * exports read them alike), and the work through the cores the CLI runs (runs/trajectory-run.ts).
 */
import { basename } from 'node:path';
import type { LossOptions } from '../evaluator/open';
import { openEvaluator } from '../evaluator/open';
import type { GridProgress } from '../runs/landscape-run';
import type { RunRecorder, RunSpec } from '../runs/recorder';
import { bindCheckpoints, runInterpolation, runTrajectory } from '../runs/trajectory-run';
import { computedOn } from './computed-on';
import type { LandscapeResult, Request } from './contract';

type Work = (
  rec: RunRecorder | null,
  signal: AbortSignal,
  onProgress: (p: GridProgress) => void,
) => Promise<Record<string, unknown>>;

/** What to record and how to compute a trajectory of an open model (`model` its file). */
export function trajectoryJob(request: Request<'trajectory'>, model: string, loss: LossOptions) {
  const o = { steps: 21, margin: 0.2, ...request.options };
  const checkpoints = request.checkpoints;
  const spec: RunSpec = {
    kind: 'trajectory',
    name: `trajectory ${basename(model)}: ${checkpoints.length} checkpoints`,
    modelPath: model,
    dataPath: loss.data,
    seed: loss.seed,
    options: { model, ...loss, checkpoints: checkpoints.join(','), ...o },
  };
  const work: Work = async (rec, signal, onProgress) => {
    const bound = await bindCheckpoints(model, checkpoints);
    const ev = await openEvaluator(model, { ...loss, boundWeights: bound[bound.length - 1] });
    try {
      const { grid, directions, path } = await runTrajectory(ev, bound, checkpoints, o, { signal, rec, onProgress });
      return {
        x: grid.x,
        y: grid.y,
        loss: grid.loss,
        accuracy: grid.accuracy,
        directions,
        path,
        computedOn: computedOn(ev),
      };
    } finally {
      await ev.close();
    }
  };
  return { spec, work };
}

/**
 * What to record and how to compute the line between two checkpoints of an open model, or the plane
 * of three (α = 0 at `from`, 1 at `to`; β = 1 at `third`).
 */
export function interpolateJob(request: Request<'interpolate'>, model: string, loss: LossOptions) {
  const o = request.options;
  const files = [o.from, o.to, ...(o.third ? [o.third] : [])];
  const spec: RunSpec = {
    kind: 'interpolate',
    name: `interpolate ${basename(model)}: ${files.map((f) => basename(f)).join(' → ')}`,
    modelPath: model,
    dataPath: loss.data,
    weightsPath: o.from,
    seed: loss.seed,
    options: { model, ...loss, ...o },
  };
  const work = async (rec: RunRecorder | null, signal: AbortSignal, onProgress: (p: GridProgress) => void) => {
    const bound = await bindCheckpoints(model, files);
    const ev = await openEvaluator(model, { ...loss, boundWeights: bound[0] });
    try {
      const { grid, directions } = await runInterpolation(ev, bound, files, o, { signal, rec, onProgress });
      return {
        x: grid.x,
        y: grid.y,
        loss: grid.loss,
        accuracy: grid.accuracy,
        directions,
        computedOn: computedOn(ev),
      } as LandscapeResult;
    } finally {
      await ev.close();
    }
  };
  return { spec, work };
}
