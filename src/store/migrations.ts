/**
 * The runs store's schema, as an ordered list of migrations. `schema_version` holds how many have
 * been applied; each runs in a transaction, so a crash mid-upgrade leaves the previous version.
 * A migration is SQL, optionally followed by a data move written in TypeScript.
 */
import type Database from 'better-sqlite3';
import { f32Blob, f64Blob } from './blobs';

export interface Migration {
  sql: string;
  /** Moves data the SQL cannot (JSON to BLOBs); runs in the same transaction, after `sql`. */
  data?: (db: Database.Database) => void;
}

export const MIGRATIONS: Migration[] = [
  // 1: models, runs, their results and landscape points.
  {
    sql: `
  CREATE TABLE models (
    id TEXT PRIMARY KEY,            -- sha256 of the file
    path TEXT NOT NULL,
    summary TEXT NOT NULL,          -- ModelInfo JSON
    created_at TEXT NOT NULL
  );
  CREATE TABLE runs (
    id TEXT PRIMARY KEY,            -- stable id, separate from the display name
    name TEXT NOT NULL,
    kind TEXT NOT NULL,             -- hessian | landscape | interpolate | trajectory | loss
    model_id TEXT REFERENCES models(id),
    data_path TEXT,
    weights_path TEXT,
    options TEXT NOT NULL,          -- JSON
    seed INTEGER,
    version TEXT NOT NULL,
    host TEXT NOT NULL,
    pid INTEGER NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('pending', 'running', 'finished', 'failed', 'cancelled', 'crashed')),
    error TEXT,
    created_at TEXT NOT NULL,
    started_at TEXT,
    finished_at TEXT
  );
  CREATE INDEX runs_by_state ON runs(state);
  CREATE TABLE results (
    run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    key TEXT NOT NULL,
    json TEXT,
    blob BLOB,
    PRIMARY KEY (run_id, key)
  );
  CREATE TABLE points (
    run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    i INTEGER NOT NULL,
    j INTEGER NOT NULL,
    loss REAL NOT NULL,
    accuracy REAL,
    PRIMARY KEY (run_id, i, j)
  );
  `,
  },
  // 2: checkpoints and data sets by content hash; timing and last progress on runs; grids as float32
  // BLOBs with float64 axes (points stay the journal of a grid still being computed); eigenvectors.
  {
    sql: `
  CREATE TABLE checkpoints (
    id TEXT PRIMARY KEY,            -- sha256 of the file
    path TEXT NOT NULL,
    bytes INTEGER NOT NULL,
    created_at TEXT NOT NULL
  );
  CREATE TABLE datasets (
    id TEXT PRIMARY KEY,            -- sha256 over the files, in order
    path TEXT NOT NULL,             -- the --data specification (comma-separated files)
    bytes INTEGER NOT NULL,
    created_at TEXT NOT NULL
  );
  ALTER TABLE runs ADD COLUMN checkpoint_id TEXT REFERENCES checkpoints(id);
  ALTER TABLE runs ADD COLUMN dataset_id TEXT REFERENCES datasets(id);
  ALTER TABLE runs ADD COLUMN seconds REAL;
  ALTER TABLE runs ADD COLUMN progress TEXT;       -- the last progress event, JSON
  UPDATE runs SET seconds = (julianday(finished_at) - julianday(started_at)) * 86400
    WHERE started_at IS NOT NULL AND finished_at IS NOT NULL;
  CREATE TABLE grids (
    run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    x BLOB NOT NULL,                -- float64 coordinates
    y BLOB,                         -- float64; NULL for a 1-D curve
    loss BLOB,                      -- float32, x-major (loss[i * ny + j]); NULL until finished
    accuracy BLOB,                  -- float32 fraction in [0, 1]; NULL for regression
    meta TEXT NOT NULL,             -- directions and their provenance, JSON
    PRIMARY KEY (run_id, name)
  );
  CREATE TABLE vectors (
    run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    k INTEGER NOT NULL,
    label TEXT NOT NULL,            -- e.g. top1, bottom1
    eigenvalue REAL,
    data BLOB NOT NULL,             -- float32 over all parameters, in the model's parameter order
    PRIMARY KEY (run_id, k)
  );
  `,
    data: moveGridJsonToBlobs,
  },
  // 3: checkpoint series. A series is one model, several checkpoints and data sets, and options; each
  // (checkpoint, data set) member is a run that points at its series and its place in the series'
  // fixed order, so a rerun finds the members it has and computes only the rest.
  {
    sql: `
  CREATE TABLE series (
    id TEXT PRIMARY KEY,
    key TEXT NOT NULL UNIQUE,       -- sha256 over the model, checkpoints and data sets by content, and the options
    name TEXT NOT NULL,
    model_id TEXT REFERENCES models(id),
    spec TEXT NOT NULL,             -- JSON: model path, checkpoints, data sets (in order), options
    created_at TEXT NOT NULL
  );
  ALTER TABLE runs ADD COLUMN series_id TEXT REFERENCES series(id);
  ALTER TABLE runs ADD COLUMN series_member INTEGER;   -- the member's index in the series' order
  CREATE INDEX runs_by_series ON runs(series_id, series_member);
  `,
  },
];

/** Version 1 kept a finished grid as a JSON result 'grid' (nested arrays) next to its points. */
function moveGridJsonToBlobs(db: Database.Database): void {
  const rows = db.prepare("SELECT run_id, json FROM results WHERE key = 'grid'").all() as Array<{
    run_id: string;
    json: string;
  }>;
  const insert = db.prepare(
    'INSERT INTO grids (run_id, name, x, y, loss, accuracy, meta) VALUES (?, ?, ?, ?, ?, ?, ?)',
  );
  const dropJson = db.prepare("DELETE FROM results WHERE run_id = ? AND key = 'grid'");
  const dropPoints = db.prepare('DELETE FROM points WHERE run_id = ?');
  for (const r of rows) {
    const g = JSON.parse(r.json) as {
      x: number[];
      y: number[] | null;
      loss: number[] | number[][];
      accuracy: number[] | number[][] | null;
      directions?: unknown;
    };
    insert.run(
      r.run_id,
      'surface',
      f64Blob(g.x),
      g.y ? f64Blob(g.y) : null,
      f32Blob(g.loss.flat()),
      g.accuracy ? f32Blob(g.accuracy.flat()) : null,
      JSON.stringify({ directions: g.directions ?? null }),
    );
    dropJson.run(r.run_id);
    dropPoints.run(r.run_id);
  }
}
