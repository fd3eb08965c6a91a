/**
 * The one API contract between the UI and the engine. The Electron preload, the IPC handlers and
 * `saddle serve` all expose exactly these methods, validated with these schemas, so the renderer
 * does not know which host it runs in. Browser-safe: imports nothing but zod.
 */
import { z } from 'zod';
import {
  GridMetaSchema,
  HessianResultSchema,
  LandscapeResultSchema,
  ProgressPartialSchema,
  RunResultsSchema,
  StoredEigenvectorSchema,
} from './results';

export * from './results';

export const DimSchema = z.union([z.number(), z.string()]);

/** A graph input or output; `dtype` is ONNX's element type in lower case (int64 for token ids). */
export const TensorRefSchema = z.object({
  name: z.string(),
  shape: z.array(DimSchema).nullable(),
  dtype: z.string().optional(),
});

export const ModelInfoSchema = z.object({
  format: z.literal('onnx'),
  file: z.string(),
  irVersion: z.number(),
  opset: z.number(),
  producer: z.string(),
  inputs: z.array(TensorRefSchema),
  outputs: z.array(TensorRefSchema),
  ops: z.record(z.string(), z.number()),
  params: z.array(z.object({ name: z.string(), shape: z.array(z.number()), size: z.number() })),
  nParams: z.number(),
  aliases: z.array(z.object({ name: z.string(), of: z.string(), transposed: z.boolean().optional() })),
  buffers: z.array(z.string()),
  notes: z.array(z.string()),
});
export type ModelInfo = z.infer<typeof ModelInfoSchema>;

export const OpenedModelSchema = z.object({ modelId: z.string(), info: ModelInfoSchema });
export type OpenedModel = z.infer<typeof OpenedModelSchema>;

/** What binding a checkpoint to an open model matched. */
export const WeightsReportSchema = z.object({
  file: z.string(),
  format: z.string(),
  stateDict: z.string().nullable(),
  prefix: z.string(),
  matched: z.array(z.string()),
  unexpected: z.array(z.string()),
  missingBuffers: z.array(z.string()),
  optimizerState: z.number(),
});
export type WeightsReport = z.infer<typeof WeightsReportSchema>;

/** A file path on the engine's machine. Bounded so a hostile payload cannot be huge. */
const PathSchema = z.string().min(1).max(4096);

export const VersionInfoSchema = z.object({ version: z.string(), host: z.enum(['electron', 'serve', 'cli']) });
export type VersionInfo = z.infer<typeof VersionInfoSchema>;

const JobSchema = z.string().regex(/^[\w-]{1,64}$/);

const RunIdSchema = z.string().regex(/^[0-9a-f-]{4,36}$/, 'a run id (or a prefix of one)');

/** How a data set is read, as the CLI's --scale, --mean, --std, --nhwc, --inputs-key, --targets-key. */
const Preprocessing = {
  scale: z.number().positive().optional(),
  mean: z.array(z.number()).min(1).max(64).optional(),
  std: z.array(z.number().positive()).min(1).max(64).optional(),
  nhwc: z.boolean().optional(),
  inputsKey: z.string().min(1).max(200).optional(),
  targetsKey: z.string().min(1).max(200).optional(),
};

/** The fields shared by every analysis request on an open model. */
const AnalysisBase = {
  /** Chosen by the caller so it can cancel before the result arrives. */
  job: JobSchema,
  modelId: z.string().min(1).max(100),
  data: PathSchema,
  weights: PathSchema.optional(),
  batchSize: z.number().int().min(1).max(65536).default(128),
  samples: z.number().int().min(1).optional(),
  /** Graph input = array pairs (input_ids=ids,attention_mask=mask), or the inputs' array name. */
  inputs: z.string().min(1).max(2000).optional(),
  /** Where kernels run: a hardware GPU when usable (auto), the CPU, or WebGPU on any adapter. */
  backend: z.enum(['auto', 'cpu', 'webgpu']).optional(),
  /** BatchNorm: running statistics (eval, the default) or batch statistics (train). */
  bn: z.enum(['eval', 'train']).optional(),
  /** auto: integer targets mean cross-entropy, float targets mean squared error. */
  loss: z.enum(['auto', 'cross-entropy', 'mse']).optional(),
  ...Preprocessing,
};

