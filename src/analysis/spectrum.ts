/**
 * `saddle hessian`: extreme eigenpairs (Lanczos), trace (Hutchinson or Hutch++), spectral density
 * (SLQ) with the LLA criteria, and per-layer curvature, from exact H·v products over the data set.
 */
import type { Evaluator } from '../evaluator/evaluator';
import { Rng } from '../util/rng';
import { type LlaCriteria, llaCriteria, type SlqRun, slqRunsIn, smoothDensity } from './density';
import { lanczosIn, type MatVec, type SpaceMatVec } from './lanczos';
import { type BlockCurvature, perLayerCurvature } from './per-layer';
import { type Shard, shareIndices } from './shard';
import { hutchinsonEstimate, hutchinsonIn, hutchinsonProbesIn, hutchPlusPlusIn, type TraceEstimate } from './trace';
import { canonicalSign } from './vec';

export interface HessianOptions {
  topK: number;
  bottomK: number;
  iterations: number;
  tol: number;
  trace: boolean;
  traceMethod: 'hutchinson' | 'hutch++';
  traceProbes: number;
  density: boolean;
  runs: number;
  bandwidth: number;
  khN: number;
  perLayer: boolean;
  perLayerSteps: number;
  seed: number;
  eigenvectors: boolean;
  memoryBudget: number;
  /**
   * Compute only this shard's Hutchinson probes and SLQ runs (see shard.ts). The stages that do not
   * split (Lanczos eigenvalues, Hutch++, per-layer) are shard 0's whole: `wholeStagesHere`.
   */
  shard: Shard | null;
}

export const defaultHessianOptions: HessianOptions = {
  topK: 5,
  bottomK: 3,
  iterations: 100,
  tol: 1e-6,
  trace: false,
  traceMethod: 'hutchinson',
  traceProbes: 100,
  density: false,
  runs: 3,
  bandwidth: 1e-5,
  khN: 0.5,
  perLayer: false,
  perLayerSteps: 20,
  seed: 0,
  eigenvectors: false,
  memoryBudget: 2 ** 31,
  shard: null,
};

/** Whether the stages that do not split run here: in a single run, or in shard 0 of a sharded one. */
export function wholeStagesHere(o: Pick<HessianOptions, 'shard'>): boolean {
  return !o.shard || o.shard.index === 0;
}

/** A shard's share of the probes, by global index, for `runs merge` to put back in order. */
export interface HessianShare {
  shard: Shard;
  /** Hutchinson probes: zᵀHz of probe `indices[k]` is `values[k]`. */
  trace?: { indices: number[]; values: number[]; maxProbes: number };
  /** SLQ runs `indices[k]` are `runs[k]`. */
  density?: { indices: number[]; runs: SlqRun[]; total: number };
}

export interface HessianProgress {
  stage: 'eigenvalues' | 'trace' | 'density' | 'per-layer';
  done: number;
  total: number;
  message: string;
  etaSeconds: number | null;
  /** Lanczos' Ritz values so far (eigenvalues stage): worth keeping if the run is cut short. */
  ritz?: { top: number[]; bottom: number[]; topResiduals: number[]; bottomResiduals: number[] };
}

export interface HessianReport {
  topEigenvalues?: number[];
  bottomEigenvalues?: number[];
  residuals?: { top: number[]; bottom: number[] };
  trace?: TraceEstimate;
  density?: { grid: number[]; values: number[]; runs: SlqRun[] };
  criteria?: LlaCriteria;
  perLayer?: BlockCurvature[];
  /** Unit eigenvectors for topEigenvalues then bottomEigenvalues (flat, over all parameters). */
  eigenvectors?: { top: Float64Array[]; bottom: Float64Array[] };
  lanczos?: {
    steps: number;
    basisBytes: number;
    basisPrecision: string;
    /** 'disk': the basis was a temporary file, read only when the orthogonality estimates asked. */
    basisStorage: 'memory' | 'disk';
    /** Passes over the whole basis (one per step when it is in memory). */
    reorthogonalizations: number;
  };
  /** A shard's probes; its trace, density and criteria are then over its own share only. */
  share?: HessianShare;
  hvps: number;
  seconds: number;
}

