/** `saddle runs list | show ID | delete ID | export ID | import FILE` over the runs database (--db, default ./saddle.db). */
import { existsSync, realpathSync } from 'node:fs';
import { resolve } from 'node:path';
import { type ExportFormat, type ExportOptions, exportRun } from '../export';
import { importRunsFile } from '../runs/import';
import { mergeShards } from '../runs/shard-merge';
import { RunStore } from '../store/store';
import { table } from './format';

export interface RunsOptions {
  db: string;
  json?: boolean;
}

/** A runs database that must already exist: reading runs never creates an empty one as a side effect. */
export function existingStore(path: string): RunStore {
  if (!existsSync(path))
    throw new Error(
      `No runs database at '${resolve(path)}': nothing was recorded there. Record runs with --db ${path}, or name the database with --db.`,
    );
  return new RunStore(path);
}

export function withStore<T>(path: string, fn: (store: RunStore) => T): T {
  const store = existingStore(path);
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
      r.seconds === null ? '' : `${r.seconds.toFixed(1)} s`,
      r.name,
    ]);
    process.stdout.write(
      `${runs.length ? table(['id', 'kind', 'state', 'created', 'time', 'name'], rows) : 'no runs'}\n`,
    );
  });
}

export function runsShow(id: string, opts: RunsOptions): void {
  withStore(opts.db, (store) => {
    const found = store.getRun(id);
    if (!found) throw new Error(`No run '${id}' in ${opts.db}.`);
    const { run } = found;
    const view = {
      ...run,
      options: JSON.parse(run.options),
      progress: run.progress ? JSON.parse(run.progress) : null,
      results: found.results,
      grids: found.grids,
      points: found.points,
      vectors: found.vectors,
    };
    if (opts.json) {
      process.stdout.write(`${JSON.stringify(view)}\n`);
      return;
    }
    const grids = found.grids.map((name) => {
      const g = store.getGrid(run.id, name);
      const done = g ? Array.from(g.loss).filter(Number.isFinite).length : 0;
      return `${name} ${g?.y ? `${g.x.length} × ${g.y.length}` : g?.x.length} (${done} computed)`;
    });
    const lines: Array<[string, string | null | undefined]> = [
      ['run', `${run.id} (${run.kind}, ${run.state})`],
      ['name', run.name],
      ['error', run.error],
      ['model', view.options.model],
      ['data', run.data_path],
      ['weights', run.weights_path],
      ['seed', run.seed === null ? null : String(run.seed)],
      ['created', run.created_at],
      ['time', run.seconds === null ? null : `${run.seconds.toFixed(1)} s`],
      ['computed by', `Saddle ${run.version} on ${run.host} (pid ${run.pid})`],
      ['progress', view.progress ? `${view.progress.stage} ${view.progress.done}/${view.progress.total}` : null],
      ['results', Object.keys(found.results).join(', ') || null],
      ['grids', grids.join('; ') || null],
      ['eigenvectors', found.vectors ? String(found.vectors) : null],
    ];
    const shown = lines.filter((l): l is [string, string] => typeof l[1] === 'string' && l[1] !== '');
    process.stdout.write(`${shown.map(([k, v]) => `${k.padEnd(13)}${v}`).join('\n')}\n`);
    process.stdout.write('(saddle runs show ID --json for everything; saddle runs export ID --format F for files)\n');
  });
}

export function runsDelete(id: string, opts: RunsOptions): void {
  withStore(opts.db, (store) => {
    const run = store.findRun(id);
    if (!run) throw new Error(`No run '${id}' in ${opts.db}.`);
    // Its process is alive (a dead one's runs became crashed when the store opened): it still writes.
    if (run.state === 'running' || run.state === 'pending')
      throw new Error(
        `Run ${run.id.slice(0, 8)} is ${run.state} in process ${run.pid} on ${run.host}; stop it (Ctrl-C) before deleting it.`,
      );
    store.deleteRun(run.id);
    process.stdout.write(opts.json ? `${JSON.stringify({ deleted: run.id })}\n` : `deleted ${run.id}\n`);
  });
}

export interface RunsExportOptions extends RunsOptions, Omit<ExportOptions, 'format'> {
  format: ExportFormat;
  output?: string;
}

export async function runsExport(id: string, opts: RunsExportOptions): Promise<void> {
  const store = existingStore(opts.db);
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

/** `saddle runs merge OUT.db SHARD.db...`: the shards of one job become one finished run in OUT.db. */
export async function runsMerge(out: string, shards: string[], opts: { json?: boolean }): Promise<void> {
  const real = (p: string) => (existsSync(p) ? realpathSync(p) : resolve(p));
  const clash = shards.find((s) => real(s) === real(out));
  if (clash)
    throw new Error(
      `The output database '${out}' is also given as a shard ('${clash}'); write the merged run elsewhere.`,
    );
  const store = new RunStore(out);
  try {
    const r = await mergeShards(store, shards);
    for (const note of r.notes) process.stderr.write(`note: ${note}\n`);
    process.stdout.write(opts.json ? `${JSON.stringify({ ...r, db: out })}\n` : `${r.summary} in ${out}\n`);
  } finally {
    store.close();
  }
}
