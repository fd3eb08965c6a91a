/** `saddle landscape` and `saddle interpolate`: loss surfaces along directions, as JSON or a summary. */
import { type Grid, linspace } from '../analysis/landscape';
import { type Shard, shardLabel } from '../analysis/shard';
import { pcaTrajectory } from '../analysis/trajectory';
import { describeBinding, type LossOptions, openEvaluator } from '../evaluator/open';
import { loadOnnxFile } from '../model/open';
import { bindAll, flatParams, runInterpolation } from '../runs/interpolate-run';
import { type DirectionOptions, evaluateRecordedGrid, type GridProgress, runLandscape } from '../runs/landscape-run';
import { recorded } from '../runs/recorder';
import { hessianCommand } from './hessian';
import { noteBackend, noteUnlessJson, requireDbForShard, runSpec, stderrProgress, withCancel } from './progress';
import { withStore } from './runs';

export interface LandscapeCliOptions extends LossOptions, DirectionOptions {
  steps: number;
  range: string;
  x?: string;
  y?: string;
  /** Record the run (and every point as it finishes) in this database. */
  db?: string;
  /** Compute only this shard's points (with db). */
  shard?: Shard | null;
}

/** Run `work` with a progress line per grid point on stderr: its loss and coordinates. */
async function withPointProgress<T>(work: (onProgress: (p: GridProgress) => void) => Promise<T>): Promise<T> {
  const progress = stderrProgress('landscape');
  try {
    return await work((p) => {
      const [a, b] = p.at;
      const at = `${a.toPrecision(3)}${b === null ? '' : `, ${b.toPrecision(3)}`}`;
      progress.update('points', p.done, p.total, `loss ${p.point.loss.toPrecision(6)} at (${at})`, p.etaSeconds);
    });
  } finally {
    progress.done();
  }
}

function print(grid: Grid, directions: object, json: boolean | undefined, shard?: Shard | null): void {
  if (json) {
    // A shard's points not in its share are NaN, which JSON writes as null.
    process.stdout.write(
      `${JSON.stringify({ x: grid.x, y: grid.y, loss: grid.loss, accuracy: grid.accuracy, directions, ...(shard ? { shard } : {}) })}\n`,
    );
    return;
  }
  const all = (grid.loss as Array<number | number[]>).flat();
  const flat = all.filter((v) => !Number.isNaN(v));
  const min = Math.min(...flat);
  const max = Math.max(...flat);
  const size = grid.y ? `${grid.x.length}×${grid.y.length}` : `${grid.x.length}`;
  const points = shard ? `shard ${shardLabel(shard)}: ${flat.length} of ${size} points` : `${size} points`;
  if (!flat.length) {
    process.stdout.write(`${points} (more shards than points)\n`);
    return;
  }
  process.stdout.write(
    `${points}; loss from ${min.toPrecision(6)} to ${max.toPrecision(6)}\n${JSON.stringify(directions)}\n`,
  );
}

export async function landscapeCommand(modelPath: string, o: LandscapeCliOptions, resumeId?: string): Promise<void> {
  requireDbForShard(o);
  const ev = await openEvaluator(modelPath, o, (r) => noteUnlessJson(o)(describeBinding(o.weights ?? '', r)));
  noteBackend(o, ev);
  try {
    await withCancel((signal) =>
      recorded(
        o.db,
        runSpec('landscape', modelPath, o),
        async (rec) => {
          const { grid, directions } = await withPointProgress((onProgress) =>
            runLandscape(ev, o, signal, rec, onProgress),
          );
          print(grid, directions, o.json, o.shard);
        },
        resumeId,
      ),
    );
  } finally {
    await ev.close();
  }
}

const RESUMABLE = ['landscape', 'interpolate', 'trajectory', 'hessian'];

/**
 * `saddle runs resume ID`: continue a crashed or cancelled run: a grid from the points it has, a Hessian
 * analysis from the stages it finished.
 */
