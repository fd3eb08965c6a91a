/** `saddle runs export`: one run in one of the export formats, to a file (atomically) or stdout. */
import type { RunStore } from '../store/store';
import { writeFileAtomic } from '../util/atomic-write';
import { availableExports, describeChoices, exportProblem } from './available';
import { type CsvTable, runCsv } from './csv';
import { type FigureName, runFigure, svgToPng } from './figures';
import { writeLiH5 } from './hdf5';
import { runJson } from './json';
import { llaLine } from './lla';
import { vectorsNpz } from './npz';
import { htmlReport } from './report';
import { loadRunData } from './run-data';
import { runVtp, runVts, type VtkOptions } from './vtk';

export const EXPORT_FORMATS = ['json', 'csv', 'vtp', 'vts', 'h5', 'npz', 'lla', 'svg', 'png', 'html'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export interface ExportOptions extends VtkOptions {
  format: ExportFormat;
  table?: CsvTable;
  figure?: FigureName;
  /** Include eigenvectors in JSON (they can be large). */
  vectors?: boolean;
}

const BINARY: ExportFormat[] = ['h5', 'npz', 'png'];

export { availableExports, type ExportChoice } from './available';

/** Writes `out` (or returns the text for stdout when `out` is undefined and the format is text). */
export async function exportRun(store: RunStore, id: string, o: ExportOptions, out?: string): Promise<string | null> {
  const data = loadRunData(store, id, (o.format === 'json' && o.vectors) || o.format === 'npz');
  const problem = exportProblem(data, o);
  if (problem) throw new Error(`${problem} It can be exported as: ${describeChoices(availableExports(data))}.`);
  if (o.format === 'h5') {
    if (!out) throw new Error('HDF5 is binary: give the output file with -o FILE.h5.');
    await writeLiH5(data, out);
    return null;
  }
  if (BINARY.includes(o.format) && !out)
    throw new Error(`${o.format.toUpperCase()} is binary: give the output file with -o.`);
  let content: string | Uint8Array;
  switch (o.format) {
    case 'json':
      content = runJson(data);
      break;
    case 'csv':
      content = runCsv(data, o.table);
      break;
    case 'vtp':
      content = runVtp(data, o);
      break;
    case 'vts':
      content = runVts(data, o);
      break;
    case 'lla':
      content = llaLine(data);
      break;
    case 'svg':
      content = runFigure(data, o.figure).svg;
      break;
    case 'png':
      content = svgToPng(runFigure(data, o.figure).svg);
      break;
    case 'npz':
      content = vectorsNpz(data);
      break;
    default:
      content = htmlReport([data], `Saddle report: ${data.run.name}`);
  }
  if (!out) return content as string;
  writeFileAtomic(out, content);
  return null;
}
