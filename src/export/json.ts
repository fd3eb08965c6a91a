/** A run as one JSON document: the run row, options, results, grids (x-major nested arrays) and eigenvectors. */
import { SADDLE_VERSION } from '../version';
import type { RunData } from './run-data';

const num = (v: number) => (Number.isNaN(v) ? null : v);

export function runJson(data: RunData): string {
  const { options: _o, progress, ...run } = data.run;
  return `${JSON.stringify(
    {
      format: 'saddle-run',
      exportedBy: SADDLE_VERSION,
      run: { ...run, progress: progress ? JSON.parse(progress) : null },
      model: data.model,
      options: data.options,
      results: data.results,
      grids: data.grids.map((g) => {
        const ny = g.y?.length ?? 1;
        const nest = (v: Float64Array) =>
          g.y ? g.x.map((_x, i) => Array.from(v.subarray(i * ny, (i + 1) * ny), num)) : Array.from(v, num);
        return {
          name: g.name,
          x: g.x,
          y: g.y,
          loss: nest(g.loss),
          accuracy: g.accuracy ? nest(g.accuracy) : null,
          complete: g.complete,
          ...g.meta,
        };
      }),
      eigenvectors: data.vectors.map((v) => ({ label: v.label, eigenvalue: v.eigenvalue, data: Array.from(v.data) })),
    },
    null,
    1,
  )}\n`;
}
