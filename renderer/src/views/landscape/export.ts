/**
 * Saving a view's exports (PNG at 2×, SVG, and the CSV and JSON of export-data.ts) as downloads named
 * `<run>-<view>-<date>`.
 */
import { h } from '../../dom';

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