/** A range a:b as the CLI writes it (--range -1:1). */
const RangeSchema = z.string().regex(/^-?[\d.e+-]+:-?[\d.e+-]+$/, 'a:b');

export const HessianRequestSchema = z
  .object({
    ...AnalysisBase,
    options: z
      .object({
        topK: z.number().int().min(0).max(100),
        bottomK: z.number().int().min(0).max(100),
        iterations: z.number().int().min(1).max(2000),
        trace: z.boolean(),
        traceMethod: z.enum(['hutchinson', 'hutch++']),
        traceProbes: z.number().int().min(2).max(10000),
        density: z.boolean(),
        runs: z.number().int().min(1).max(100),
        bandwidth: z.number().positive().max(1),
        khN: z.number().positive().max(10),
        perLayer: z.boolean(),
        seed: z.number().int(),
        /** Keep the eigenvectors in the run, so a landscape can follow them. */
        eigenvectors: z.boolean(),
      })
      .partial()
      .strict()
      .default({}),
  })
  .strict();

export const LandscapeRequestSchema = z
  .object({
    ...AnalysisBase,
    options: z
      .object({
        dims: z.union([z.literal(1), z.literal(2)]),
        steps: z.number().int().min(2).max(401),
        range: RangeSchema,
        /** Per-axis ranges a:b (or a:b:n for its own step count), over `range`. */
        x: z
          .string()
          .regex(/^-?[\d.e+-]+:-?[\d.e+-]+(:\d+)?$/, 'a:b or a:b:n')
          .optional(),
        y: z
          .string()
          .regex(/^-?[\d.e+-]+:-?[\d.e+-]+(:\d+)?$/, 'a:b or a:b:n')
          .optional(),
        directions: z.enum(['random', 'hessian', 'hessian-minmax', 'file', 'eigenvectors']),
        /** With directions 'file': an .npz holding d1/<param> (and d2/<param>). */
        directionsFile: PathSchema,
        /** With directions 'eigenvectors': a Hessian run's stored eigenvectors, by label (top1, bottom1). */
        eigenvectors: z.object({
          run: RunIdSchema,
          vectors: z
            .array(z.string().regex(/^(top|bottom)\d{1,3}$/))
            .min(1)
            .max(2),
        }),
        norm: z.enum(['filter', 'layer', 'model', 'weight', 'none']),
        oneD: z.enum(['zero', 'normalize', 'copy']),
        seed: z.number().int(),
      })
      .partial()
      .strict()
      .default({}),
  })
  .strict();

/** The PCA trajectory surface of checkpoints in training order (the last is the origin). */
export const TrajectoryRequestSchema = z
  .object({
    ...AnalysisBase,
    checkpoints: z.array(PathSchema).min(3).max(500),
    options: z
      .object({ steps: z.number().int().min(2).max(401), margin: z.number().min(0).max(10) })
      .partial()
      .strict()
      .default({}),
  })
  .strict();

const RunStateSchema = z.enum(['pending', 'running', 'finished', 'failed', 'cancelled', 'crashed']);

/** Interpolation between checkpoints: a curve from one to another, or the plane of three. */
export const InterpolateRequestSchema = z
  .object({
    ...AnalysisBase,
    options: z
      .object({
        from: PathSchema,
        to: PathSchema,
        third: PathSchema.optional(),
        steps: z.number().int().min(2).max(401).default(21),
        range: RangeSchema.default('-0.5:1.5'),
      })
      .strict(),
  })
  .strict();

