/**
 * Per-view exports: PNG at 2× (the view's own picture with its labels), SVG for the 2-D views, and
 * CSV and JSON of what the view shows (the stored values, and the drawn value after clip and log).
 * Files are named `<run>-<view>-<date>`.
 */
import { numeric, zScale } from '../../../../src/figures';
import { h } from '../../dom';
import type { DrawOptions, GridView } from './types';

export function saveBlob(blob: Blob, fileName: string): void {
  const url = URL.createObjectURL(blob);
  const a = h('a', { href: url, download: fileName, hidden: true });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export const fileStem = (run: string, view: string) => `${run}-${view}-${new Date().toISOString().slice(0, 10)}`;

export function savePng(canvas: HTMLCanvasElement, fileName: string): void {
  canvas.toBlob((blob) => {
    if (blob) saveBlob(blob, fileName);
  }, 'image/png');
}

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
