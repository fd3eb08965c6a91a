/**
 * The engine's side of the contract. One instance per engine process (the Electron utilityProcess,
 * `saddle serve`, or a CLI command); hosts call it through `dispatch`.
 */
import { randomUUID } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { analyzeHessian } from '../analysis/spectrum';
import { openCheckpoint } from '../formats/checkpoint';
import { bindWeights } from '../model/bind';
import { openEvaluator } from '../model/evaluator';
import { loadOnnxFile, openModelFile } from '../model/open';
import { weightTargets } from '../onnx-import/import';
import { demoPaths } from '../resources';
import { SADDLE_VERSION } from '../version';
import type { EngineEvent, OpenedModel, Request, Response, SaddleApi, VersionInfo } from './contract';

export type EventSink = (event: EngineEvent) => void;

export class SaddleService implements SaddleApi {
  private readonly models = new Map<string, OpenedModel>();
  private readonly jobs = new Map<string, AbortController>();

  constructor(
    private readonly host: VersionInfo['host'],
    private readonly emit: EventSink = () => {},
  ) {}

  async version(): Promise<VersionInfo> {
    return { version: SADDLE_VERSION, host: this.host };
  }

  async openModel(request: Request<'openModel'>): Promise<Response<'openModel'>> {
    const job = randomUUID();
    this.emit({ type: 'progress', job, stage: 'reading', done: 0, total: 1, message: request.path });
    const info = await openModelFile(request.path);
    this.emit({ type: 'progress', job, stage: 'reading', done: 1, total: 1 });
    const opened = { modelId: job, info };
    this.models.set(job, opened);
    return opened;
  }

  async openDemo(): Promise<Response<'openDemo'>> {
    return this.openModel({ path: demoPaths().model });
  }

  /** A Hessian analysis of an open model; progress streams as events tagged with the caller's job id. */
  async hessian(request: Request<'hessian'>): Promise<Response<'hessian'>> {
    const opened = this.models.get(request.modelId);
    if (!opened) throw new Error('Open a model first.');
    if (this.jobs.has(request.job)) throw new Error(`Job '${request.job}' is already running.`);
    const controller = new AbortController();
    this.jobs.set(request.job, controller);
    try {
      const evaluator = await openEvaluator(opened.info.file, {
        data: request.data,
        weights: request.weights,
        loss: 'auto',
        batchSize: request.batchSize,
        samples: request.samples,
        seed: 0,
        bn: 'eval',
        threads: availableParallelism(),
      });
      try {
        const report = await analyzeHessian(
          evaluator,
          evaluator.initialTheta(),
          request.options,
          (p) =>
            this.emit({
              type: 'progress',
              job: request.job,
              stage: p.stage,
              done: p.done,
              total: p.total,
              message: p.message,
              etaSeconds: p.etaSeconds,
            }),
          controller.signal,
        );
        const { eigenvectors: _v, ...rest } = report;
        return rest as Record<string, unknown>;
      } finally {
        await evaluator.close();
      }
    } finally {
      this.jobs.delete(request.job);
    }
  }

  async cancel(request: Request<'cancel'>): Promise<Response<'cancel'>> {
    const job = this.jobs.get(request.job);
    job?.abort();
    return { cancelled: job !== undefined };
  }

  async openWeights(request: Request<'openWeights'>): Promise<Response<'openWeights'>> {
    const opened = this.models.get(request.modelId);
    if (!opened) throw new Error('Open a model first: weights are bound to an open model by parameter name.');
    const model = await loadOnnxFile(opened.info.file);
    const ckpt = openCheckpoint(request.path);
    try {
      const bound = bindWeights(weightTargets(model), ckpt);
      return {
        file: request.path,
        format: ckpt.format,
        stateDict: ckpt.stateDictPath || null,
        ...bound.report,
        optimizerState: ckpt.optimizer?.size ?? 0,
      };
    } finally {
      ckpt.close();
    }
  }
}