export const RunSummarySchema = z.object({
  id: z.string(),
  name: z.string(),
  kind: z.string(),
  state: RunStateSchema,
  createdAt: z.string(),
  /** When it (last) started computing: null while pending. */
  startedAt: z.string().nullable().optional(),
  /** Seconds it computed, from start to finish; null until it ends. */
  seconds: z.number().nullable(),
  error: z.string().nullable(),
  /** What it was computed from (paths as given) and on what: what the runs table shows. */
  model: z.string().nullable().optional(),
  weights: z.string().nullable().optional(),
  data: z.string().nullable().optional(),
  /** The samples used: the --samples subset, or the data set's count when a result says it. */
  samples: z.number().nullable().optional(),
  backend: z.string().nullable().optional(),
  options: z.record(z.string(), z.unknown()).optional(),
  /** Content hashes (sha256) of the inputs. */
  hashes: z
    .object({ model: z.string().nullable(), weights: z.string().nullable(), data: z.string().nullable() })
    .optional(),
  seriesId: z.string().nullable().optional(),
  seriesMember: z.number().nullable().optional(),
});
export type RunSummary = z.infer<typeof RunSummarySchema>;

/** A checkpoint series from the app: several checkpoints of the open model on one or more data sets. */
export const SeriesRequestSchema = z
  .object({
    job: JobSchema,
    modelId: z.string().min(1).max(100),
    checkpoints: z.array(PathSchema).min(1).max(500),
    /** The first is the reference (the training set) of the criteria-accuracy correlation. */
    data: z.array(PathSchema).min(1).max(20),
    batchSize: z.number().int().min(1).max(65536).default(128),
    samples: z.number().int().min(1).optional(),
    backend: z.enum(['auto', 'cpu', 'webgpu']).optional(),
    options: z
      .object({
        topK: z.number().int().min(1).max(100),
        iterations: z.number().int().min(1).max(2000),
        runs: z.number().int().min(1).max(100),
        seed: z.number().int(),
      })
      .partial()
      .strict()
      .default({}),
  })
  .strict();

const MeanStdSchema = z.object({ mean: z.number(), std: z.number() });

export const SeriesEntrySchema = z.object({
  checkpoint: z.string(),
  data: z.string(),
  loss: z.number(),
  accuracy: z.number().nullable(),
  samples: z.number(),
  topEigenvalues: z.array(z.number()),
  trace: z.object({ estimate: z.number(), stderr: z.number() }).nullable(),
  criteria: z
    .object({
      re: MeanStdSchema,
      ct: MeanStdSchema,
      kh: z.object({ n: z.number(), mean: z.number().nullable(), std: z.number().nullable() }).passthrough(),
      hesdType: z.enum(['MP', 'MN']),
      note: z.string().optional(),
    })
    .nullable(),
  runId: z.string().optional(),
});

const CorrelationSchema = z.object({
  r: z.number().nullable(),
  n: z.number(),
  note: z.string().nullable(),
  pairs: z.array(z.object({ checkpoint: z.number(), data: z.number(), dCriterion: z.number(), dAccuracy: z.number() })),
});

/** A series read back: every member in order (checkpoint-major), its run and numbers once finished. */
export const SeriesViewSchema = z.object({
  id: z.string(),
  name: z.string(),
  createdAt: z.string(),
  model: z.string(),
  checkpoints: z.array(z.string()),
  data: z.array(z.string()),
  options: z.record(z.string(), z.unknown()),
  members: z.array(
    z.object({
      index: z.number(),
      checkpoint: z.string(),
      data: z.string(),
      checkpointIndex: z.number(),
      dataIndex: z.number(),
      runId: z.string().nullable(),
      state: RunStateSchema.nullable(),
      entry: SeriesEntrySchema.nullable(),
    }),
  ),
  /** Pearson r of Δcriterion with Δaccuracy against data set 0, with its sample size, per criterion. */
  correlation: z.record(z.string(), CorrelationSchema),
});
export type SeriesView = z.infer<typeof SeriesViewSchema>;

export const SeriesSummarySchema = z.object({
  id: z.string(),
  name: z.string(),
  createdAt: z.string(),
  members: z.number(),
  finished: z.number(),
});

/** A grid for drawing: loss[i * ny + j] at (x[i], y[j]); null where not computed yet. */
export const GridViewSchema = z.object({
  name: z.string(),
  x: z.array(z.number()),
  y: z.array(z.number()).nullable(),
  loss: z.array(z.number().nullable()),
  accuracy: z.array(z.number().nullable()).nullable(),
  meta: GridMetaSchema,
  complete: z.boolean(),
});
export type GridView = z.infer<typeof GridViewSchema>;

