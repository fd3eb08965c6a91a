/**
 * The results a run holds, as typed schemas: what `getRun`, the analysis calls and progress events
 * carry to the UI, so no view reads an `unknown`. Numbers that can be non-finite in the engine
 * (a standard error from one probe is Infinity) are nullable, because JSON writes them as null.
 * Browser-safe: imports nothing but zod.
 */
import { z } from 'zod';

const numbers = z.array(z.number());

/**
 * A number measured while a job runs: NaN when the model diverged (kept as NaN by Electron's
 * structured clone, written as null by JSON). A progress event carrying one must still arrive.
 */
const measured = z.union([z.number(), z.nan(), z.null()]);
const measuredList = z.array(measured);

/** Lanczos' Ritz values so far, per step: the largest first, with their residual estimates. */
export const RitzPartialSchema = z.object({
  top: measuredList,
  bottom: measuredList,
  topResiduals: measuredList,
  bottomResiduals: measuredList,
});
export type RitzPartial = z.infer<typeof RitzPartialSchema>;

/** One landscape point just computed: loss[i][j] (j = 0 on a 1-D curve). */
export const GridPointPartialSchema = z.object({
  i: z.number().int(),
  j: z.number().int(),
  loss: measured,
  accuracy: measured,
});
export type GridPointPartial = z.infer<typeof GridPointPartialSchema>;

/** A checkpoint series' progress: which series and member, and the member's Ritz values so far. */
export const SeriesPartialSchema = z.object({
  seriesId: z.string(),
  member: z.number().int(),
  ritz: RitzPartialSchema.optional(),
});
export type SeriesPartial = z.infer<typeof SeriesPartialSchema>;

export const ProgressPartialSchema = z.union([RitzPartialSchema, GridPointPartialSchema, SeriesPartialSchema]);

export const TraceSchema = z.object({
  estimate: z.number(),
  /** Standard error of the estimate; null when it is unknown (a single probe). */
  stderr: z.number().nullable(),
  matvecs: z.number(),
  method: z.enum(['hutchinson', 'hutch++']),
});

/** One stochastic Lanczos quadrature run: Ritz nodes and their quadrature weights. */
export const SlqRunSchema = z.object({ nodes: numbers, weights: numbers });
export type SlqRunResult = z.infer<typeof SlqRunSchema>;

export const DensitySchema = z.object({ grid: numbers, values: numbers, runs: z.array(SlqRunSchema) });

const MeanStdSchema = z.object({ mean: z.number(), std: z.number() });

/** The LLA criteria (Gabdullin 2024), mean ± std over the SLQ runs. */
export const CriteriaSchema = z.object({
  re: MeanStdSchema,
  kh: z.object({ n: z.number(), mean: z.number().nullable(), std: z.number().nullable(), note: z.string().optional() }),
  ct: MeanStdSchema,
  hesdType: z.enum(['MP', 'MN']),
  note: z.string().optional(),
});
export type Criteria = z.infer<typeof CriteriaSchema>;

/** The curvature of one parameter tensor or module (tensors sharing a name prefix). */
export const PerLayerRowSchema = z.object({
  name: z.string(),
  kind: z.enum(['tensor', 'module']),
  size: z.number().int(),
  topEigenvalue: z.number(),
  trace: z.number(),
  traceStderr: z.number().nullable(),
  matvecs: z.number(),
});
export type PerLayerRow = z.infer<typeof PerLayerRowSchema>;

/** `saddle hessian --json` and the run's `spectrum` result: only the stages asked for are present. */
export const SpectrumSchema = z.object({
  topEigenvalues: numbers.optional(),
  bottomEigenvalues: numbers.optional(),
  residuals: z.object({ top: numbers, bottom: numbers }).optional(),
  trace: TraceSchema.optional(),
  density: DensitySchema.optional(),
  criteria: CriteriaSchema.optional(),
  perLayer: z.array(PerLayerRowSchema).optional(),
  lanczos: z
    .object({
      steps: z.number(),
      basisBytes: z.number(),
      basisPrecision: z.string(),
      /** Runs recorded before the basis could go to disk lack these two. */
      basisStorage: z.enum(['memory', 'disk']).optional(),
      reorthogonalizations: z.number().optional(),
    })
    .optional(),
  hvps: z.number(),
  seconds: z.number(),
});
export type Spectrum = z.infer<typeof SpectrumSchema>;

export const HessianStageSchema = z.enum(['eigenvalues', 'trace', 'density', 'per-layer']);
export type HessianStageName = z.infer<typeof HessianStageSchema>;

