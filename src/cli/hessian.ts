/** `saddle hessian MODEL --data DATA`: Hessian spectrum, trace, density, LLA criteria, per-layer curvature. */
import type { Shard } from '../analysis/shard';
import type { HessianOptions, HessianReport } from '../analysis/spectrum';
import type { Evaluator } from '../evaluator/evaluator';
import { describeBinding, type LossOptions, openEvaluator } from '../evaluator/open';
import { eigenvectorsNpz, hessianOptionsOf, runHessian, spectrumJson } from '../runs/hessian-run';
import { recorded } from '../runs/recorder';
import { writeFileAtomic } from '../util/atomic-write';
import {
  noteBackend,
  noteDeviceMemory,
  noteUnlessJson,
  requireDbForShard,
  runSpec,
  stderrProgress,
  withCancel,
} from './progress';

export interface HessianCliOptions extends LossOptions {
  topK: number;
  bottomK: number;
  trace?: boolean;
  traceMethod: 'hutchinson' | 'hutch++';
  density?: boolean;
  runs: number;
  iterations: number;
  perLayer?: boolean;
  saveEigenvectors?: string;
  khN: number;
  bandwidth: number;
  /** GiB the Lanczos basis may take in memory. */
  basisMemory?: number;
  /** Record the run in this database. */
  db?: string;
  /** Keep the eigenvectors in the run (with db). */
  eigenvectors?: boolean;
  /** Compute only this shard's Hutchinson probes and SLQ runs (with db). */
  shard?: Shard | null;
}

/**
 * With `resumeId`, a recorded run taken up again (`saddle runs resume`): its options are the recorded
 * ones (written by this command or by the app), and only the stages it had not finished run.
 */
export async function hessianCommand(modelPath: string, opts: HessianCliOptions, resumeId?: string): Promise<void> {
  requireDbForShard(opts);
  if (opts.shard && !opts.trace && !opts.density)
    throw new Error(
      `--shard splits the probes of --trace (Hutchinson) and the runs of --density; this hessian run asks for neither, so there is nothing to split.`,
    );
  const evaluator = await openEvaluator(modelPath, opts, (r) =>
    noteUnlessJson(opts)(describeBinding(opts.weights ?? '', r)),
  );
  noteBackend(opts, evaluator);
  const keepVectors = !!opts.saveEigenvectors || (!!opts.eigenvectors && !!opts.db);
  const progress = stderrProgress('hessian');
  let report: HessianReport;
  let memory: ReturnType<Evaluator['deviceMemory']> = null;
  try {
    report = await withCancel((signal) =>
      recorded(
        opts.db,
        runSpec('hessian', modelPath, opts),
        (rec) =>
          runHessian(
            evaluator,
            { ...(resumeId ? hessianOptionsOf(opts) : hessianOptions(opts)), eigenvectors: keepVectors },
            {
              signal,
              rec,
              vectors: !!opts.eigenvectors && evaluator.params,
              onProgress: (p) => progress.update(p.stage, p.done, p.total, p.message, p.etaSeconds),
            },
          ),
        resumeId,
      ),
    );
    memory = evaluator.deviceMemory();
  } finally {
    progress.done();
    await evaluator.close();
  }
  noteDeviceMemory(opts, memory);
  if (opts.saveEigenvectors && report.eigenvectors) saveEigenvectors(opts.saveEigenvectors, report, evaluator);
  const json = { ...spectrumJson(report), ...(memory ? { deviceMemory: memory } : {}) };
  process.stdout.write(opts.json ? `${JSON.stringify(json)}\n` : `${describe(report)}\n`);
}

export function hessianOptions(opts: HessianCliOptions): Partial<HessianOptions> {
  return {
    topK: opts.topK,
    bottomK: opts.bottomK,
    iterations: opts.iterations,
    trace: !!opts.trace,
    traceMethod: opts.traceMethod,
    density: !!opts.density,
    runs: opts.runs,
    perLayer: !!opts.perLayer,
    seed: opts.seed,
    khN: opts.khN,
    bandwidth: opts.bandwidth,
    shard: opts.shard ?? null,
    ...(opts.basisMemory !== undefined ? { memoryBudget: Math.round(opts.basisMemory * 2 ** 30) } : {}),
  };
}

/** The eigenvectors as an .npz, written whole or not at all. */
function saveEigenvectors(path: string, report: HessianReport, evaluator: Evaluator): void {
  const vectors = [
    ...(report.eigenvectors?.top ?? []).map((data, k) => ({ data, eigenvalue: report.topEigenvalues?.[k] ?? null })),
    ...(report.eigenvectors?.bottom ?? []).map((data, k) => ({
      data,
      eigenvalue: report.bottomEigenvalues?.[k] ?? null,
    })),
  ];
  writeFileAtomic(path, eigenvectorsNpz(vectors, evaluator.params));
}

function describe(r: HessianReport): string {
  const f = (x: number) => x.toPrecision(6);
  const lines: string[] = [];
  if (r.topEigenvalues) lines.push(`top eigenvalues     ${r.topEigenvalues.map(f).join('  ')}`);
  if (r.bottomEigenvalues) lines.push(`bottom eigenvalues  ${r.bottomEigenvalues.map(f).join('  ')}`);
  if (r.residuals) lines.push(`residuals (top)     ${r.residuals.top.map((x) => x.toExponential(1)).join('  ')}`);
  if (r.trace)
    lines.push(
      `trace               ${f(r.trace.estimate)} ± ${r.trace.stderr.toPrecision(2)} (${r.trace.method}, ${r.trace.matvecs} H·v)`,
    );
  if (r.criteria) {
    const c = r.criteria;
    lines.push(`re                  ${f(c.re.mean)} ± ${c.re.std.toPrecision(2)}`);
    lines.push(`Ct                  ${f(c.ct.mean)} ± ${c.ct.std.toPrecision(2)}  (HESD type ${c.hesdType})`);
    lines.push(
      `Kh (n=${c.kh.n})          ${c.kh.mean === null ? (c.kh.note ?? 'undefined') : `${f(c.kh.mean)} ± ${(c.kh.std ?? 0).toPrecision(2)}`}`,
    );
    if (c.note) lines.push(`note: ${c.note}`);
  }
  if (r.perLayer) {
    const w = Math.max(...r.perLayer.map((b) => b.name.length));
    lines.push('', `${'block'.padEnd(w)}  ${'size'.padStart(9)}  ${'λmax'.padStart(12)}  ${'trace'.padStart(12)}`);
    for (const b of r.perLayer)
      lines.push(
        `${b.name.padEnd(w)}  ${String(b.size).padStart(9)}  ${f(b.topEigenvalue).padStart(12)}  ${f(b.trace).padStart(12)}`,
      );
  }
  lines.push('', `${r.hvps} Hessian-vector products in ${r.seconds.toFixed(1)} s`);
  if (r.lanczos?.basisStorage === 'disk')
    lines.push(
      `Lanczos basis: ${(r.lanczos.basisBytes / 2 ** 30).toFixed(2)} GiB in a temporary file, read ${r.lanczos.reorthogonalizations} times in ${r.lanczos.steps} steps (partial reorthogonalization)`,
    );
  return lines.join('\n');
}