export const RunViewSchema = z.object({
  run: RunSummarySchema.extend({
    options: z.record(z.string(), z.unknown()),
    model: z.string().nullable(),
    data: z.string().nullable(),
    weights: z.string().nullable(),
    version: z.string(),
    host: z.string(),
  }),
  results: RunResultsSchema,
  grids: z.array(GridViewSchema),
  /** The eigenvectors stored with a Hessian run (a landscape can follow them). */
  eigenvectors: z.array(StoredEigenvectorSchema),
});
export type RunView = z.infer<typeof RunViewSchema>;

/** What a data set holds, and whether its samples fit the model's input. */
export const DataCheckSchema = z.object({
  samples: z.number().int(),
  /** One sample's shape (without the batch axis). */
  inputShape: z.array(z.number()),
  targets: z.enum(['indices', 'dense']),
  /** The model input's shape without its batch axis (names for symbolic dims). */
  modelInput: z.array(DimSchema).nullable(),
  /** null when it fits, else one sentence naming the file and both shapes. */
  problem: z.string().nullable(),
});
export type DataCheck = z.infer<typeof DataCheckSchema>;

const ExportFormatSchema = z.enum(['json', 'csv', 'vtp', 'vts', 'h5', 'npz', 'lla', 'svg', 'png', 'html']);
const CsvTableSchema = z.enum(['grid', 'eigenvalues', 'density', 'ritz', 'per-layer']);
const FigureSchema = z.enum(['surface', 'contour', 'curve', 'density']);

export const ExportRequestSchema = z
  .object({
    id: RunIdSchema,
    format: ExportFormatSchema,
    table: CsvTableSchema.optional(),
    figure: FigureSchema.optional(),
    log: z.boolean().optional(),
    zmax: z.number().positive().optional(),
    surface: z.enum(['loss', 'accuracy']).optional(),
  })
  .strict();

/** One export a run can give (the menu lists only these): a format, its table or figure, a label. */
export const ExportChoiceSchema = z.object({
  format: ExportFormatSchema,
  label: z.string(),
  table: CsvTableSchema.optional(),
  figure: FigureSchema.optional(),
});
export type ExportChoice = z.infer<typeof ExportChoiceSchema>;

/** A file for the UI to save: text as is, binary as base64. */
export const ExportedFileSchema = z.object({
  fileName: z.string(),
  mimeType: z.string(),
  encoding: z.enum(['utf8', 'base64']),
  content: z.string(),
});
export type ExportedFile = z.infer<typeof ExportedFileSchema>;

