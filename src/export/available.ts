/**
 * What a run can be exported as, decided once here from what it holds (a grid and whether it is
 * complete, which Hessian stages finished, stored eigenvectors): the app's export menu lists these,
 * and `exportRun` refuses anything else with the sentence saying why, for the CLI and the app alike.
 */
import { CSV_TABLES, type CsvTable, csvProblem, defaultTable } from './csv';
import { type FigureName, figureNames, figureProblem } from './figures';
import type { ExportFormat, ExportOptions } from './index';
import { llaProblem } from './lla';
import { npzProblem } from './npz';
import { completeGridProblem, type RunData } from './run-data';
import { vtkProblem } from './vtk';

/** One entry of the export menu: a format with its table or figure, and how to say it. */
export interface ExportChoice {
  format: ExportFormat;
  label: string;
  table?: CsvTable;
  figure?: FigureName;
}

/** Why the run cannot be exported this way, or null when it can. */
export function exportProblem(data: RunData, o: Pick<ExportOptions, 'format' | 'table' | 'figure' | 'surface'>) {
  switch (o.format) {
    case 'csv':
      return csvProblem(data, o.table ?? defaultTable(data));
    case 'vtp':
      return vtkProblem(data, o, 'VTP');
    case 'vts':
      return vtkProblem(data, o, 'VTS');
    case 'h5':
      return completeGridProblem(data, 'HDF5', false);
    case 'npz':
      return npzProblem(data);
    case 'lla':
      return llaProblem(data);
    case 'svg':
    case 'png':
      return figureProblem(data, o.figure);
    default:
      return null;
  }
}

const TABLE_LABELS: Record<CsvTable, string> = {
  grid: 'CSV grid',
  eigenvalues: 'CSV eigenvalues',
  density: 'CSV spectral density',
  ritz: 'CSV Ritz nodes',
  'per-layer': 'CSV per-layer curvature',
};

/** Every export this run can give, most wanted first. */
export function availableExports(data: RunData): ExportChoice[] {
  const choices: ExportChoice[] = [{ format: 'html', label: 'HTML report' }];
  for (const figure of figureNames(data)) choices.push({ format: 'png', label: `PNG ${figure}`, figure });
  for (const table of CSV_TABLES)
    if (!csvProblem(data, table)) choices.push({ format: 'csv', label: TABLE_LABELS[table], table });
  if (!vtkProblem(data, {}, 'VTP')) choices.push({ format: 'vtp', label: 'ParaView VTP' });
  if (!vtkProblem(data, {}, 'VTS')) choices.push({ format: 'vts', label: 'ParaView VTS' });
  if (!completeGridProblem(data, 'HDF5', false)) choices.push({ format: 'h5', label: 'HDF5 (Li)' });
  if (!llaProblem(data)) choices.push({ format: 'lla', label: 'LLA log line' });
  if (!npzProblem(data)) choices.push({ format: 'npz', label: 'eigenvectors (.npz)' });
  for (const figure of figureNames(data)) choices.push({ format: 'svg', label: `SVG ${figure}`, figure });
  choices.push({ format: 'json', label: 'JSON' });
  return choices;
}

/** The choices as a short list for a sentence: "html, png (contour), csv (grid), json". */
export function describeChoices(choices: ExportChoice[]): string {
  return choices.map((c) => `${c.format}${c.table ? ` (${c.table})` : c.figure ? ` (${c.figure})` : ''}`).join(', ');
}
