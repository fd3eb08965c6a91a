/**
 * A landscape as a run: its directions (random, Hessian axes or from a file, normalized) and its grid,
 * evaluated with every point journaled to the run as it finishes, so a killed run resumes. Shared by
 * the CLI, the demo and the app's job queue; progress goes to whatever callback the caller gives.
 */
import { readFileSync } from 'node:fs';
import {
  gaussianDirection,
  type Normalization,
  normalizeDirection,
  type OneD,
  orthogonalize,
} from '../analysis/directions';
import { lanczosIn } from '../analysis/lanczos';
import { evaluateGrid, type Grid, type GridPoint, linspace } from '../analysis/landscape';
import { type Shard, shareRange } from '../analysis/shard';
import { canonicalSign } from '../analysis/vec';
import type { Evaluator } from '../evaluator/evaluator';
import { readNpz } from '../formats/numpy';
import { Rng } from '../util/rng';
import type { RunRecorder } from './recorder';

/** What makes a set of directions. */
export interface DirectionOptions {
  dims: 1 | 2;
  /** random | hessian | hessian-minmax | a .npz path with d1/<param>, d2/<param>. */
  directions: string;
  norm: Normalization;
  oneD: OneD;
  seed: number;
  /** Directions computed elsewhere (a Hessian run's stored eigenvectors): normalized, not drawn. */
  given?: GivenDirections;
}

export interface GivenDirections {
  d1: Float64Array;
  d2: Float64Array | null;
  info: Partial<DirectionInfo>;
}

export interface DirectionInfo {
  kind: string;
  normalization: Normalization;
  oneD: OneD;
  seed: number;
  lambda1?: number;
  lambda2?: number;
  file?: string;
  /** Eigenvectors of a recorded Hessian run: its id and the vectors' labels (top1, bottom1, ...). */
  run?: string;
  vectors?: string[];
}

export async function makeDirections(
  ev: Evaluator,
  theta: Float32Array,
  o: DirectionOptions,
  signal: AbortSignal,
): Promise<{ d1: Float64Array; d2: Float64Array | null; info: DirectionInfo }> {
  const P = ev.size;
  const info: DirectionInfo = { kind: o.directions, normalization: o.norm, oneD: o.oneD, seed: o.seed };
  let d1: Float64Array;
  let d2: Float64Array | null = null;
  if (o.given) {
    if (o.dims === 2 && !o.given.d2) throw new Error('A 2-D landscape needs two directions; one was given.');
    Object.assign(info, o.given.info);
    d1 = Float64Array.from(o.given.d1);
    if (o.dims === 2) d2 = Float64Array.from(o.given.d2 as Float64Array);
  } else if (o.directions === 'random') {
    const rng = new Rng(o.seed);
    d1 = gaussianDirection(P, rng);
    if (o.dims === 2) d2 = orthogonalize(gaussianDirection(P, rng), d1);
  } else if (o.directions === 'hessian' || o.directions === 'hessian-minmax') {
    // On a device backend the Krylov vectors stay on the GPU; only the two Ritz vectors come back.
    const space = ev.space;
    const thetaV = space.fromHost(theta);
    const v0 = space.fromHost(new Rng(o.seed).gaussianVector(P));
    const lz = await lanczosIn(space, (v) => ev.hvpAt(thetaV, v), v0, {
      steps: 100,
      topK: 2,
      bottomK: 2,
      tol: 1e-6,
      signal,
    }).finally(() => {
      space.free(v0);
      space.free(thetaV);
    });
    const k = lz.eig.values.length;
    let picks: number[];
    if (o.directions === 'hessian-minmax') picks = [k - 1, 0];
    else
      picks = [...Array(k).keys()].sort((a, b) => Math.abs(lz.eig.values[b]) - Math.abs(lz.eig.values[a])).slice(0, 2);
    try {
      d1 = canonicalSign(await lz.ritzVector(picks[0]));
      info.lambda1 = lz.eig.values[picks[0]];
      if (o.dims === 2) {
        d2 = canonicalSign(await lz.ritzVector(picks[1]));
        info.lambda2 = lz.eig.values[picks[1]];
      }
    } finally {
      lz.release();
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

export interface GridProgress {
  done: number;
  total: number;
  etaSeconds: number;
  point: GridPoint;
  /** The point's coordinates (y null on a 1-D curve). */
  at: [number, number | null];
}

/** How a grid is run: cancellation, the run it is recorded in, and who hears about each point. */
export interface RecordedGridOptions {
  signal: AbortSignal;
  rec: RunRecorder | null;
  /** Directions and their provenance, stored with the grid's axes. */
  meta: object;
  onProgress?: (p: GridProgress) => void;
  /** BatchNorm statistics at a point (checkpoint interpolation moves them too). */
  buffersAt?: (x: number, y: number) => Map<string, Float32Array>;
  /**
   * Compute only this shard's points (row-major ranges, see analysis/shard.ts). They stay in the
   * run's point journal, at full precision, for `saddle runs merge` to assemble.
   */
  shard?: Shard | null;
}

/** Evaluate a grid; a recorded run journals each point and resumes from the points it has. */
export async function evaluateRecordedGrid(
  ev: Evaluator,
  theta: Float32Array,
  d1: Float64Array,
  d2: Float64Array | null,
  x: number[],
  y: number[] | null,
  { signal, rec, meta, onProgress = () => {}, buffersAt, shard }: RecordedGridOptions,
): Promise<Grid> {
  rec?.gridStart('surface', x, y, meta);
  const started = performance.now();
  let fresh = 0;
  const grid = await evaluateGrid(ev, theta, d1, d2, {
    x,
    y,
    signal,
    buffersAt,
    share: shard ? shareRange(x.length * (y?.length ?? 1), shard) : undefined,
    done: rec?.donePoints(),
    onPoint: (p, n, total) => {
      rec?.point(p);
      fresh++;
      const eta = ((performance.now() - started) / 1000 / fresh) * (total - n);
      rec?.progress({ stage: 'points', done: n, total, etaSeconds: eta });
      onProgress({ done: n, total, etaSeconds: eta, point: p, at: [x[p.i], y ? y[p.j] : null] });
    },
  });
  if (!shard) rec?.gridFinish('surface', grid);
  rec?.deviceMemory(ev.deviceMemory());
  return grid;
}

/** A whole landscape from its options: what `saddle landscape`, the app and a resume all run. */
export interface LandscapeRunOptions extends DirectionOptions {
  steps: number;
  range: string;
  x?: string;
  y?: string;
  shard?: Shard | null;
}

export async function runLandscape(
  ev: Evaluator,
  o: LandscapeRunOptions,
  signal: AbortSignal,
  rec: RunRecorder | null,
  onProgress?: (p: GridProgress) => void,
): Promise<{ grid: Grid; directions: DirectionInfo }> {
  rec?.computedOn(ev);
  ev.resetDevicePeak();
  const theta = ev.initialTheta();
  const { d1, d2, info } = await makeDirections(ev, theta, o, signal);
  const x = linspace(o.x ?? o.range, o.steps);
  const y = o.dims === 2 ? linspace(o.y ?? o.range, o.steps) : null;
  const grid = await evaluateRecordedGrid(ev, theta, d1, d2, x, y, {
    signal,
    rec,
    meta: { directions: info },
    onProgress,
    shard: o.shard,
  });
  return { grid, directions: info };
}
