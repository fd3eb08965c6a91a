/**
 * The one API contract between the UI and the engine. The Electron preload, the IPC handlers and
 * `saddle serve` all expose exactly these methods, validated with these schemas, so the renderer
 * does not know which host it runs in. Browser-safe: imports nothing but zod.
 */
import { z } from 'zod';

export const DimSchema = z.union([z.number(), z.string()]);

export const TensorRefSchema = z.object({ name: z.string(), shape: z.array(DimSchema).nullable() });

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
  aliases: z.array(z.object({ name: z.string(), of: z.string() })),
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

export const HessianRequestSchema = z
  .object({
    /** Chosen by the caller so it can cancel before the result arrives. */
    job: JobSchema,
    modelId: z.string().min(1).max(100),
    data: PathSchema,
    weights: PathSchema.optional(),
    batchSize: z.number().int().min(1).max(65536).default(128),
    samples: z.number().int().min(1).optional(),
    options: z
      .object({
        topK: z.number().int().min(0).max(100),
        bottomK: z.number().int().min(0).max(100),
        iterations: z.number().int().min(1).max(2000),
        trace: z.boolean(),
        density: z.boolean(),
        runs: z.number().int().min(1).max(100),
        perLayer: z.boolean(),
        seed: z.number().int(),
      })
      .partial()
      .strict()
      .default({}),
  })
  .strict();

/** Every capability: its request and response schemas. Add a capability here first. */
export const methods = {
  version: { request: z.object({}).strict(), response: VersionInfoSchema },
  openModel: { request: z.object({ path: PathSchema }).strict(), response: OpenedModelSchema },
  openDemo: { request: z.object({}).strict(), response: OpenedModelSchema },
  hessian: { request: HessianRequestSchema, response: z.record(z.string(), z.unknown()) },
  cancel: { request: z.object({ job: JobSchema }).strict(), response: z.object({ cancelled: z.boolean() }) },
  openWeights: {
    request: z.object({ modelId: z.string().min(1).max(100), path: PathSchema }).strict(),
    response: WeightsReportSchema,
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
});
export type ProgressEvent = z.infer<typeof ProgressEventSchema>;

export const EngineEventSchema = z.union([
  ProgressEventSchema,
  z.object({ type: z.literal('engine-restarted'), message: z.string() }),
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

export function isMethodName(name: string): name is MethodName {
  return Object.hasOwn(methods, name);
}
