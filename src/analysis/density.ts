/**
 * Spectral density by stochastic Lanczos quadrature (Ubaru, Chen & Saad 2017; PyHessian's
 * defaults), and the LLA criteria (Gabdullin 2024) computed from the same Ritz nodes and weights.
 * See shared/docs/algorithms.md for the conventions.
 */

import { HostSpace, type VectorSpace } from '../evaluator/vectors';
import { Rng } from '../util/rng';
import { hostOperator, type LanczosProgress, lanczosIn, type MatVec, type SpaceMatVec } from './lanczos';

export interface SlqRun {
  nodes: number[];
  weights: number[];
}

export interface SlqOptions {
  runs: number;
  /** Which runs to compute (a shard's share); all `runs` by default. Run r starts from its own stream. */
  indices?: number[];
  steps: number;
  seed: number;
  memoryBudget?: number;
  signal?: AbortSignal;
  onStep?: (run: number, p: LanczosProgress) => void;
}

/** SLQ on host float64 vectors (see slqRunsIn). */
export async function slqRuns(
  matvec: MatVec,
  P: number,
  opts: SlqOptions,
): Promise<{ runs: SlqRun[]; matvecs: number }> {
  return slqRunsIn(new HostSpace(P), hostOperator(matvec), opts);
}

/** SLQ's Lanczos runs with their vectors in `space`, from seeded Rademacher start vectors. */
export async function slqRunsIn(
  space: VectorSpace,
  matvec: SpaceMatVec,
  opts: SlqOptions,
): Promise<{ runs: SlqRun[]; matvecs: number }> {
  const runs: SlqRun[] = [];
  let matvecs = 0;
  for (const r of opts.indices ?? Array.from({ length: opts.runs }, (_v, k) => k)) {
    // Each run's start vector depends on (seed, r) alone: a shard computing run r draws the same one,
    // and the device uploads the same host-drawn vector.
    const v0 = space.fromHost(Rng.forIndex(opts.seed, r).rademacherVector(space.length));
    try {
      const res = await lanczosIn(space, matvec, v0, {
        steps: opts.steps,
        memoryBudget: opts.memoryBudget,
        signal: opts.signal,
        onStep: (p) => opts.onStep?.(r, p),
      });
      res.release();
      matvecs += res.matvecs;
      runs.push({ nodes: Array.from(res.eig.values), weights: res.eig.vectors.map((s) => s[0] * s[0]) });
    } finally {
      space.free(v0);
    }
  }
  return { runs, matvecs };
}

export interface DensityOptions {
  /** Points on the grid (PyHessian: 10,000). */
  points?: number;
  /** Gaussian variance = bandwidth · max(1, λmax − λmin) (PyHessian: 1e-5). */
  bandwidth?: number;
  /** Margin added on both sides of [min λ, max λ] (PyHessian: 0.01). */
  margin?: number;
}

/** The smoothed density on a grid, averaged over runs and normalized so Σ φ Δt = 1. */
export function smoothDensity(runs: SlqRun[], opts: DensityOptions = {}): { grid: number[]; values: number[] } {
  const points = opts.points ?? 10_000;
  const margin = opts.margin ?? 0.01;
  const all = runs.flatMap((r) => r.nodes);
  const lo = Math.min(...all) - margin;
  const hi = Math.max(...all) + margin;
  const variance = (opts.bandwidth ?? 1e-5) * Math.max(1, hi - lo - 2 * margin);
  const grid = Array.from({ length: points }, (_v, i) => lo + ((hi - lo) * i) / (points - 1));
  const values = new Array<number>(points).fill(0);
  const norm = 1 / Math.sqrt(2 * Math.PI * variance);
  const reach = Math.sqrt(variance) * 40;
  const dt = (hi - lo) / (points - 1);
  for (const run of runs) {
    run.nodes.forEach((node, i) => {
      const w = run.weights[i] / runs.length;
      const first = Math.max(0, Math.floor((node - reach - lo) / dt));
      const last = Math.min(points - 1, Math.ceil((node + reach - lo) / dt));
      for (let t = first; t <= last; t++) values[t] += w * norm * Math.exp(-((grid[t] - node) ** 2) / (2 * variance));
    });
  }
  const total = values.reduce((a, b) => a + b, 0) * dt;
  return { grid, values: total > 0 ? values.map((v) => v / total) : values };
}

export interface MeanStd {
  mean: number;
  std: number;
}

export interface LlaCriteria {
  re: MeanStd;
  kh: { n: number; mean: number | null; std: number | null; note?: string };
  ct: MeanStd;
  hesdType: 'MP' | 'MN';
  note?: string;
}

function meanStd(xs: number[]): MeanStd {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const std = xs.length > 1 ? Math.sqrt(xs.reduce((a, x) => a + (x - mean) ** 2, 0) / (xs.length - 1)) : 0;
  return { mean, std };
}

/** Kh_n of one run, or null when it has no positive node (undefined). */
export function khOf(run: SlqRun, n: number): number | null {
  let neg = 0;
  let pos = 0;
  run.nodes.forEach((l, i) => {
    const x = Math.abs(l * run.weights[i]) ** n;
    if (l < 0) neg += x;
    else if (l > 0) pos += x;
  });
  return pos > 0 ? neg / pos : null;
}

export function llaCriteria(runs: SlqRun[], n = 0.5): LlaCriteria {
  const ratios = runs.map((r) => Math.min(...r.nodes) / Math.max(...r.nodes));
  const ct = meanStd(ratios);
  const re = meanStd(ratios.map(Math.abs));
  const khs = runs.map((r) => khOf(r, n));
  const defined = khs.filter((k): k is number => k !== null);
  const hesdType = ct.mean >= -0.6 ? 'MP' : 'MN';
  const kh =
    defined.length === khs.length
      ? { n, ...meanStd(defined) }
      : { n, mean: null, std: null, note: 'Kh is undefined: a run has no positive Ritz value.' };
  return {
    re,
    kh,
    ct,
    hesdType,
    note:
      hesdType === 'MN'
        ? 'The spectrum is mainly negative (Ct < -0.6); the LLA criteria do not apply to MN spectra.'
        : undefined,
  };
}