/** Every capability: its request and response schemas. Add a capability here first. */
export const methods = {
  version: { request: z.object({}).strict(), response: VersionInfoSchema },
  openModel: { request: z.object({ path: PathSchema }).strict(), response: OpenedModelSchema },
  openDemo: { request: z.object({}).strict(), response: OpenedModelSchema },
  hessian: { request: HessianRequestSchema, response: HessianResultSchema },
  cancel: { request: z.object({ job: JobSchema }).strict(), response: z.object({ cancelled: z.boolean() }) },
  openWeights: {
    request: z.object({ modelId: z.string().min(1).max(100), path: PathSchema }).strict(),
    response: WeightsReportSchema,
  },
  landscape: { request: LandscapeRequestSchema, response: LandscapeResultSchema },
  /** As `saddle trajectory`: the grid ({x, y, loss, accuracy}), directions and path, recorded as a run. */
  trajectory: { request: TrajectoryRequestSchema, response: z.record(z.string(), z.unknown()) },
  interpolate: { request: InterpolateRequestSchema, response: LandscapeResultSchema },
  /**
   * Check a data set against the open model before a job starts: it is read (as the analysis would
   * read it, with the same preprocessing) and its sample shape compared with the model's input.
   */
  checkData: {
    request: z
      .object({
        modelId: z.string().min(1).max(100),
        data: PathSchema,
        ...Preprocessing,
      })
      .strict(),
    response: DataCheckSchema,
  },
  listRuns: { request: z.object({}).strict(), response: z.array(RunSummarySchema) },
  getRun: { request: z.object({ id: RunIdSchema }).strict(), response: RunViewSchema },
  deleteRun: { request: z.object({ id: RunIdSchema }).strict(), response: z.object({ deleted: z.boolean() }) },
  exportRun: { request: ExportRequestSchema, response: ExportedFileSchema },
  /** What this run can be exported as, from what it holds; exportRun refuses the rest. */
  availableExports: { request: z.object({ id: RunIdSchema }).strict(), response: z.array(ExportChoiceSchema) },
  /**
   * A crashed, cancelled or failed landscape (from its points) or Hessian run (its unfinished stages)
   * taken up again as a queued job: pending, running with progress, cancellable.
   */
  resumeRun: {
    request: z.object({ job: JobSchema, id: RunIdSchema }).strict(),
    response: HessianResultSchema.extend(LandscapeResultSchema.partial().shape),
  },
  /** A Li et al. surface (.h5) or another Saddle runs database, brought into this one. */
  importRuns: {
    request: z.object({ path: PathSchema }).strict(),
    response: z.object({ runs: z.array(z.string()), skipped: z.number(), summary: z.string() }),
  },
  /**
   * A checkpoint series as one queued job: every checkpoint and data set is checked first (all
   * mismatches in one error), then each member runs as a recorded run of the series; progress events
   * carry the member's run id. Asking again for the same inputs and options resumes the series.
   */
  series: { request: SeriesRequestSchema, response: SeriesViewSchema },
  getSeries: { request: z.object({ id: RunIdSchema }).strict(), response: SeriesViewSchema },
  listSeries: { request: z.object({}).strict(), response: z.array(SeriesSummarySchema) },
  /** The run's HTML report as PDF, saved where the user picks (desktop app only). */
  exportPdf: {
    request: z.object({ id: RunIdSchema }).strict(),
    response: z.object({ file: z.string().nullable() }),
  },
} as const;

export type MethodName = keyof typeof methods;
export const methodNames = Object.keys(methods) as MethodName[];
export type Request<M extends MethodName> = z.infer<(typeof methods)[M]['request']>;
export type Response<M extends MethodName> = z.infer<(typeof methods)[M]['response']>;

/** The engine as the UI sees it. */
export type SaddleApi = { [M in MethodName]: (request: Request<M>) => Promise<Response<M>> };

/** Progress of long work, streamed to the UI (MessagePort in Electron, WebSocket in serve). */
export const ProgressEventSchema = z.object({
  type: z.literal('progress'),
  job: z.string(),
  stage: z.string(),
  done: z.number(),
  total: z.number(),
  message: z.string().optional(),
  etaSeconds: z.number().nullable().optional(),
  /** The recorded run this job writes, when the engine has a runs database. */
  runId: z.string().optional(),
  /** Results so far: Ritz values, or the grid point just computed. */
  partial: ProgressPartialSchema.optional(),
});
export type ProgressEvent = z.infer<typeof ProgressEventSchema>;

export const EngineEventSchema = z.union([
  ProgressEventSchema,
  z.object({ type: z.literal('engine-restarted'), message: z.string() }),
  /** A run was created, changed state or was deleted: lists of runs should refresh. */
  z.object({ type: z.literal('runs-changed') }),
]);
export type EngineEvent = z.infer<typeof EngineEventSchema>;

/** How errors cross a process or network boundary: a sentence, and its class for the UI. */
export const ApiErrorSchema = z.object({ kind: z.string(), message: z.string() });
export type ApiError = z.infer<typeof ApiErrorSchema>;

export type ApiResult<T> = { ok: true; result: T } | { ok: false; error: ApiError };

export class ApiCallError extends Error {
  override readonly name = 'ApiCallError';
  constructor(readonly error: ApiError) {
    super(error.message);
  }
}

/** The user's own Cancel, as a job's call ends with it: a state to show, not an error. */
export function isCancellation(e: unknown): boolean {
  if (e instanceof ApiCallError) return e.error.kind === 'CancelledError';
  return e instanceof Error && e.name === 'CancelledError';
}

export function isMethodName(name: string): name is MethodName {
  return Object.hasOwn(methods, name);
}