export const StagesSchema = z.object({ planned: z.array(HessianStageSchema), done: z.array(HessianStageSchema) });

/** Where each parameter tensor sits in the flat vectors (stored with eigenvectors). */
export const ParamLayoutSchema = z.array(
  z.object({ name: z.string(), shape: z.array(z.number()), size: z.number(), offset: z.number() }),
);

const DeviceMemorySchema = z.object({ plans: z.number(), arrays: z.number(), peak: z.number() });

/** Where a job's numbers were computed, and why not on the GPU when `auto` fell back. */
export const ComputedOnSchema = z.object({
  backend: z.string(),
  backendNotice: z.string().nullable(),
  deviceMemory: DeviceMemorySchema.nullable(),
});

/** Where a run was computed (a resumed run keeps the previous environment under `before`). */
export const EnvironmentSchema = z.object({
  saddle: z.string().optional(),
  node: z.string().optional(),
  platform: z.string().optional(),
  cpu: z.string().optional(),
  cores: z.number().optional(),
  backend: z.string().optional(),
  backendNotice: z.string().optional(),
  threads: z.number().optional(),
  /** Bytes of GPU buffers a GPU run held (executables, arrays, and the most at once). */
  deviceMemory: DeviceMemorySchema.nullable().optional(),
});

export const LossResultSchema = z.object({
  loss: z.number(),
  accuracy: z.number().nullable(),
  /** Absent where only the loss was evaluated (a series member). */
  gradNorm: z.number().optional(),
  samples: z.number(),
});

/** A trajectory's checkpoints projected on its two PCA directions (the last checkpoint is the origin). */
export const TrajectoryPathSchema = z.array(z.tuple([z.number(), z.number()]));

/** An eigenvector stored with a Hessian run: its index, label (top1, bottom2, ...) and eigenvalue. */
export const StoredEigenvectorSchema = z.object({
  k: z.number().int(),
  label: z.string(),
  eigenvalue: z.number().nullable(),
});
export type StoredEigenvector = z.infer<typeof StoredEigenvectorSchema>;

/** Every result a run may hold, by key; keys the UI does not know are left out when it is read. */
export const RunResultsSchema = z.object({
  spectrum: SpectrumSchema.partial({ hvps: true, seconds: true }).optional(),
  stages: StagesSchema.optional(),
  partial: RitzPartialSchema.optional(),
  parameters: ParamLayoutSchema.optional(),
  environment: EnvironmentSchema.extend({ before: EnvironmentSchema.nullable().optional() }).optional(),
  loss: LossResultSchema.optional(),
  path: TrajectoryPathSchema.optional(),
});
export type RunResults = z.infer<typeof RunResultsSchema>;

/** How the directions of a grid were made (stored with its axes). */
export const DirectionInfoSchema = z.object({
  kind: z.string(),
  normalization: z.string().optional(),
  oneD: z.string().optional(),
  seed: z.number().optional(),
  lambda1: z.number().optional(),
  lambda2: z.number().optional(),
  file: z.string().optional(),
  checkpoints: z.array(z.string()).optional(),
  explainedVariance: z.array(z.number()).optional(),
  /** Eigenvectors of a Hessian run: the run and which of its vectors (1-based labels top1, bottom1, ...). */
  run: z.string().optional(),
  vectors: z.array(z.string()).optional(),
});
export type DirectionInfoResult = z.infer<typeof DirectionInfoSchema>;

/** A grid's stored metadata: its directions and, for a trajectory, the projected path. */
export const GridMetaSchema = z.object({
  directions: DirectionInfoSchema.optional(),
  path: TrajectoryPathSchema.optional(),
});

/** A landscape call's answer: loss[i][j] (flat lists on a 1-D curve) and the directions used. */
export const LandscapeResultSchema = z.object({
  x: numbers,
  y: numbers.nullable(),
  loss: z.union([numbers, z.array(numbers)]),
  accuracy: z.union([z.array(z.number().nullable()), z.array(z.array(z.number().nullable()))]).nullable(),
  directions: DirectionInfoSchema,
  runId: z.string().optional(),
  computedOn: ComputedOnSchema.optional(),
});

export const HessianResultSchema = SpectrumSchema.partial({ hvps: true, seconds: true }).extend({
  runId: z.string().optional(),
  computedOn: ComputedOnSchema.optional(),
});
export type LandscapeResult = z.infer<typeof LandscapeResultSchema>;
export type HessianResult = z.infer<typeof HessianResultSchema>;
