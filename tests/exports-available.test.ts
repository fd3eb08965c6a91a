/**
 * The export menu lists only what a run can give, decided in the engine: every export listed works,
 * every other one is refused (by the app's API and by `saddle runs export`) with a sentence that
 * says why and what the run can be exported as instead.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ExportChoice } from '../src/api/contract';
import { dispatch } from '../src/api/dispatch';
import { SaddleService } from '../src/api/service';
import { openEvaluator } from '../src/evaluator/open';
import { CSV_TABLES } from '../src/export/csv';
import { FIGURES } from '../src/export/figures';
import { EXPORT_FORMATS, type ExportOptions, exportRun } from '../src/export/index';
import { runHessian } from '../src/runs/hessian-run';
import { recorded } from '../src/runs/recorder';
import { RunStore } from '../src/store/store';
import { fixture, ROOT } from './helpers';

const dir = mkdtempSync(join(tmpdir(), 'saddle-available-'));
const db = join(dir, 'runs.db');
let store: RunStore;
let service: SaddleService;
const ids: Record<'cutLandscape' | 'landscape' | 'hessian' | 'vectors', string> = {
  cutLandscape: '',
  landscape: '',
  hessian: '',
  vectors: '',
};

const call = async <T>(method: string, payload: unknown): Promise<T> => {
  const r = await dispatch(service, method, payload);
  if (!r.ok) throw new Error(r.error.message);
  return r.result as T;
};
const menu = async (id: string) => call<ExportChoice[]>('availableExports', { id });
const labels = (choices: ExportChoice[]) => choices.map((c) => c.label);

beforeAll(async () => {
  store = new RunStore(db);
  let points = 0;
  service = new SaddleService(
    'serve',
    (e) => {
      if (e.type === 'progress' && e.job === 'cut' && e.partial && ++points === 5) void service.cancel({ job: 'cut' });
    },
    store,
  );
  const { modelId } = await service.openDemo();
  const data = fixture('demo', 'demo-data.npz');
  const request = { modelId, data, batchSize: 128, samples: 32 };
  await expect(service.landscape({ ...request, job: 'cut', options: { steps: 5 } })).rejects.toThrow(/cancelled/);
  ids.cutLandscape = store.listRuns()[0].id;
  ids.landscape = (await service.landscape({ ...request, job: 'whole', options: { steps: 3 } })).runId as string;
  ids.hessian = (
    await service.hessian({ ...request, job: 'h', options: { topK: 2, bottomK: 1, iterations: 20, density: true } })
  ).runId as string;
  // A run that stored its eigenvectors, as `saddle hessian --db --eigenvectors` does.
  const ev = await openEvaluator(fixture('demo', 'demo.onnx'), {
    data,
    loss: 'auto',
    batchSize: 128,
    samples: 32,
    seed: 0,
    bn: 'eval',
    threads: 1,
  });
  try {
    await recorded(store, { kind: 'hessian', options: {} }, async (rec) => {
      ids.vectors = rec?.id ?? '';
      return runHessian(ev, { topK: 1, bottomK: 0, iterations: 10, eigenvectors: true }, { rec, vectors: ev.params });
    });
  } finally {
    await ev.close();
  }
}, 120_000);

describe('the exports a run can give', () => {
  it('are listed by what the run holds', async () => {
    expect(labels(await menu(ids.cutLandscape))).toEqual([
      'HTML report',
      'PNG contour',
      'PNG surface',
      'CSV grid',
      'SVG contour',
      'SVG surface',
      'JSON',
    ]);
    expect(labels(await menu(ids.landscape))).toEqual([
      'HTML report',
      'PNG contour',
      'PNG surface',
      'CSV grid',
      'ParaView VTP',
      'ParaView VTS',
      'HDF5 (Li)',
      'SVG contour',
      'SVG surface',
      'JSON',
    ]);
    // No eigenvectors for a run that never stored them.
    expect(labels(await menu(ids.hessian))).toEqual([
      'HTML report',
      'PNG density',
      'CSV eigenvalues',
      'CSV spectral density',
      'CSV Ritz nodes',
      'LLA log line',
      'SVG density',
      'JSON',
    ]);
    expect(labels(await menu(ids.vectors))).toEqual(['HTML report', 'CSV eigenvalues', 'eigenvectors (.npz)', 'JSON']);
  });

  it('every listed export works and every other one is refused with a sentence naming what can be', async () => {
    for (const id of Object.values(ids)) {
      const listed = await menu(id);
      const key = (c: { format: string; table?: string; figure?: string }) =>
        `${c.format}:${c.table ?? c.figure ?? ''}`;
      const all = EXPORT_FORMATS.flatMap((format): ExportOptions[] =>
        format === 'csv'
          ? CSV_TABLES.map((table) => ({ format, table }))
          : format === 'png' || format === 'svg'
            ? FIGURES.map((figure) => ({ format, figure }))
            : [{ format }],
      );
      for (const choice of all) {
        const offered = listed.some((c) => key(c) === key(choice));
        const out = join(dir, `${id.slice(0, 8)}-${key(choice).replace(':', '-')}.${choice.format}`);
        const attempt = exportRun(store, id, choice, out);
        if (offered) await expect(attempt, key(choice)).resolves.toBeNull();
        else await expect(attempt, key(choice)).rejects.toThrow(/\. It can be exported as: html, .*json\.$/);
      }
    }
  }, 60_000);

  it('the CLI refuses what the menu leaves out, with the same sentence', async () => {
    const r = spawnSync(
      process.execPath,
      [`${ROOT}/bin/saddle.mjs`, 'runs', 'export', ids.cutLandscape.slice(0, 8), '--format', 'vtp', '--db', db],
      { encoding: 'utf8' },
    );
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain(
      `Run ${ids.cutLandscape.slice(0, 8)} is cancelled with points missing; resume it first. It can be exported as: html, png (contour), png (surface), csv (grid), svg (contour), svg (surface), json.`,
    );
    const npz = spawnSync(
      process.execPath,
      [
        `${ROOT}/bin/saddle.mjs`,
        'runs',
        'export',
        ids.hessian.slice(0, 8),
        '--format',
        'npz',
        '-o',
        join(dir, 'x.npz'),
        '--db',
        db,
      ],
      { encoding: 'utf8' },
    );
    expect(npz.stderr).toContain('has no stored eigenvectors; run saddle hessian with --db and --eigenvectors.');
  });
});
