/**
 * A Hessian analysis as a run, driven by one function for the CLI, the demo, the app's job queue and
 * a resume: its stages (eigenvalues, trace, density, per-layer) run one after another and each is
 * recorded the moment it finishes, so a cancelled, crashed or failed run keeps every finished stage
 * (the spectrum JSON holds them, eigenvectors are float32 BLOBs) and a resume computes only the rest.
 */
import {
  analyzeHessian,
  defaultHessianOptions,
  type HessianOptions,
  type HessianProgress,
  type HessianReport,
  wholeStagesHere,
} from '../analysis/spectrum';
import type { Evaluator } from '../evaluator/evaluator';
import { writeNpz } from '../formats/npz-write';
import type { RunRecorder } from './recorder';

/** Where each parameter tensor sits in the flat vectors. */
export type ParamLayout = Array<{ name: string; shape: number[]; size: number; offset: number }>;

/**
 * Eigenvectors as an .npz: v1/<param>, v2/<param>, ... in the order given (top first, then bottom
 * ascending), plus `eigenvalues`, the layout `saddle landscape --directions` reads back.
 */
export function eigenvectorsNpz(
  vectors: Array<{
    data: ArrayLike<number> & { subarray(a: number, b: number): ArrayLike<number> };
    eigenvalue: number | null;
  }>,
  params: ParamLayout,
): Uint8Array {
  const arrays = vectors.flatMap((v, k) =>
    params.map((p) => ({
      name: `v${k + 1}/${p.name}`,
      data: Float32Array.from(v.data.subarray(p.offset, p.offset + p.size)),
      shape: p.shape,
    })),
  );
  const values = vectors.map((v) => v.eigenvalue ?? Number.NaN);
  arrays.push({ name: 'eigenvalues', data: Float32Array.from(values), shape: [values.length] });
  return writeNpz(arrays);
}

/** The documented JSON, in the documented key order, leaving out what was not asked for. */
export function spectrumJson(r: Partial<HessianReport>) {
  const keys = [
    'topEigenvalues',
    'bottomEigenvalues',
    'residuals',
    'trace',
    'density',
    'criteria',
    'perLayer',
    'lanczos',
    'share',
    'hvps',
    'seconds',
  ] as const;
  return Object.fromEntries(keys.filter((k) => r[k] !== undefined).map((k) => [k, r[k]]));
}

export type HessianStage = HessianProgress['stage'];

/**
 * analyzeHessian's stages, each run alone by turning the others off. Every stage draws its probes
 * from its own seed (seed, seed + 1, ...) at the same θ, so the numbers are those of one whole call.
 */
const STAGES: Array<{ name: HessianStage; wanted(o: HessianOptions): boolean }> = [
  { name: 'eigenvalues', wanted: (o) => (o.topK > 0 || o.bottomK > 0) && wholeStagesHere(o) },
  { name: 'trace', wanted: (o) => o.trace && (o.traceMethod === 'hutchinson' || wholeStagesHere(o)) },
  { name: 'density', wanted: (o) => o.density },
  { name: 'per-layer', wanted: (o) => o.perLayer && wholeStagesHere(o) },
];

function onlyStage(o: HessianOptions, stage: HessianStage): HessianOptions {
  return {
    ...o,
    topK: stage === 'eigenvalues' ? o.topK : 0,
    bottomK: stage === 'eigenvalues' ? o.bottomK : 0,
    trace: stage === 'trace',
    density: stage === 'density',
    perLayer: stage === 'per-layer',
  };
}

/** Which stages a run asked for and which it has: recorded as the result `stages`. */
export interface HessianStages {
  planned: HessianStage[];
  done: HessianStage[];
}

/** The stages these options ask for, in the order they run. */
export function plannedStages(options: Partial<HessianOptions>): HessianStage[] {
  const o = { ...defaultHessianOptions, ...options };
  return STAGES.filter((s) => s.wanted(o)).map((s) => s.name);
}

/** The analysis options of a recorded run (its options also hold the loss's), unset ones left out. */
export function hessianOptionsOf(recorded: object): Partial<HessianOptions> {
  const o = recorded as Record<string, unknown>;
  return Object.fromEntries(
    Object.keys(defaultHessianOptions)
      .filter((k) => o[k] !== undefined && o[k] !== null)
      .map((k) => [k, o[k]]),
  );
}

export interface HessianRunOptions {
  signal?: AbortSignal;
  rec: RunRecorder | null;
  onProgress?: (p: HessianProgress) => void;
  /** Store the eigenvectors in the run, with this layout (they are computed when options ask). */
  vectors?: false | ParamLayout;
}

/** Eigenvectors as float32 BLOBs, top first then bottom, with the layout that reads them back. */
function recordVectors(rec: RunRecorder, r: HessianReport, layout: ParamLayout): void {
  if (!r.eigenvectors) return;
  rec.result('parameters', layout);
  const top = r.eigenvectors.top.map((v, i) => ({ v, label: `top${i + 1}`, value: r.topEigenvalues?.[i] ?? null }));
  const bottom = r.eigenvectors.bottom.map((v, i) => ({
    v,
    label: `bottom${i + 1}`,
    value: r.bottomEigenvalues?.[i] ?? null,
  }));
  [...top, ...bottom].forEach((e, k) => {
    rec.vector(k, e.label, e.value, e.v);
  });
}

/**
 * The whole analysis: what `saddle hessian`, the demo, the app and a resume run. A run taken up again
 * (its recorder holds `stages`) skips the stages it has; the report returned holds them all.
 */
export async function runHessian(
  ev: Evaluator,
  options: Partial<HessianOptions>,
  { signal, rec, onProgress = () => {}, vectors = false }: HessianRunOptions,
): Promise<HessianReport> {
  rec?.computedOn(ev);
  ev.resetDevicePeak();
  const o = { ...defaultHessianOptions, ...hessianOptionsOf(options) };
  const planned = plannedStages(o);
  const before = rec?.stored('stages') as HessianStages | undefined;
  const done: HessianStage[] = before ? before.done.filter((s) => planned.includes(s)) : [];
  let report: HessianReport = {
    hvps: 0,
    seconds: 0,
    ...(done.length ? (rec?.stored('spectrum') as Partial<HessianReport>) : {}),
  };
  rec?.result('stages', { planned, done } satisfies HessianStages);
  const theta = ev.initialTheta();
  for (const stage of planned) {
    if (done.includes(stage)) continue;
    const r = await analyzeHessian(
      ev,
      theta,
      onlyStage(o, stage),
      (p) => {
        // Recorded before it is shown: what the user saw survives a kill.
        rec?.progress(
          { stage: p.stage, done: p.done, total: p.total, etaSeconds: p.etaSeconds },
          p.ritz && { key: 'partial', value: p.ritz },
        );
        onProgress(p);
      },
      signal,
    );
    const { hvps, seconds, share, ...found } = r;
    report = { ...report, ...found, hvps: report.hvps + hvps, seconds: report.seconds + seconds };
    // Each stage brings its own part of a shard's share (trace probes, SLQ runs).
    if (share) report.share = { ...report.share, ...share };
    done.push(stage);
    if (rec) {
      const stageRecorded = () => {
        rec.result('spectrum', spectrumJson(report));
        rec.result('stages', { planned, done } satisfies HessianStages);
        rec.deviceMemory(ev.deviceMemory());
        if (vectors) recordVectors(rec, r, vectors);
      };
      rec.store.db.transaction(stageRecorded)();
    }
  }
  return report;
}
