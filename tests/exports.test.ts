/**
 * Exports of recorded runs, each read back by an independent reader: h5py for HDF5, Python's XML and
 * CSV parsers for VTK and CSV, resvg's PNG checked by its header, the HTML report opened in Chromium
 * (screenshot in tests/artifacts/). Li et al.'s own surface files are imported and checked point by
 * point against the analytic values they were written from.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { pythonFloat } from '../src/export/lla';
import { RunStore } from '../src/store/store';
import { fixture, ROOT, readJson, requireSystemPath } from './helpers';

const dir = mkdtempSync(join(tmpdir(), 'saddle-export-'));
const db = join(dir, 'runs.db');
const ARTIFACTS = join(ROOT, 'tests', 'artifacts');
const hasH5py = requireSystemPath('/usr/lib/python3/dist-packages/h5py', 'python3-h5py');
const hasBrowser = requireSystemPath('/usr/bin/chromium', 'chromium');

const saddle = (...args: string[]) => {
  const r = spawnSync(process.execPath, [`${ROOT}/bin/saddle.mjs`, ...args], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`saddle ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
};
const read = <T>(kind: string, path: string): T => {
  const r = spawnSync('/usr/bin/python3', [`${ROOT}/tests/readers/read_export.py`, kind, path], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout) as T;
};
const demo = ['--data', fixture('demo', 'demo-data.npz'), '--threads', '1'];

// A non-square grid (7 × 5) so any transposition shows.
let grid: { x: number[]; y: number[]; loss: number[][]; accuracy: number[][] };
let spectrum: {
  criteria: { re: { mean: number }; kh: { n: number; mean: number } };
  topEigenvalues: number[];
  bottomEigenvalues: number[];
};
let landscapeId: string;
let hessianId: string;

beforeAll(() => {
  mkdirSync(ARTIFACTS, { recursive: true });
  grid = JSON.parse(
    saddle(
      'landscape',
      fixture('demo', 'demo.onnx'),
      ...demo,
      '--x',
      '-1:1:7',
      '--y',
      '-0.5:0.5:5',
      '--db',
      db,
      '--json',
    ),
  );
  spectrum = JSON.parse(
    saddle(
      'hessian',
      fixture('demo', 'demo.onnx'),
      ...demo,
      ...['--samples', '64', '--iterations', '30', '--top-k', '3', '--density', '--runs', '2', '--per-layer'],
      ...['--eigenvectors', '--save-eigenvectors', join(dir, 'saved.npz'), '--db', db, '--json'],
    ),
  );
  const runs = JSON.parse(saddle('runs', 'list', '--db', db, '--json')) as Array<{ id: string; kind: string }>;
  landscapeId = runs.find((r) => r.kind === 'landscape')?.id as string;
  hessianId = runs.find((r) => r.kind === 'hessian')?.id as string;
}, 120_000);

const f32 = (xs: number[]) => xs.map(Math.fround);

describe('run exports', () => {
  it('JSON holds the grid as computed (float32), the options and the model hash', () => {
    const doc = JSON.parse(saddle('runs', 'export', landscapeId, '--format', 'json', '--db', db));
    expect(doc.format).toBe('saddle-run');
    expect(doc.model.id).toMatch(/^[0-9a-f]{64}$/);
    expect(doc.options.x).toBe('-1:1:7');
    expect(doc.grids[0].x).toEqual(grid.x);
    expect(doc.grids[0].y).toEqual(grid.y);
    expect(doc.grids[0].loss).toEqual(grid.loss.map(f32));
    expect(doc.grids[0].accuracy).toEqual(grid.accuracy.map(f32));
  });

  it('CSV grid and spectrum tables parse and match the computed numbers', () => {
    writeFileSync(join(dir, 'grid.csv'), saddle('runs', 'export', landscapeId, '--format', 'csv', '--db', db));
    const g = read<{ header: string[]; rows: string[][] }>('csv', join(dir, 'grid.csv'));
    expect(g.header).toEqual(['x', 'y', 'loss', 'accuracy']);
    expect(g.rows).toHaveLength(35);
    for (const [x, y, loss, acc] of g.rows) {
      // Axes are printed to 15 significant digits (0.9, not 0.8999999999999999): match them so.
      const at = (axis: number[], v: string) => axis.findIndex((a) => Number(a.toPrecision(15)) === Number(v));
      const i = at(grid.x, x);
      const j = at(grid.y, y);
      expect(i).toBeGreaterThanOrEqual(0);
      expect(j).toBeGreaterThanOrEqual(0);
      expect(Number(loss)).toBe(Math.fround(grid.loss[i][j]));
      expect(Number(acc)).toBe(Math.fround(grid.accuracy[i][j]));
    }
    saddle('runs', 'export', hessianId, '--format', 'csv', '--db', db, '-o', join(dir, 'eig.csv'));
    const e = read<{ header: string[]; rows: string[][] }>('csv', join(dir, 'eig.csv'));
    expect(e.rows.filter((r) => r[0] === 'top').map((r) => Number(r[2]))).toEqual(spectrum.topEigenvalues);
    saddle(
      'runs',
      'export',
      hessianId,
      '--format',
      'csv',
      '--table',
      'per-layer',
      '--db',
      db,
      '-o',
      join(dir, 'pl.csv'),
    );
    const p = read<{ header: string[]; rows: string[][] }>('csv', join(dir, 'pl.csv'));
    expect(p.header[0]).toBe('block');
    expect(p.rows.map((r) => r[0])).toContain('conv1.weight');
  });

  it('VTP follows h52vtp (points, zvalue, averaged quads; zmax then log) and VTS is its structured twin', () => {
    const out = join(dir, 's.vtp');
    saddle('runs', 'export', landscapeId, '--format', 'vtp', '--db', db, '-o', out, '--zmax', '6', '--log');
    const v = read<{
      type: string;
      piece: Record<string, string>;
      arrays: Record<string, { components: number; values: number[] }>;
    }>('vtk', out);
    expect(v.type).toBe('PolyData');
    expect(Number(v.piece.NumberOfPoints)).toBe(35);
    expect(Number(v.piece.NumberOfPolys)).toBe(6 * 4);
    const z = v.arrays['PointData/zvalue'].values;
    expect(z).toHaveLength(35);
    expect(v.arrays['Points/Points'].values).toHaveLength(3 * 35);
    expect(v.arrays['Polys/connectivity'].values).toHaveLength(4 * 24);
    expect(v.arrays['CellData/averaged zvalue'].values).toHaveLength(24);
    // Point k is (x[k % nx], y[k / nx]): numpy meshgrid order, as h52vtp.
    for (let k = 0; k < 35; k++) {
      const i = k % 7;
      const j = Math.floor(k / 7);
      const expected = Math.log(Math.min(Math.fround(grid.loss[i][j]), 6) + 0.1);
      expect(z[k]).toBeCloseTo(expected, 5);
      expect(v.arrays['Points/Points'].values.slice(3 * k, 3 * k + 2)).toEqual(f32([grid.x[i], grid.y[j]]));
    }
    saddle('runs', 'export', landscapeId, '--format', 'vts', '--db', db, '-o', join(dir, 's.vts'));
    const s = read<{ type: string; grid: Record<string, string>; arrays: Record<string, { values: number[] }> }>(
      'vtk',
      join(dir, 's.vts'),
    );
    expect(s.type).toBe('StructuredGrid');
    expect(s.grid.WholeExtent).toBe('0 6 0 4 0 0');
    expect(s.arrays['PointData/zvalue'].values).toEqual(
      f32(grid.y.flatMap((_y, j) => grid.x.map((_x, i) => grid.loss[i][j]))),
    );
  });

  it.runIf(hasH5py)("HDF5 is Li's surface layout, read by h5py", () => {
    const out = join(dir, 's.h5');
    saddle('runs', 'export', landscapeId, '--format', 'h5', '--db', db, '-o', out);
    const h = read<{ datasets: Record<string, { shape: number[]; data: number[] | number[][] }> }>('h5', out);
    expect(h.datasets.xcoordinates.data).toEqual(grid.x);
    expect(h.datasets.ycoordinates.data).toEqual(grid.y);
    // Li plots contour(meshgrid(x, y), Z): Z has shape (ny, nx) and Z[j][i] is the value at (x[i], y[j]).
    expect(h.datasets.train_loss.shape).toEqual([5, 7]);
    const Z = h.datasets.train_loss.data as number[][];
    const A = h.datasets.train_acc.data as number[][];
    for (let i = 0; i < 7; i++)
      for (let j = 0; j < 5; j++) {
        expect(Z[j][i]).toBe(Math.fround(grid.loss[i][j]));
        expect(A[j][i]).toBeCloseTo(100 * grid.accuracy[i][j], 4);
      }
  });

  it("the LLA line is the criteria means in LLA's format, floats printed as Python prints them", () => {
    const line = saddle('runs', 'export', hessianId, '--format', 'lla', '--db', db);
    const m = /^re: (\S+), Kh(\S+): (\S+)\n$/.exec(line);
    expect(m).not.toBeNull();
    expect(Number(m?.[1])).toBe(spectrum.criteria.re.mean);
    expect(m?.[2]).toBe('0.5');
    expect(Number(m?.[3])).toBe(spectrum.criteria.kh.mean);
    for (const [value, repr] of readJson<Array<[number, string]>>(fixture('export', 'python-float-repr.json')))
      expect(pythonFloat(value)).toBe(repr);
  });

  it('SVG figures are well-formed XML and PNGs render at twice their size without a display', () => {
    for (const figure of ['contour', 'surface']) {
      const svg = join(dir, `${figure}.svg`);
      saddle('runs', 'export', landscapeId, '--format', 'svg', '--figure', figure, '--db', db, '-o', svg);
      const parsed = read<{ root: string; width: string; counts: Record<string, number> }>('svg', svg);
      expect(parsed.root).toBe('svg');
      // The surface draws one path per quad: 6 × 4.
      if (figure === 'surface') expect(parsed.counts.path).toBe(24);
      else expect(parsed.counts.path).toBeGreaterThan(5);
      const png = join(ARTIFACTS, `export-${figure}.png`);
      saddle('runs', 'export', landscapeId, '--format', 'png', '--figure', figure, '--db', db, '-o', png);
      const bytes = readFileSync(png);
      expect(bytes.subarray(1, 4).toString()).toBe('PNG');
      expect(bytes.readUInt32BE(16)).toBe(2 * Number(parsed.width));
    }
    saddle(
      'runs',
      'export',
      hessianId,
      '--format',
      'png',
      '--figure',
      'density',
      '--db',
      db,
      '-o',
      join(ARTIFACTS, 'export-density.png'),
    );
    expect(() => saddle('runs', 'export', hessianId, '--format', 'svg', '--figure', 'contour', '--db', db)).toThrow(
      /has only the figures density, not 'contour'/,
    );
  });

  it.runIf(hasH5py)('stored eigenvectors export as the .npz --save-eigenvectors writes, read by numpy', () => {
    const out = join(dir, 'vectors.npz');
    saddle('runs', 'export', hessianId, '--format', 'npz', '--db', db, '-o', out);
    type Npz = Record<string, { shape: number[]; data: number[] }>;
    const exported = read<Npz>('npz', out);
    const saved = read<Npz>('npz', join(dir, 'saved.npz'));
    expect(exported).toEqual(saved);
    expect(exported.eigenvalues.data).toEqual(f32([...spectrum.topEigenvalues, ...spectrum.bottomEigenvalues]));
    expect(exported['v1/conv2.weight'].shape).toEqual([16, 8, 3, 3]);
    const norm = Object.entries(exported)
      .filter(([k]) => k.startsWith('v1/'))
      .reduce((a, [, v]) => a + v.data.reduce((b, x) => b + x * x, 0), 0);
    expect(norm).toBeCloseTo(1, 5);
    expect(() => saddle('runs', 'export', landscapeId, '--format', 'npz', '--db', db, '-o', out)).toThrow(
      /no stored eigenvectors/,
    );
  });

  it('refuses what a run cannot give, in a sentence', () => {
    expect(() => saddle('runs', 'export', hessianId, '--format', 'vtp', '--db', db)).toThrow(/no loss grid/);
    expect(() => saddle('runs', 'export', landscapeId, '--format', 'lla', '--db', db)).toThrow(/no LLA criteria/);
    expect(() => saddle('runs', 'export', landscapeId, '--format', 'png', '--db', db)).toThrow(
      /binary: give the output file/,
    );
    expect(() => saddle('runs', 'export', 'ffffffff', '--format', 'json', '--db', db)).toThrow(/No run 'ffffffff'/);
    expect(() =>
      saddle('runs', 'export', landscapeId, '--format', 'h5', '--db', db, '-o', '/nonexistent/s.h5'),
    ).toThrow(/Cannot write '\/nonexistent\/s\.h5': its folder does not exist\./);
    expect(() => saddle('runs', 'export', landscapeId, '--format', 'html', '--db', db, '-o', dir)).toThrow(
      /it is a folder/,
    );
  });

  it.runIf(hasBrowser)(
    'the HTML report opens in Chromium with its figures and numbers (screenshot saved)',
    async () => {
      const out = join(dir, 'report.html');
      saddle('runs', 'export', hessianId, '--format', 'html', '--db', db, '-o', out);
      saddle('runs', 'export', landscapeId, '--format', 'html', '--db', db, '-o', join(dir, 'landscape.html'));
      const browser = await chromium.launch({
        executablePath: '/usr/bin/chromium',
        args: ['--no-sandbox', '--disable-gpu'],
      });
      try {
        const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
        const errors: string[] = [];
        page.on('console', (m) => {
          if (m.type() === 'error') errors.push(m.text());
        });
        await page.goto(`file://${out}`);
        const text = await page.textContent('body');
        expect(text).toContain(hessianId);
        expect(text).toContain(spectrum.topEigenvalues[0].toPrecision(6));
        expect(text).toContain('HESD type');
        expect(await page.locator('figure svg').count()).toBe(1);
        await page.screenshot({ path: join(ARTIFACTS, 'report-hessian.png'), fullPage: true });
        await page.goto(`file://${join(dir, 'landscape.html')}`);
        expect(await page.locator('figure svg').count()).toBe(2);
        await page.screenshot({ path: join(ARTIFACTS, 'report-landscape.png'), fullPage: true });
        expect(errors).toEqual([]);
      } finally {
        await browser.close();
      }
    },
    60_000,
  );
});

describe.runIf(hasH5py)("importing Li et al.'s surface files", () => {
  const ref = readJson<{ x: number[]; y: number[]; loss: number[][] }>(fixture('li', 'reference.json'));
  const importDb = join(dir, 'import.db');
  const importFile = (file: string) => JSON.parse(saddle('runs', 'import', file, '--db', importDb, '--json'));

  it('a 5 × 3 surface keeps every point at its coordinates (Li fills in meshgrid order)', () => {
    const r = importFile(fixture('li', 'surface_5x3.h5'));
    const store = new RunStore(importDb);
    const g = store.getGrid(r.runs[0]);
    store.close();
    expect(g?.x).toEqual(ref.x);
    expect(g?.y).toEqual(ref.y);
    for (let i = 0; i < 5; i++)
      for (let j = 0; j < 3; j++) {
        expect(g?.loss[i * 3 + j]).toBe(Math.fround(ref.loss[i][j]));
        expect(g?.accuracy?.[i * 3 + j]).toBeCloseTo((100 - 10 * ref.loss[i][j]) / 100, 6);
      }
  });

  it('a 1-D curve imports; a partial file imports as failed with its missing points named', () => {
    const curve = importFile(fixture('li', 'curve_5.h5'));
    const store = new RunStore(importDb);
    expect(store.getGrid(curve.runs[0])?.loss).toHaveLength(5);
    expect(store.getGrid(curve.runs[0])?.y).toBeNull();
    store.close();
    const partial = importFile(fixture('li', 'partial_5x3.h5'));
    expect(partial.missing).toBe(2);
    const shown = JSON.parse(saddle('runs', 'show', partial.runs[0], '--db', importDb, '--json'));
    expect(shown.state).toBe('failed');
    expect(shown.error).toMatch(/2 point\(s\) are -1/);
  });

  it('an export imports back to the same grid', () => {
    const out = join(dir, 'roundtrip.h5');
    saddle('runs', 'export', landscapeId, '--format', 'h5', '--db', db, '-o', out);
    const r = importFile(out);
    const store = new RunStore(importDb);
    const g = store.getGrid(r.runs[0]);
    store.close();
    expect(Array.from(g?.loss ?? [])).toEqual(grid.loss.flat().map(Math.fround));
  });

  it('truncated, foreign and mismatched files are refused naming the file and the reader', () => {
    const run = (file: string) =>
      spawnSync(process.execPath, [`${ROOT}/bin/saddle.mjs`, 'runs', 'import', file, '--db', importDb], {
        encoding: 'utf8',
      });
    const truncated = run(fixture('li', 'truncated.h5'));
    expect(truncated.status).toBe(1);
    expect(truncated.stderr).toMatch(
      /HDF5 surface \(Li et al\.\) reader: HDF5 cannot read the file: truncated file: eof = 3413.*\(in '.*truncated\.h5'\)\n$/,
    );
    expect(truncated.stderr).not.toContain('HDF5-DIAG');
    const foreign = run(fixture('demo', 'demo.onnx'));
    expect(foreign.stderr).toMatch(
      /runs import reader: the file is neither an HDF5 surface file \(Li et al\.\) nor a Saddle runs database \(in '.*demo\.onnx'\)/,
    );
    // An HDF5 file without Li's datasets.
    const other = join(dir, 'other.h5');
    copyFileSync(fixture('li', 'surface_5x3.h5'), other);
    const r = spawnSync('/usr/bin/python3', [
      '-c',
      `import h5py; f=h5py.File('${other}','a'); del f['train_loss']; f.close()`,
    ]);
    expect(r.status).toBe(0);
    expect(run(other).stderr).toMatch(/there is no 'train_loss' dataset/);
  });
});