export async function resumeRun(id: string, opts: { db: string; json?: boolean }): Promise<void> {
  const run = withStore(opts.db, (store) => {
    const found = store.findRun(id);
    if (!found) throw new Error(`No run '${id}' in ${opts.db}.`);
    if (!RESUMABLE.includes(found.kind))
      throw new Error(`Run ${found.id} is a ${found.kind} run; only ${RESUMABLE.join(', ')} runs resume.`);
    if (found.state === 'finished') throw new Error(`Run ${found.id} already finished.`);
    if (found.state === 'running' || found.state === 'pending')
      throw new Error(`Run ${found.id} is ${found.state} in process ${found.pid} on ${found.host}.`);
    return found;
  });
  const options = { ...JSON.parse(run.options), db: opts.db, json: opts.json };
  if (run.kind === 'landscape') await landscapeCommand(options.model, options, run.id);
  else if (run.kind === 'hessian') await hessianCommand(options.model, options, run.id);
  else if (run.kind === 'interpolate') await interpolateCommand(options.model, options, run.id);
  else await trajectoryCommand(options.model, options, run.id);
}

export interface InterpolateCliOptions extends LossOptions {
  from: string;
  to: string;
  third?: string;
  steps: number;
  range: string;
  db?: string;
  shard?: Shard | null;
}

export interface TrajectoryCliOptions extends LossOptions {
  checkpoints: string;
  steps: number;
  margin: number;
  db?: string;
  shard?: Shard | null;
}

/** PCA of the checkpoints' differences from the last; the surface in that plane with the path on it. */
export async function trajectoryCommand(modelPath: string, o: TrajectoryCliOptions, resumeId?: string): Promise<void> {
  requireDbForShard(o);
  const model = await loadOnnxFile(modelPath);
  const paths = o.checkpoints
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
  const bound = bindAll(model, paths);
  const ev = await openEvaluator(modelPath, { ...o, boundWeights: bound[bound.length - 1] });
  try {
    await withCancel((signal) =>
      recorded(
        o.db,
        runSpec('trajectory', modelPath, o),
        async (rec) => {
          const thetas = bound.map((b) => flatParams(ev, b.params));
          const t = pcaTrajectory(thetas);
          const span = (k: 0 | 1) => {
            const xs = t.path.map((p) => p[k]);
            const lo = Math.min(...xs);
            const hi = Math.max(...xs);
            const pad = o.margin * Math.max(hi - lo, 1e-12);
            return linspace(`${lo - pad}:${hi + pad}`, o.steps);
          };
          const directions = {
            kind: 'pca',
            normalization: 'none',
            checkpoints: paths,
            explainedVariance: t.explainedVariance,
          };
          rec?.result('path', t.path);
          const meta = { directions, path: t.path };
          const grid = await withPointProgress((onProgress) =>
            evaluateRecordedGrid(ev, thetas[thetas.length - 1], t.d1, t.d2, span(0), span(1), {
              signal,
              rec,
              meta,
              onProgress,
              shard: o.shard,
            }),
          );
          if (o.json)
            process.stdout.write(
              `${JSON.stringify({ x: grid.x, y: grid.y, loss: grid.loss, accuracy: grid.accuracy, directions, path: t.path, ...(o.shard ? { shard: o.shard } : {}) })}\n`,
            );
          else print(grid, directions, false, o.shard);
        },
        resumeId,
      ),
    );
  } finally {
    await ev.close();
  }
}

/** θ(α) = θ_from + α·(θ_to − θ_from), BatchNorm statistics interpolated alike. */
export async function interpolateCommand(
  modelPath: string,
  o: InterpolateCliOptions,
  resumeId?: string,
): Promise<void> {
  requireDbForShard(o);
  await withCancel((signal) =>
    recorded(
      o.db,
      { ...runSpec('interpolate', modelPath, o), weightsPath: o.from },
      async (rec) => {
        const { grid, directions } = await withPointProgress((onProgress) =>
          runInterpolation(modelPath, o, o, signal, rec, onProgress),
        );
        print(grid, directions, o.json, o.shard);
      },
      resumeId,
    ),
  );
}
