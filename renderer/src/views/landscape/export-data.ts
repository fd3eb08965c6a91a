/**
 * What a view's CSV and JSON exports hold: the stored values, and the value as drawn after clip and
 * log. No DOM here (the tests read it under Node).
 */
import { numeric, zScale } from '../../../../src/figures';
import type { DrawOptions, GridView } from './types';

/** One row per grid point: the coordinates, the stored loss and accuracy, and the value as drawn. */
export function gridCsv(g: GridView, o: DrawOptions): string {
  const scale = zScale(numeric(g.loss), { log: o.log, zmax: o.zmax });
  const ny = g.y?.length ?? 1;
  const rows = [g.y ? 'x,y,loss,accuracy,drawn' : 'x,loss,accuracy,drawn'];
  const cell = (v: number | null) => (v === null || Number.isNaN(v) ? '' : String(v));
  for (let i = 0; i < g.x.length; i++)
    for (let j = 0; j < ny; j++) {
      const k = i * ny + j;
      const v = g.loss[k];
      const drawn = scale.transform(v);
      const row = [
        String(g.x[i]),
        ...(g.y ? [String(g.y[j])] : []),
        cell(v),
        cell(g.accuracy?.[k] ?? null),
        cell(drawn),
      ];
      rows.push(row.join(','));
    }
  return `${rows.join('\r\n')}\r\n`;
}

export function gridJson(g: GridView, o: DrawOptions, view: string): string {
  const scale = zScale(numeric(g.loss), { log: o.log, zmax: o.zmax });
  return JSON.stringify(
    {
      view,
      grid: g,
      drawn: {
        colormap: o.colormap,
        log: o.log,
        zmax: o.zmax ?? null,
        shift: scale.shift,
        range: [scale.lo, scale.hi],
        label: scale.label('loss'),
        contours: o.contours,
        levels: o.levels,
        mapMode: o.mapMode,
      },
    },
    null,
    1,
  );
}