export async function analyzeHessian(
  evaluator: Evaluator,
  theta: Float32Array,
  options: Partial<HessianOptions>,
  onProgress: (p: HessianProgress) => void = () => {},
  signal?: AbortSignal,
): Promise<HessianReport> {
  const o = { ...defaultHessianOptions, ...options };
  const P = evaluator.size;
  const started = performance.now();
  let hvps = 0;
  let stageStart = performance.now();
  const eta = (done: number, total: number) =>
    done > 0 ? ((performance.now() - stageStart) / 1000 / done) * (total - done) : null;
  // The stages' vectors live in the evaluator's space (on the GPU with a device backend), θ too.
  const space = evaluator.space;
  const thetaV = space.fromHost(theta);
  const matvec: SpaceMatVec = async (v) => {
    hvps++;
    return evaluator.hvpAt(thetaV, v);
  };
  // Per-layer blocks are small and masked on the host.
  const hostMatvec: MatVec = async (v) => {
    hvps++;
    return evaluator.hvp(theta, v);
  };
  const report: HessianReport = { hvps: 0, seconds: 0 };
  try {
    if ((o.topK > 0 || o.bottomK > 0) && wholeStagesHere(o)) {
      stageStart = performance.now();
      const rng = new Rng(o.seed);
      const v0 = space.fromHost(rng.gaussianVector(P));
      const lz = await lanczosIn(space, matvec, v0, {
        steps: o.iterations,
        topK: o.topK,
        bottomK: o.bottomK,
        tol: o.tol,
        memoryBudget: o.memoryBudget,
        signal,
        onStep: (p) =>
          onProgress({
            stage: 'eigenvalues',
            done: p.step,
            total: p.maxSteps,
            message: `λmax ${fmt(p.top[0])} (res ${fmt(p.topResiduals[0])})${p.bottom.length ? `, λmin ${fmt(p.bottom[0])} (res ${fmt(p.bottomResiduals[0])})` : ''}`,
            etaSeconds: eta(p.step, p.maxSteps),
            ritz: { top: p.top, bottom: p.bottom, topResiduals: p.topResiduals, bottomResiduals: p.bottomResiduals },
          }),
      }).finally(() => space.free(v0));
      const k = lz.eig.values.length;
      const topIdx = Array.from({ length: Math.min(o.topK, k) }, (_v, i) => k - 1 - i);
      const bottomIdx = Array.from({ length: Math.min(o.bottomK, k) }, (_v, i) => i);
      report.topEigenvalues = topIdx.map((i) => lz.eig.values[i]);
      report.bottomEigenvalues = bottomIdx.map((i) => lz.eig.values[i]);
      report.residuals = { top: topIdx.map((i) => lz.residuals[i]), bottom: bottomIdx.map((i) => lz.residuals[i]) };
      report.lanczos = {
        steps: lz.steps,
        basisBytes: lz.basisBytes,
        basisPrecision: lz.basisPrecision,
        basisStorage: lz.basisStorage,
        reorthogonalizations: lz.reorthogonalizations,
      };
      try {
        if (o.eigenvectors) {
          const ritz = async (idx: number[]) => {
            const out: Float64Array[] = [];
            for (const i of idx) out.push(canonicalSign(await lz.ritzVector(i)));
            return out;
          };
          report.eigenvectors = { top: await ritz(topIdx), bottom: await ritz(bottomIdx) };
        }
      } finally {
        lz.release();
      }
    }

    if (o.trace) {
      stageStart = performance.now();
      const traceOpts = {
        seed: o.seed + 1,
        maxProbes: o.traceProbes,
        signal,
        onProbe: (done: number, total: number, est: number, se: number) =>
          onProgress({
            stage: 'trace',
            done,
            total,
            message: Number.isNaN(est) ? '' : `tr ${fmt(est)} ± ${fmt(se)}`,
            etaSeconds: eta(done, total),
          }),
      };
      if (o.shard && o.traceMethod === 'hutchinson') {
        const indices = shareIndices(o.traceProbes, o.shard);
        const values = await hutchinsonProbesIn(space, matvec, indices, traceOpts);
        report.share = { ...report.share, shard: o.shard, trace: { indices, values, maxProbes: o.traceProbes } };
        // The shard's own view; the merge applies the single run's stopping rule over every probe.
        if (values.length) report.trace = hutchinsonEstimate(values, { relTol: 0 });
      } else if (wholeStagesHere(o))
        report.trace =
          o.traceMethod === 'hutch++'
            ? await hutchPlusPlusIn(space, matvec, o.traceProbes, traceOpts)
            : await hutchinsonIn(space, matvec, traceOpts);
    }

    if (o.density) {
      stageStart = performance.now();
      const indices = shareIndices(o.runs, o.shard);
      const perRun = Math.min(o.iterations, P);
      const total = indices.length * perRun;
      const slq = await slqRunsIn(space, matvec, {
        runs: o.runs,
        indices,
        steps: o.iterations,
        seed: o.seed + 2,
        memoryBudget: o.memoryBudget,
        signal,
        onStep: (run, p) => {
          const done = indices.indexOf(run) * perRun + p.step;
          onProgress({
            stage: 'density',
            done,
            total,
            message: `run ${run + 1}/${o.runs}`,
            etaSeconds: eta(done, total),
          });
        },
      });
      if (o.shard)
        report.share = { ...report.share, shard: o.shard, density: { indices, runs: slq.runs, total: o.runs } };
      if (slq.runs.length) {
        report.density = { ...smoothDensity(slq.runs, { bandwidth: o.bandwidth }), runs: slq.runs };
        report.criteria = llaCriteria(slq.runs, o.khN);
      }
    }

    if (o.perLayer && wholeStagesHere(o)) {
      stageStart = performance.now();
      report.perLayer = await perLayerCurvature(hostMatvec, P, evaluator.params, {
        steps: o.perLayerSteps,
        probes: 30,
        exactTraceUpTo: 64,
        seed: o.seed + 3,
        signal,
        onBlock: (done, total, name) =>
          onProgress({ stage: 'per-layer', done, total, message: name, etaSeconds: eta(done, total) }),
      });
    }
  } finally {
    space.free(thetaV);
  }
  report.hvps = hvps;
  report.seconds = (performance.now() - started) / 1000;
  return report;
}

function fmt(x: number | undefined): string {
  return x === undefined || !Number.isFinite(x) ? '-' : x.toPrecision(5);
}
