/**
 * The runs store's schema, as an ordered list of migrations. `schema_version` holds how many have
 * been applied; each runs in a transaction, so a crash mid-upgrade leaves the previous version.
 */
export const MIGRATIONS: string[] = [
  // 1: models, data sets, runs, their results and landscape points.
  `
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
];
