/**
 * Recording an analysis as a run: the run row with what it was computed from, progress and partial
 * results as they come (each its own short transaction, so a killed process loses at most the
 * point in flight), and the final state: finished, cancelled or failed.
 */
import { availableParallelism, cpus } from 'node:os';
import { CancelledError } from '../analysis/lanczos';
import type { Grid, GridPoint } from '../analysis/landscape';
import type { Shard } from '../analysis/shard';
import { RunStore } from '../store/store';
import { SADDLE_VERSION } from '../version';
import { type RunInputs, registerInputs } from './catalog';
import { recordShard } from './shard-job';

export interface RunSpec extends RunInputs {
  kind: string;
  name?: string;
  options: unknown;
  seed?: number;
  /** This run is one shard of a job (see analysis/shard.ts): recorded with the job's key. */
  shard?: Shard | null;
  /** A member of a checkpoint series. */
  series?: { id: string; member: number };
}

/** Where a run was computed: enough to tell two machines' numbers apart. */
function environment() {
  return {
    saddle: SADDLE_VERSION,
    node: process.versions.node,
    platform: `${process.platform}-${process.arch}`,
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: availableParallelism(),
  };
}

/** The run row, its inputs registered by content hash, and where it is computed. */
async function insertRun(store: RunStore, spec: RunSpec, state: 'pending' | 'running'): Promise<string> {
  const inputs = await registerInputs(store, spec);
  const id = store.createRun({
    kind: spec.kind,
    name: spec.name,
    ...inputs,
    dataPath: spec.dataPath,
    weightsPath: spec.weightsPath,
    options: spec.options,
    seed: spec.seed,
    state,
    series: spec.series,
  });
  store.putResult(id, 'environment', environment());
  return id;
}

/** Progress is written at most this often: enough for a watcher, cheap for the WAL. */
const PROGRESS_INTERVAL_MS = 500;

export class RunRecorder {
  private lastProgress = 0;
  /** When this process took the run up: its compute time counts from here. */
  private readonly startedMs = Date.now();

  private constructor(
    readonly store: RunStore,
    readonly id: string,
    /** Seconds computed before a resume. */
    private readonly priorSeconds = 0,
  ) {}

  /** A new run, or `resumeId` (queued, crashed or cancelled) taken up in this process. */
  static async create(store: RunStore, spec: RunSpec, resumeId?: string): Promise<RunRecorder> {
    if (resumeId) {
      const before = store.getRun(resumeId);
      store.reopen(resumeId);
      // A resumed run may finish on another machine or Saddle: keep where each part was computed.
      const previous = before?.results.environment;
      store.putResult(resumeId, 'environment', { ...environment(), before: previous ?? null });
      // The time it computed, not the time since it first started: a crash or a wait is not work.
      // `seconds` holds what earlier parts computed (a crashed part's time is unknown, so not counted).
      return new RunRecorder(store, resumeId, before?.run.seconds ?? 0);
    }
    const id = await insertRun(store, spec, 'running');
    if (spec.shard) recordShard(store, id, spec.shard);
    return new RunRecorder(store, id);
  }

  /** Where the numbers are computed: the backend that ran (and why not the GPU), and the threads. */
  computedOn(ev: { backend: string; backendNotice: string | null; threads: number }): void {
    const env = (this.store.getRun(this.id)?.results.environment ?? {}) as Record<string, unknown>;
    this.store.putResult(this.id, 'environment', {
      ...env,
      backend: ev.backend,
      ...(ev.backendNotice ? { backendNotice: ev.backendNotice } : {}),
      threads: ev.threads,
    });
  }

  /** Device buffers the run held (bytes: executables, arrays, the most at once), on a device backend. */
  deviceMemory(memory: { plans: number; arrays: number; peak: number } | null): void {
    if (!memory) return;
    const env = (this.store.getRun(this.id)?.results.environment ?? {}) as Record<string, unknown>;
    this.store.putResult(this.id, 'environment', { ...env, deviceMemory: memory });
  }

  /** A run waiting in a job queue: `pending` until `recorded(..., id)` takes it up. */
  static createPending(store: RunStore, spec: RunSpec): Promise<string> {
    return insertRun(store, spec, 'pending');
  }

  progress(p: unknown, partial?: { key: string; value: unknown }): void {
    const t = Date.now();
    if (t - this.lastProgress < PROGRESS_INTERVAL_MS) return;
    this.lastProgress = t;
    this.store.db.transaction(() => {
      this.store.setProgress(this.id, p);
      if (partial) this.store.putResult(this.id, partial.key, partial.value);
    })();
  }

  result(key: string, value: unknown): void {
    this.store.putResult(this.id, key, value);
  }

  /** A result recorded before (by this process, or before a crash or cancel the run resumes from). */
  stored(key: string): unknown {
    return this.store.getRun(this.id)?.results[key];
  }

  gridStart(name: string, x: number[], y: number[] | null, meta: unknown): void {
    this.store.putGridAxes(this.id, name, x, y, meta);
  }

  /** Points already recorded (a resumed run skips them). */
  donePoints(): Map<string, GridPoint> {
    return new Map(this.store.points(this.id).map((p) => [`${p.i},${p.j}`, p]));
  }

  point(p: GridPoint): void {
    this.store.putPoint(this.id, p.i, p.j, p.loss, p.accuracy);
  }

  gridFinish(name: string, grid: Grid): void {
    const loss = (grid.loss as Array<number | number[]>).flat();
    const accuracy = grid.accuracy ? (grid.accuracy as Array<number | number[]>).flat() : null;
    this.store.finishGrid(this.id, name, loss, accuracy);
  }

  vector(k: number, label: string, eigenvalue: number | null, data: ArrayLike<number>): void {
    this.store.putVector(this.id, k, label, eigenvalue, data);
  }

  finish(error?: unknown): void {
    const seconds = this.priorSeconds + (Date.now() - this.startedMs) / 1000;
    if (error === undefined) this.store.finish(this.id, 'finished', undefined, seconds);
    else
      this.store.finish(
        this.id,
        error instanceof CancelledError ? 'cancelled' : 'failed',
        error instanceof Error ? error.message : String(error),
        seconds,
      );
  }
}

/**
 * Run `fn` as a recorded run when `db` is given (a path, opened and closed here, or an open store),
 * plainly otherwise. The run ends finished, cancelled or failed with `fn`.
 */
export async function recorded<T>(
  db: string | RunStore | undefined,
  spec: RunSpec,
  fn: (rec: RunRecorder | null) => Promise<T>,
  /** A run that exists already: queued (pending), or crashed or cancelled and resumed. */
  resumeId?: string,
): Promise<T> {
  if (!db) return fn(null);
  const store = typeof db === 'string' ? new RunStore(db) : db;
  try {
    const rec = await RunRecorder.create(store, spec, resumeId);
    try {
      const out = await fn(rec);
      rec.finish();
      return out;
    } catch (e) {
      rec.finish(e);
      throw e;
    }
  } finally {
    if (typeof db === 'string') store.close();
  }
}
