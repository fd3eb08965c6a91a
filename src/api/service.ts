/**
 * The engine's side of the contract. One instance per engine process (the Electron utilityProcess,
 * `saddle serve`, or a CLI command); hosts call it through `dispatch`. Analyses go through one job
 * queue and, when the engine has a runs database, are recorded as runs as they progress.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import type { HessianOptions } from '../analysis/spectrum';
import { type LossOptions, openEvaluator } from '../evaluator/open';
import { availableExports, exportRun } from '../export';
import { loadRunData } from '../export/run-data';
import { openCheckpoint } from '../formats/checkpoint';
import { bindWeights } from '../model/bind';
import { loadOnnxFile, openModelFile } from '../model/open';
import { weightTargets } from '../onnx-import/import';
import { demoPaths } from '../resources';
import { checkDirections, resolveDirections, type ServiceDirections } from '../runs/eigen-directions';
import { hessianOptionsOf, runHessian, spectrumJson } from '../runs/hessian-run';
import { importRunsFile } from '../runs/import';
import { type GridProgress, type LandscapeRunOptions, runLandscape } from '../runs/landscape-run';
import { JobQueue } from '../runs/queue';
import { RunRecorder, type RunSpec, recorded } from '../runs/recorder';
import { runSummaries } from '../runs/run-summary';
import { seriesSummaries, seriesView } from '../runs/series-view';
import type { RunStore } from '../store/store';
import { SADDLE_VERSION } from '../version';
import { type AnalysisRequest, checkDataFor, lossOptionsOf, requireFit } from './analysis-inputs';
import { interpolateJob, trajectoryJob } from './checkpoint-jobs';
import { computedOn } from './computed-on';
import type {
  EngineEvent,
  HessianResult,
  LandscapeResult,
  OpenedModel,
  Request,
  Response,
  SaddleApi,
  VersionInfo,
} from './contract';
import { runView } from './run-view';
import { startSeries } from './series-job';

export type EventSink = (event: EngineEvent) => void;

const MIME: Record<string, string> = {
  json: 'application/json',
  csv: 'text/csv',
  vtp: 'application/xml',
  vts: 'application/xml',
  h5: 'application/x-hdf5',
  npz: 'application/octet-stream',
  lla: 'text/plain',
  svg: 'image/svg+xml',
  png: 'image/png',
  html: 'text/html',
};

const runName = (kind: string, model: string, weights?: string) =>
  `${kind} ${basename(model)}${weights ? ` @ ${basename(weights)}` : ''}`;

export class SaddleService implements SaddleApi {
  private readonly models = new Map<string, OpenedModel>();
  private readonly queue = new JobQueue();
  /** Settles when every data check asked for so far has, so jobs queue in call order. */
  private admission: Promise<void> = Promise.resolve();

  constructor(
    private readonly host: VersionInfo['host'],
    private readonly emit: EventSink = () => {},
    /** Where runs are recorded; without one, analyses still run but leave no record. */
    private readonly store: RunStore | null = null,
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

  private opened(modelId: string): OpenedModel {
    const opened = this.models.get(modelId);
    if (!opened) throw new Error('Open a model first.');
    return opened;
  }

  private lossOptions(request: AnalysisRequest, seed: number): LossOptions {
    return lossOptionsOf(request, seed);
  }

  async checkData(request: Request<'checkData'>): Promise<Response<'checkData'>> {
    return checkDataFor(this.opened(request.modelId), request);
  }

  /** Refuse, before queueing, a data set whose samples do not fit the model's input. */
  private requireFit(request: AnalysisRequest): Promise<void> {
    // The check reads the data set, which takes longer for some requests than others; the jobs
    // still queue in the order they were asked for (each waits for the checks asked before it).
    const check = requireFit(this.opened(request.modelId), request);
    const before = this.admission;
    const turn = check.then(
      () => before,
      (e) =>
        before.then(() => {
          throw e;
        }),
    );
    this.admission = turn.then(
      () => {},
      () => {},
    );
    return turn;
  }

  /**
   * Queue a job, recorded as a run that is `pending` until its turn and `running` while it runs; a
   * resume queues the run it takes up again the same way. A job cancelled while it waits never
   * starts, and its run ends `cancelled`.
   */
  private async runJob<T>(
    job: string,
    spec: RunSpec,
    work: (rec: RunRecorder | null, signal: AbortSignal, runId?: string) => Promise<T>,
    resumeId?: string,
  ): Promise<T & { runId?: string }> {
    // The queue slot is taken now, in call order; recording the run (hashing its inputs) may finish later.
    const store = this.store;
    if (resumeId) store?.requeue(resumeId);
    const created = resumeId
      ? Promise.resolve(resumeId)
      : store
        ? RunRecorder.createPending(store, spec)
        : Promise.resolve(undefined);
    void created.then(
      () => this.emit({ type: 'runs-changed' }),
      () => {},
    );
    try {
      return await this.queue.submit(job, async (signal) => {
        const runId = await created;
        const result = await recorded(
          store ?? undefined,
          spec,
          (rec) => {
            // The run is `running` now: lists show it.
            this.emit({ type: 'runs-changed' });
            return work(rec, signal, runId);
          },
          runId,
        );
        return { ...result, runId };
      });
    } catch (e) {
      const runId = await created.catch(() => undefined);
      if (store && runId && store.findRun(runId)?.state === 'pending')
        store.finish(runId, 'cancelled', e instanceof Error ? e.message : String(e));
      throw e;
    } finally {
      this.emit({ type: 'runs-changed' });
    }
  }

  /** A Hessian analysis of an open model; progress streams as events tagged with the caller's job id. */
  async hessian(request: Request<'hessian'>): Promise<Response<'hessian'>> {
    const opened = this.opened(request.modelId);
    await this.requireFit(request);
    const loss = this.lossOptions(request, request.options.seed ?? 0);
    const spec: RunSpec = {
      kind: 'hessian',
      name: runName('hessian', opened.info.file, request.weights),
      modelPath: opened.info.file,
      dataPath: request.data,
      weightsPath: request.weights,
      seed: loss.seed,
      options: { model: opened.info.file, ...loss, ...request.options },
    };
    return this.runJob(request.job, spec, (rec, signal, runId) =>
      this.hessianWork(opened.info.file, loss, request.options, request.job, rec, signal, runId),
    );
  }

  private async hessianWork(
    model: string,
    loss: LossOptions,
    options: Partial<HessianOptions>,
    job: string,
    rec: RunRecorder | null,
    signal: AbortSignal,
    runId?: string,
  ) {
    // The kernels never run on the event loop that answers API calls.
    const evaluator = await openEvaluator(model, { ...loss, offMainThread: true });
    try {
      const report = await runHessian(evaluator, options, {
        signal,
        rec,
        // The eigenvectors stay with the run, so the spectrum view can start a landscape along one.
        vectors: options.eigenvectors ? evaluator.params : false,
        onProgress: (p) =>
          this.emit({
            type: 'progress',
            job,
            stage: p.stage,
            done: p.done,
            total: p.total,
            etaSeconds: p.etaSeconds,
            message: p.message,
            runId,
            partial: p.ritz,
          }),
      });
      return { ...spectrumJson(report), computedOn: computedOn(evaluator) } as HessianResult;
    } finally {
      await evaluator.close();
    }
  }

  /** A 1-D or 2-D landscape; each point is recorded and streamed as it finishes. */
  async landscape(request: Request<'landscape'>): Promise<Response<'landscape'>> {
    const opened = this.opened(request.modelId);
    await this.requireFit(request);
    checkDirections(request.options);
    const o = {
      dims: 2 as 1 | 2,
      steps: 21,
      range: '-1:1',
      directions: 'random',
      norm: 'filter' as const,
      oneD: 'zero' as const,
      seed: 0,
      ...request.options,
    };
    const loss = this.lossOptions(request, o.seed);
    const spec: RunSpec = {
      kind: 'landscape',
      name: runName('landscape', opened.info.file, request.weights),
      modelPath: opened.info.file,
      dataPath: request.data,
      weightsPath: request.weights,
      seed: o.seed,
      options: { model: opened.info.file, ...loss, ...o },
    };
    return this.runJob(request.job, spec, (rec, signal, runId) =>
      this.landscapeWork(opened.info.file, loss, o, request.job, rec, signal, runId),
    );
  }

  /** The PCA trajectory surface through checkpoints, and the line between two (the series view's). */
  async trajectory(request: Request<'trajectory'>): Promise<Response<'trajectory'>> {
    const { spec, work } = trajectoryJob(request, this.opened(request.modelId).info.file, this.lossOptions(request, 0));
    return this.runJob(request.job, spec, (rec, signal, runId) =>
      work(rec, signal, this.pointEvents(request.job, runId)),
    );
  }

  async interpolate(request: Request<'interpolate'>): Promise<Response<'interpolate'>> {
    await this.requireFit(request);
    const { spec, work } = interpolateJob(
      request,
      this.opened(request.modelId).info.file,
      this.lossOptions(request, 0),
    );
    return this.runJob(request.job, spec, (rec, signal, runId) =>
      work(rec, signal, this.pointEvents(request.job, runId)),
    );
  }

  /** Each grid point as a progress event of the job. */
  private pointEvents(job: string, runId?: string) {
    return (p: GridProgress) =>
      this.emit({
        type: 'progress',
        job,
        stage: 'points',
        done: p.done,
        total: p.total,
        etaSeconds: p.etaSeconds,
        runId,
        partial: p.point,
      });
  }

  private async landscapeWork(
    model: string,
    loss: LossOptions,
    recorded: LandscapeRunOptions & ServiceDirections,
    job: string,
    rec: RunRecorder | null,
    signal: AbortSignal,
    runId?: string,
  ) {
    const ev = await openEvaluator(model, { ...loss, offMainThread: true });
    try {
      // Directions from a file or from a Hessian run's eigenvectors are resolved here, so a resume
      // (which has only the recorded options) resolves them the same way.
      const o = resolveDirections(recorded, () => this.runs(), ev.size);
      const { grid, directions } = await runLandscape(ev, o, signal, rec, this.pointEvents(job, runId));
      return {
        x: grid.x,
        y: grid.y,
        loss: grid.loss,
        accuracy: grid.accuracy,
        directions: directions as LandscapeResult['directions'],
        computedOn: computedOn(ev),
      };
    } finally {
      await ev.close();
    }
  }

  /**
   * Take a crashed, cancelled or failed landscape or Hessian run up again, with its recorded options,
   * as a queued job like any other: `pending`, then `running` with progress, cancellable. A landscape
   * keeps its recorded points; a Hessian analysis computes only the stages it had not finished.
   */
  async resumeRun(request: Request<'resumeRun'>): Promise<Response<'resumeRun'>> {
    const store = this.runs();
    const run = store.findRun(request.id);
    if (!run) throw new Error(`No run '${request.id}'.`);
    if (run.kind !== 'landscape' && run.kind !== 'hessian')
      throw new Error(`Run ${run.id.slice(0, 8)} is a ${run.kind} run; only landscapes and Hessian runs resume here.`);
    if (!['crashed', 'cancelled', 'failed'].includes(run.state))
      throw new Error(`Run ${run.id.slice(0, 8)} is ${run.state}; only crashed, cancelled or failed runs resume.`);
    if (this.queue.list().some((j) => j.job === request.job))
      throw new Error(`Job '${request.job}' is already queued.`);
    const options = JSON.parse(run.options) as LossOptions & LandscapeRunOptions & { model: string };
    const spec: RunSpec = { kind: run.kind, options };
    return this.runJob(
      request.job,
      spec,
      (rec, signal): Promise<Response<'resumeRun'>> =>
        run.kind === 'hessian'
          ? this.hessianWork(options.model, options, hessianOptionsOf(options), request.job, rec, signal, run.id)
          : this.landscapeWork(options.model, options, options, request.job, rec, signal, run.id),
      run.id,
    );
  }

  async series(request: Request<'series'>): Promise<Response<'series'>> {
    const opened = this.opened(request.modelId);
    return startSeries(request, opened.info.file, {
      store: this.runs(),
      queue: this.queue,
      emit: this.emit,
      threads: availableParallelism(),
    });
  }

  async getSeries(request: Request<'getSeries'>): Promise<Response<'getSeries'>> {
    return seriesView(this.runs(), request.id);
  }

  async listSeries(): Promise<Response<'listSeries'>> {
    return seriesSummaries(this.runs());
  }

  async cancel(request: Request<'cancel'>): Promise<Response<'cancel'>> {
    return { cancelled: this.queue.cancel(request.job) };
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

  private runs(): RunStore {
    if (!this.store) throw new Error('This engine has no runs database, so runs are not recorded.');
    return this.store;
  }

  async listRuns(): Promise<Response<'listRuns'>> {
    return runSummaries(this.runs());
  }

  async getRun(request: Request<'getRun'>): Promise<Response<'getRun'>> {
    return runView(this.runs(), request.id);
  }

  async deleteRun(request: Request<'deleteRun'>): Promise<Response<'deleteRun'>> {
    const store = this.runs();
    const run = store.findRun(request.id);
    if (run && (run.state === 'running' || run.state === 'pending'))
      throw new Error(`Run ${run.id.slice(0, 8)} is ${run.state}; cancel it before deleting it.`);
    const deleted = store.deleteRun(request.id);
    this.emit({ type: 'runs-changed' });
    return { deleted };
  }

  async exportRun(request: Request<'exportRun'>): Promise<Response<'exportRun'>> {
    const store = this.runs();
    const run = store.findRun(request.id);
    if (!run) throw new Error(`No run '${request.id}'.`);
    const fileName = `saddle-${run.kind}-${run.id.slice(0, 8)}.${request.format === 'lla' ? 'log' : request.format}`;
    const mimeType = MIME[request.format];
    if (request.format === 'h5' || request.format === 'png' || request.format === 'npz') {
      // Binary formats are written to a file (h5wasm writes only files), then read back.
      const dir = mkdtempSync(join(tmpdir(), 'saddle-export-'));
      try {
        const path = join(dir, fileName);
        await exportRun(store, run.id, request, path);
        return { fileName, mimeType, encoding: 'base64', content: readFileSync(path).toString('base64') };
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
    const content = (await exportRun(store, run.id, request)) as string;
    return { fileName, mimeType, encoding: 'utf8', content };
  }

  async availableExports(request: Request<'availableExports'>): Promise<Response<'availableExports'>> {
    const store = this.runs();
    const run = store.findRun(request.id);
    if (!run) throw new Error(`No run '${request.id}'.`);
    return availableExports(loadRunData(store, run.id));
  }

  async importRuns(request: Request<'importRuns'>): Promise<Response<'importRuns'>> {
    const r = await importRunsFile(this.runs(), request.path);
    this.emit({ type: 'runs-changed' });
    return { runs: r.runs, skipped: r.skipped, summary: r.summary };
  }

  async exportPdf(): Promise<Response<'exportPdf'>> {
    throw new Error(
      'PDF export needs the desktop app. In a browser, export the HTML report and print it to PDF from there.',
    );
  }
}
