/**
 * The runs store (SQLite through better-sqlite3, WAL). Every analysis is a run with a state; results
 * and landscape points are written in transactions as they come, so a killed process leaves a
 * consistent database, and at the next open its runs become `crashed` with their partial results.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import Database from 'better-sqlite3';
import { SADDLE_VERSION } from '../version';
import { f32Blob, f64Blob, fromF32Blob, fromF64Blob } from './blobs';
import { MIGRATIONS } from './migrations';

export type RunState = 'pending' | 'running' | 'finished' | 'failed' | 'cancelled' | 'crashed';

export interface RunRow {
  id: string;
  name: string;
  kind: string;
  model_id: string | null;
  data_path: string | null;
  weights_path: string | null;
  options: string;
  seed: number | null;
  version: string;
  host: string;
  pid: number;
  state: RunState;
  error: string | null;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  checkpoint_id: string | null;
  dataset_id: string | null;
  seconds: number | null;
  /** The last progress event, JSON. */
  progress: string | null;
  /** The checkpoint series the run belongs to, and its member index there. */
  series_id: string | null;
  series_member: number | null;
}

/** A stored surface or curve. `loss` is x-major (loss[i * ny + j]); NaN marks a point not yet computed. */
export interface StoredGrid {
  name: string;
  x: number[];
  y: number[] | null;
  loss: Float64Array;
  accuracy: Float64Array | null;
  meta: Record<string, unknown>;
  /** Every point present. */
  complete: boolean;
}

export interface StoredVector {
  k: number;
  label: string;
  eigenvalue: number | null;
  data: Float32Array;
}

export interface NewRun {
  kind: string;
  name?: string;
  modelId?: string;
  checkpointId?: string;
  datasetId?: string;
  dataPath?: string;
  weightsPath?: string;
  options: unknown;
  seed?: number;
  /** 'pending' for a queued job; imported results are 'finished' at once. */
  state?: 'pending' | 'running' | 'finished';
  /** A member of a checkpoint series: the series and the member's index in its order. */
  series?: { id: string; member: number };
}

