/**
 * Bring the runs of another Saddle database (say, one a CLI wrote on a GPU server) into this one.
 * The source is never modified: a consistent snapshot of it (SQLite's online backup, which sees
 * what its WAL holds too) is upgraded to this schema in a temporary folder, then attached and copied
 * in one transaction. Runs already present (same id) are skipped, so merging twice is harmless.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { FileFormatError } from '../formats/errors';
import { RunStore } from './store';

const READER = 'Saddle runs database';
const SQLITE_MAGIC = 'SQLite format 3\0';

/** Tables copied, parents first; the run-owned ones only for runs not already here. */
const CATALOG = ['models', 'checkpoints', 'datasets', 'series'];
const PER_RUN = ['results', 'points', 'grids', 'vectors'];

export function isSqliteFile(head: Uint8Array): boolean {
  return Buffer.from(head.subarray(0, 16)).toString('latin1') === SQLITE_MAGIC;
}

export async function mergeRuns(target: RunStore, sourcePath: string): Promise<{ added: number; skipped: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'saddle-merge-'));
  const snapshot = join(dir, 'source.db');
  try {
    let source: Database.Database;
    try {
      source = new Database(sourcePath, { readonly: true, fileMustExist: true });
    } catch (e) {
      throw new FileFormatError(sourcePath, READER, 'io', `SQLite cannot open it (${(e as Error).message})`);
    }
    try {
      const marker = source
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'")
        .get();
      if (!marker)
        throw new FileFormatError(
          sourcePath,
          READER,
          'not-a-model',
          'it is an SQLite database, but not a Saddle runs database (no schema_version table)',
        );
      await source.backup(snapshot);
    } catch (e) {
      if (e instanceof FileFormatError) throw e;
      throw new FileFormatError(sourcePath, READER, 'corrupt', `SQLite cannot read it (${(e as Error).message})`);
    } finally {
      source.close();
    }
    // Upgrading the snapshot checks that it is a Saddle database and not from a newer Saddle.
    let upgraded: RunStore;
    try {
      upgraded = new RunStore(snapshot, { recover: false });
    } catch (e) {
      throw new FileFormatError(sourcePath, READER, 'mismatch', (e as Error).message);
    }
    upgraded.close();
    const db = target.db;
    db.prepare('ATTACH DATABASE ? AS src').run(snapshot);
    try {
      return db.transaction(() => copyRuns(db))();
    } catch (e) {
      // A corrupt page can pass the backup and the upgrade, and only show when its rows are read.
      throw new FileFormatError(sourcePath, READER, 'corrupt', `its runs cannot be read (${(e as Error).message})`);
    } finally {
      db.prepare('DETACH DATABASE src').run();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Copy the attached `src` database's runs that `main` lacks, with their results and catalog rows. */
function copyRuns(db: Database.Database): { added: number; skipped: number } {
  const fresh = db.prepare('SELECT id FROM src.runs WHERE id NOT IN (SELECT id FROM main.runs)').all() as Array<{
    id: string;
  }>;
  const total = (db.prepare('SELECT COUNT(*) AS n FROM src.runs').get() as { n: number }).n;
  for (const t of CATALOG) db.exec(`INSERT OR IGNORE INTO main.${t} SELECT * FROM src.${t}`);
  // Checked at commit: a copied run may first point at a series that maps onto one already here.
  db.pragma('defer_foreign_keys = ON');
  db.exec('CREATE TEMP TABLE fresh_runs (id TEXT PRIMARY KEY)');
  try {
    const mark = db.prepare('INSERT INTO temp.fresh_runs VALUES (?)');
    for (const r of fresh) mark.run(r.id);
    db.exec('INSERT INTO main.runs SELECT * FROM src.runs WHERE id IN (SELECT id FROM temp.fresh_runs)');
    // The same series (same inputs by content, same options) recorded in both: its members join the
    // series this database has (the source's row was not copied, its key being taken).
    db.exec(`UPDATE main.runs SET series_id = (
        SELECT m.id FROM main.series m JOIN src.series s ON s.key = m.key WHERE s.id = main.runs.series_id)
      WHERE id IN (SELECT id FROM temp.fresh_runs) AND series_id IS NOT NULL`);
    for (const t of PER_RUN)
      db.exec(`INSERT INTO main.${t} SELECT * FROM src.${t} WHERE run_id IN (SELECT id FROM temp.fresh_runs)`);
  } finally {
    db.exec('DROP TABLE temp.fresh_runs');
  }
  return { added: fresh.length, skipped: total - fresh.length };
}
