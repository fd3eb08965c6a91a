/**
 * The runs store (SQLite through better-sqlite3, WAL). Every analysis is a run with a state; results
 * and landscape points are written in transactions as they come, so a killed process leaves a
 * consistent database, and at the next open its runs become `crashed` with their partial results.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import Database from 'better-sqlite3';
import { SADDLE_VERSION } from '../version';
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

  constructor(path: string) {
    this.db = new Database(path);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('busy_timeout = 10000');
    this.db.pragma('foreign_keys = ON');
    this.migrate();
    this.recoverCrashed();
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
        this.db.exec(MIGRATIONS[v]);
        this.db.prepare('UPDATE schema_version SET version = ?').run(v + 1);
      })();
    }
  }

  /** Runs left `running` by a process that no longer exists on this host become `crashed`. */
  recoverCrashed(): number {
    const host = hostname();
    const stale = (
      this.db.prepare("SELECT id, pid, host FROM runs WHERE state = 'running'").all() as Array<{
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

  createRun(r: {
    kind: string;
    name?: string;
    modelId?: string;
    dataPath?: string;
    weightsPath?: string;
    options: unknown;
    seed?: number;
  }): string {
    const id = randomUUID();
    this.db
      .prepare(
        `INSERT INTO runs (id, name, kind, model_id, data_path, weights_path, options, seed, version, host, pid, state, created_at, started_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'running', ?, ?)`,
      )
      .run(
        id,
        r.name ?? `${r.kind} ${now()}`,
        r.kind,
        r.modelId ?? null,
        r.dataPath ?? null,
        r.weightsPath ?? null,
        JSON.stringify(r.options),
        r.seed ?? null,
        SADDLE_VERSION,
        hostname(),
        process.pid,
        now(),
        now(),
      );
    return id;
  }

  /** Take a crashed or cancelled run up again in this process. */
  reopen(id: string): void {
    this.db
      .prepare("UPDATE runs SET state = 'running', pid = ?, host = ?, error = NULL, finished_at = NULL WHERE id = ?")
      .run(process.pid, hostname(), id);
  }

  finish(id: string, state: Exclude<RunState, 'pending' | 'running'>, error?: string): void {
    this.db
      .prepare('UPDATE runs SET state = ?, error = ?, finished_at = ? WHERE id = ?')
      .run(state, error ?? null, now(), id);
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

  getRun(id: string): { run: RunRow; results: Record<string, unknown>; points: number } | null {
    const run = this.db.prepare('SELECT * FROM runs WHERE id = ? OR id LIKE ?').get(id, `${id}%`) as RunRow | undefined;
    if (!run) return null;
    const rows = this.db.prepare('SELECT key, json FROM results WHERE run_id = ?').all(run.id) as Array<{
      key: string;
      json: string | null;
    }>;
    const results = Object.fromEntries(rows.map((r) => [r.key, r.json === null ? null : JSON.parse(r.json)]));
    const points = (this.db.prepare('SELECT COUNT(*) AS n FROM points WHERE run_id = ?').get(run.id) as { n: number })
      .n;
    return { run, results, points };
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