const now = () => new Date().toISOString();

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export class RunStore {
  readonly db: Database.Database;

  /** `recover: false` leaves other processes' runs alone (a snapshot being merged, say). */
  constructor(path: string, opts: { recover?: boolean } = {}) {
    this.db = new Database(path);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('busy_timeout = 10000');
    this.db.pragma('foreign_keys = ON');
    this.migrate();
    if (opts.recover !== false) this.recoverCrashed();
  }

  get schemaVersion(): number {
    return (this.db.prepare('SELECT version FROM schema_version').get() as { version: number }).version;
  }

  private migrate(): void {
    this.db.exec('CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)');
    if (!this.db.prepare('SELECT version FROM schema_version').get())
      this.db.prepare('INSERT INTO schema_version VALUES (0)').run();
    const from = this.schemaVersion;
    if (from > MIGRATIONS.length)
      throw new Error(
        `The runs database has schema version ${from}, newer than this Saddle (${MIGRATIONS.length}); update Saddle.`,
      );
    for (let v = from; v < MIGRATIONS.length; v++) {
      this.db.transaction(() => {
        this.db.exec(MIGRATIONS[v].sql);
        MIGRATIONS[v].data?.(this.db);
        this.db.prepare('UPDATE schema_version SET version = ?').run(v + 1);
      })();
    }
  }

  /** Runs left `running` (or queued) by a process that no longer exists on this host become `crashed`. */
  recoverCrashed(): number {
    const host = hostname();
    const stale = (
      this.db.prepare("SELECT id, pid, host FROM runs WHERE state IN ('pending', 'running')").all() as Array<{
        id: string;
        pid: number;
        host: string;
      }>
    ).filter((r) => r.host === host && !processAlive(r.pid));
    const mark = this.db.prepare("UPDATE runs SET state = 'crashed', finished_at = ? WHERE id = ?");
    this.db.transaction(() => {
      for (const r of stale) mark.run(now(), r.id);
    })();
    return stale.length;
  }

  createRun(r: NewRun): string {
    const id = randomUUID();
    const state = r.state ?? 'running';
    const t = now();
    this.db
      .prepare(
        `INSERT INTO runs (id, name, kind, model_id, checkpoint_id, dataset_id, data_path, weights_path, options, seed,
           version, host, pid, state, created_at, started_at, finished_at, series_id, series_member)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        id,
        r.name ?? `${r.kind} ${t.replace('T', ' ').slice(0, 19)}`,
        r.kind,
        r.modelId ?? null,
        r.checkpointId ?? null,
        r.datasetId ?? null,
        r.dataPath ?? null,
        r.weightsPath ?? null,
        JSON.stringify(r.options),
        r.seed ?? null,
        SADDLE_VERSION,
        hostname(),
        process.pid,
        state,
        t,
        state === 'pending' ? null : t,
        state === 'finished' ? t : null,
        r.series?.id ?? null,
        r.series?.member ?? null,
      );
    return id;
  }

  /** Models, checkpoints and data sets are keyed by content hash; the latest path wins. */
  registerModel(id: string, path: string, summary: unknown): string {
    this.db
      .prepare(
        'INSERT INTO models (id, path, summary, created_at) VALUES (?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET path = excluded.path',
      )
      .run(id, path, JSON.stringify(summary), now());
    return id;
  }

  registerFile(table: 'checkpoints' | 'datasets', id: string, path: string, bytes: number): string {
    this.db
      .prepare(
        `INSERT INTO ${table} (id, path, bytes, created_at) VALUES (?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET path = excluded.path`,
      )
      .run(id, path, bytes, now());
    return id;
  }

  setProgress(id: string, progress: unknown): void {
    this.db.prepare('UPDATE runs SET progress = ? WHERE id = ?').run(JSON.stringify(progress), id);
  }

  /** Take a queued, crashed or cancelled run up (again) in this process. */
  reopen(id: string): void {
    this.db
      .prepare(
        "UPDATE runs SET state = 'running', pid = ?, host = ?, error = NULL, finished_at = NULL, started_at = COALESCE(started_at, ?) WHERE id = ?",
      )
      .run(process.pid, hostname(), now(), id);
  }

  /**
   * Queue a crashed, cancelled or failed run again (a resume waiting its turn in this process):
   * `pending`, its error cleared, owned by this process so another one does not call it crashed.
   */
  requeue(id: string): void {
    this.db
      .prepare("UPDATE runs SET state = 'pending', error = NULL, finished_at = NULL, pid = ?, host = ? WHERE id = ?")
      .run(process.pid, hostname(), id);
  }

  /**
   * End a run. `computedSeconds`, when the caller knows it (a recorder that timed its own work and
   * the parts before a resume), is the time it computed; otherwise start to finish.
   */
  finish(id: string, state: Exclude<RunState, 'pending' | 'running'>, error?: string, computedSeconds?: number): void {
    const t = new Date();
    const started = (
      this.db.prepare('SELECT started_at FROM runs WHERE id = ?').get(id) as { started_at: string | null }
    )?.started_at;
    const seconds = computedSeconds ?? (started ? (t.getTime() - Date.parse(started)) / 1000 : null);
    this.db
      .prepare('UPDATE runs SET state = ?, error = ?, finished_at = ?, seconds = ? WHERE id = ?')
      .run(state, error ?? null, t.toISOString(), seconds, id);
  }

  /** A grid's axes and provenance, written when it starts so a crashed run keeps them (kept on resume). */
  putGridAxes(runId: string, name: string, x: number[], y: number[] | null, meta: unknown): void {
    this.db
      .prepare('INSERT OR IGNORE INTO grids (run_id, name, x, y, meta) VALUES (?, ?, ?, ?, ?)')
      .run(runId, name, f64Blob(x), y ? f64Blob(y) : null, JSON.stringify(meta));
  }

  /** Pack a finished grid into float32 BLOBs and drop its point journal, in one transaction. */
  finishGrid(runId: string, name: string, loss: ArrayLike<number>, accuracy: ArrayLike<number> | null): void {
    this.db.transaction(() => {
      this.db
        .prepare('UPDATE grids SET loss = ?, accuracy = ? WHERE run_id = ? AND name = ?')
        .run(f32Blob(loss), accuracy ? f32Blob(accuracy) : null, runId, name);
      this.db.prepare('DELETE FROM points WHERE run_id = ?').run(runId);
    })();
  }

  gridNames(runId: string): string[] {
    return (
      this.db.prepare('SELECT name FROM grids WHERE run_id = ? ORDER BY rowid').all(runId) as Array<{ name: string }>
    ).map((r) => r.name);
  }

  getGrid(runId: string, name = 'surface'): StoredGrid | null {
    const row = this.db.prepare('SELECT * FROM grids WHERE run_id = ? AND name = ?').get(runId, name) as
      | { x: Buffer; y: Buffer | null; loss: Buffer | null; accuracy: Buffer | null; meta: string }
      | undefined;
    if (!row) return null;
    const x = Array.from(fromF64Blob(row.x));
    const y = row.y ? Array.from(fromF64Blob(row.y)) : null;
    const ny = y?.length ?? 1;
    let loss: Float64Array;
    let accuracy: Float64Array | null;
    if (row.loss) {
      loss = Float64Array.from(fromF32Blob(row.loss));
      accuracy = row.accuracy ? Float64Array.from(fromF32Blob(row.accuracy)) : null;
    } else {
      // Still running or crashed: assemble what the point journal has.
      loss = new Float64Array(x.length * ny).fill(Number.NaN);
      accuracy = null;
      for (const p of this.points(runId)) {
        if (p.i >= x.length || p.j >= ny) continue;
        loss[p.i * ny + p.j] = p.loss;
        if (p.accuracy !== null) {
          accuracy ??= new Float64Array(x.length * ny).fill(Number.NaN);
          accuracy[p.i * ny + p.j] = p.accuracy;
        }
      }
    }
    return { name, x, y, loss, accuracy, meta: JSON.parse(row.meta), complete: !loss.some(Number.isNaN) };
  }

  putVector(runId: string, k: number, label: string, eigenvalue: number | null, data: ArrayLike<number>): void {
    this.db
      .prepare('INSERT OR REPLACE INTO vectors (run_id, k, label, eigenvalue, data) VALUES (?, ?, ?, ?, ?)')
      .run(runId, k, label, eigenvalue, f32Blob(data));
  }

  vectors(runId: string): StoredVector[] {
    return (
      this.db
        .prepare('SELECT k, label, eigenvalue, data FROM vectors WHERE run_id = ? ORDER BY k')
        .all(runId) as Array<{
        k: number;
        label: string;
        eigenvalue: number | null;
        data: Buffer;
      }>
    ).map((r) => ({ ...r, data: fromF32Blob(r.data) }));
  }

  putResult(runId: string, key: string, value: unknown, blob?: Uint8Array): void {
    this.db
      .prepare('INSERT OR REPLACE INTO results (run_id, key, json, blob) VALUES (?, ?, ?, ?)')
      .run(runId, key, value === undefined ? null : JSON.stringify(value), blob ?? null);
  }

  putPoint(runId: string, i: number, j: number, loss: number, accuracy: number | null): void {
    this.db
      .prepare('INSERT OR REPLACE INTO points (run_id, i, j, loss, accuracy) VALUES (?, ?, ?, ?, ?)')
      .run(runId, i, j, loss, accuracy);
  }

  points(runId: string): Array<{ i: number; j: number; loss: number; accuracy: number | null }> {
    return this.db
      .prepare('SELECT i, j, loss, accuracy FROM points WHERE run_id = ? ORDER BY i, j')
      .all(runId) as Array<{ i: number; j: number; loss: number; accuracy: number | null }>;
  }

  listRuns(): RunRow[] {
    return this.db.prepare('SELECT * FROM runs ORDER BY created_at DESC').all() as RunRow[];
  }

  /** A run by id or unique id prefix. */
  findRun(id: string): RunRow | null {
    const rows = this.db.prepare('SELECT * FROM runs WHERE id = ? OR id LIKE ? LIMIT 2').all(id, `${id}%`) as RunRow[];
    const exact = rows.find((r) => r.id === id);
    if (exact) return exact;
    if (rows.length > 1) throw new Error(`The run id prefix '${id}' is ambiguous; give more characters.`);
    return rows[0] ?? null;
  }

  getRun(
    id: string,
  ): { run: RunRow; results: Record<string, unknown>; points: number; grids: string[]; vectors: number } | null {
    const run = this.findRun(id);
    if (!run) return null;
    const rows = this.db.prepare('SELECT key, json FROM results WHERE run_id = ?').all(run.id) as Array<{
      key: string;
      json: string | null;
    }>;
    const results = Object.fromEntries(rows.map((r) => [r.key, r.json === null ? null : JSON.parse(r.json)]));
    const points = (this.db.prepare('SELECT COUNT(*) AS n FROM points WHERE run_id = ?').get(run.id) as { n: number })
      .n;
    const vectors = (this.db.prepare('SELECT COUNT(*) AS n FROM vectors WHERE run_id = ?').get(run.id) as { n: number })
      .n;
    return { run, results, points, grids: this.gridNames(run.id), vectors };
  }

  deleteRun(id: string): boolean {
    const found = this.getRun(id);
    if (!found) return false;
    this.db.prepare('DELETE FROM runs WHERE id = ?').run(found.run.id);
    return true;
  }

  close(): void {
    this.db.close();
  }
}
