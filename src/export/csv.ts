/** CSV (RFC 4180) tables of a run: its grid, eigenvalues, spectral density, Ritz nodes, per-layer curvature. */
import type { HessianReport } from '../analysis/spectrum';
import { gridProblem, mainGrid, type RunData } from './run-data';

export const CSV_TABLES = ['grid', 'eigenvalues', 'density', 'ritz', 'per-layer'] as const;
export type CsvTable = (typeof CSV_TABLES)[number];

const cell = (v: unknown): string => {
  if (v === null || v === undefined || (typeof v === 'number' && Number.isNaN(v))) return '';
  const s = String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

/**
 * A grid axis value as people write it: axes are start + i * step in float64, which leaves noise in
 * the last digits (0.8999999999999999); 15 significant digits drop it and keep every real value.
 */
export const axisValue = (v: number): number => (Number.isFinite(v) ? Number(v.toPrecision(15)) : v);

export function toCsv(header: string[], rows: unknown[][]): string {
  return `${[header, ...rows].map((r) => r.map(cell).join(',')).join('\r\n')}\r\n`;
}

/** The table a run is mostly about, when none is named. */
export function defaultTable(data: RunData): CsvTable {
  return data.grids.length ? 'grid' : 'eigenvalues';
}

/** Why the run has no such table, or null. */
export function csvProblem(data: RunData, table: CsvTable = defaultTable(data)): string | null {
  if (table === 'grid') return gridProblem(data, 'CSV grid');
  const missing = (name: string) => `Run ${data.run.id.slice(0, 8)} has no ${name}; rerun saddle hessian with it.`;
  const s = data.results.spectrum as Partial<HessianReport> | undefined;
  if (!s) return missing('Hessian spectrum');
  if (table === 'eigenvalues')
    return s.topEigenvalues || s.bottomEigenvalues ? null : missing('eigenvalues (--top-k/--bottom-k)');
  if (table === 'density' || table === 'ritz') return s.density ? null : missing('spectral density (--density)');
  return s.perLayer ? null : missing('per-layer curvature (--per-layer)');
}

export function runCsv(data: RunData, table: CsvTable = defaultTable(data)): string {
  const problem = csvProblem(data, table);
  if (problem) throw new Error(problem);
  if (table === 'grid') {
    const g = mainGrid(data, 'CSV grid');
    const ny = g.y?.length ?? 1;
    const rows: unknown[][] = [];
    for (let i = 0; i < g.x.length; i++)
      for (let j = 0; j < ny; j++) {
        const k = i * ny + j;
        const x = axisValue(g.x[i]);
        rows.push(g.y ? [x, axisValue(g.y[j]), g.loss[k], g.accuracy?.[k]] : [x, g.loss[k], g.accuracy?.[k]]);
      }
    return toCsv(g.y ? ['x', 'y', 'loss', 'accuracy'] : ['x', 'loss', 'accuracy'], rows);
  }
  const s = data.results.spectrum as Partial<HessianReport>;
  if (table === 'eigenvalues') {
    const rows = [
      ...(s.topEigenvalues ?? []).map((v, k) => ['top', k + 1, v, s.residuals?.top[k]]),
      ...(s.bottomEigenvalues ?? []).map((v, k) => ['bottom', k + 1, v, s.residuals?.bottom[k]]),
    ];
    return toCsv(['end', 'rank', 'eigenvalue', 'residual'], rows);
  }
  if (table === 'density' || table === 'ritz') {
    const d = s.density as NonNullable<HessianReport['density']>;
    if (table === 'density')
      return toCsv(
        ['eigenvalue', 'density'],
        d.grid.map((t, k) => [t, d.values[k]]),
      );
    return toCsv(
      ['run', 'node', 'weight'],
      d.runs.flatMap((r, k) => r.nodes.map((n, i) => [k + 1, n, r.weights[i]])),
    );
  }
  return toCsv(
    ['block', 'kind', 'size', 'top_eigenvalue', 'trace', 'trace_stderr'],
    (s.perLayer ?? []).map((b) => [b.name, b.kind, b.size, b.topEigenvalue, b.trace, b.traceStderr]),
  );
}
