/**
 * Runs from elsewhere: a surface file of Li et al.'s loss-landscape (.h5) becomes a finished
 * landscape run; another Saddle runs database (a CLI's on a GPU server) has its runs merged in.
 * The kind is told by the file's first bytes, not its name.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { readLiH5 } from '../export/hdf5';
import { FileFormatError } from '../formats/errors';
import { isSqliteFile, mergeRuns } from '../store/merge';
import type { RunStore } from '../store/store';

export interface ImportSummary {
  imported: string;
  /** Run ids added. */
  runs: string[];
  skipped: number;
  /** Li files: points never computed (-1 in the file). */
  missing?: number;
  summary: string;
}

function head(path: string): Uint8Array {
  const buf = new Uint8Array(16);
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (e) {
    throw new FileFormatError(
      path,
      'runs import',
      'io',
      `the file cannot be opened (${(e as NodeJS.ErrnoException).code})`,
    );
  }
  try {
    readSync(fd, buf, 0, 16, 0);
  } finally {
    closeSync(fd);
  }
  return buf;
}

const HDF5 = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];

export async function importRunsFile(store: RunStore, file: string, name?: string): Promise<ImportSummary> {
  const bytes = head(file);
  if (isSqliteFile(bytes)) {
    const before = new Set(store.listRuns().map((r) => r.id));
    const r = await mergeRuns(store, file);
    const runs = store
      .listRuns()
      .map((x) => x.id)
      .filter((id) => !before.has(id));
    return {
      imported: file,
      runs,
      skipped: r.skipped,
      summary: `merged ${r.added} run(s) from ${file}${r.skipped ? ` (${r.skipped} already here)` : ''}`,
    };
  }
  if (HDF5.every((b, k) => bytes[k] === b)) {
    const surface = await readLiH5(file);
    const id = store.db.transaction(() => {
      const runId = store.createRun({
        kind: 'landscape',
        name: name ?? `imported ${basename(file)}`,
        options: { imported: resolve(file), format: 'li-h5' },
        state: 'finished',
      });
      store.putGridAxes(runId, 'surface', surface.x, surface.y, {
        directions: { kind: 'imported', file: resolve(file) },
      });
      store.finishGrid(runId, 'surface', surface.loss, surface.accuracy);
      if (surface.missing)
        store.finish(runId, 'failed', `${surface.missing} point(s) are -1 in the file: Li's run never computed them.`);
      return runId;
    })();
    const shape = surface.y ? `${surface.x.length} × ${surface.y.length}` : `${surface.x.length}`;
    return {
      imported: file,
      runs: [id],
      skipped: 0,
      missing: surface.missing,
      summary: `imported ${file} as run ${id.slice(0, 8)} (${shape} points${surface.missing ? `, ${surface.missing} missing` : ''})`,
    };
  }
  throw new FileFormatError(
    file,
    'runs import',
    'not-a-model',
    'the file is neither an HDF5 surface file (Li et al.) nor a Saddle runs database',
  );
}
