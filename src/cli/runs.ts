/** `saddle runs list | show ID | delete ID | export ID | import FILE` over the runs database (--db, default ./saddle.db). */
import { type ExportFormat, type ExportOptions, exportRun } from '../export';
import { importRunsFile } from '../runs/import';
import { RunStore } from '../store/store';
import { table } from './format';

export interface RunsOptions {
  db: string;
  json?: boolean;
}

export function withStore<T>(path: string, fn: (store: RunStore) => T): T {
  const store = new RunStore(path);
  try {
    return fn(store);
  } finally {
    store.close();
  }
}

export function runsList(opts: RunsOptions): void {
  withStore(opts.db, (store) => {
    const runs = store.listRuns();
    if (opts.json) {
      process.stdout.write(`${JSON.stringify(runs.map((r) => ({ ...r, options: JSON.parse(r.options) })))}\n`);
      return;
    }
    const rows = runs.map((r) => [
      r.id.slice(0, 8),
      r.kind,
      r.state,
      r.created_at.replace('T', ' ').slice(0, 19),
      r.name,
    ]);
    process.stdout.write(`${runs.length ? table(['id', 'kind', 'state', 'created', 'name'], rows) : 'no runs'}\n`);
  });
}

export function runsShow(id: string, opts: RunsOptions): void {
  withStore(opts.db, (store) => {
    const found = store.getRun(id);
    if (!found) throw new Error(`No run '${id}' in ${opts.db}.`);
    const view = { ...found.run, options: JSON.parse(found.run.options), results: found.results, points: found.points };
    process.stdout.write(`${JSON.stringify(view, null, opts.json ? undefined : 2)}\n`);
  });
}

export function runsDelete(id: string, opts: RunsOptions): void {
  withStore(opts.db, (store) => {
    if (!store.deleteRun(id)) throw new Error(`No run '${id}' in ${opts.db}.`);
    process.stdout.write(opts.json ? `${JSON.stringify({ deleted: id })}\n` : `deleted ${id}\n`);
  });
}

export interface RunsExportOptions extends RunsOptions, Omit<ExportOptions, 'format'> {
  format: ExportFormat;
  output?: string;
}

export async function runsExport(id: string, opts: RunsExportOptions): Promise<void> {
  const store = new RunStore(opts.db);
  try {
    const text = await exportRun(store, id, opts, opts.output);
    if (text !== null) process.stdout.write(text);
    else if (opts.json)
      process.stdout.write(`${JSON.stringify({ exported: id, format: opts.format, file: opts.output })}\n`);
    else process.stderr.write(`wrote ${opts.output}\n`);
  } finally {
    store.close();
  }
}

/** `saddle runs import FILE`: a Li et al. surface (.h5) or another Saddle runs database. */
export async function runsImport(file: string, opts: RunsOptions & { name?: string }): Promise<void> {
  const store = new RunStore(opts.db);
  try {
    const r = await importRunsFile(store, file, opts.name);
    process.stdout.write(opts.json ? `${JSON.stringify(r)}\n` : `${r.summary}\n`);
  } finally {
    store.close();
  }
}
