/**
 * Export what a view shows: its picture as SVG or PNG at 2× (drawn from the same SVG), its numbers
 * as CSV and JSON. Files are named `<run>-<view>-<date>`. Views draw with explicit colours (read from
 * the theme when they draw), so an exported SVG looks as it did on screen without the page's CSS.
 */
import { h } from '../dom';

export interface Exportable {
  /** The view's name in file names: eigenvalues, density, criteria, per-layer. */
  view: string;
  svg?: () => SVGSVGElement | null;
  csv?: () => string;
  json?: () => unknown;
}

export function saveBlob(blob: Blob, fileName: string): void {
  const url = URL.createObjectURL(blob);
  const a = h('a', { href: url, download: fileName, hidden: true });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** A standalone SVG document: the namespace, the size and the font, with no page CSS needed. */
export function svgText(svg: SVGSVGElement): string {
  const copy = svg.cloneNode(true) as SVGSVGElement;
  const box = svg.getBoundingClientRect();
  copy.setAttribute('xmlns', 'http://www.w3.org/2000/svg');
  copy.setAttribute('width', String(Math.round(box.width)));
  copy.setAttribute('height', String(Math.round(box.height)));
  copy.setAttribute('font-family', 'DejaVu Sans, system-ui, sans-serif');
  return new XMLSerializer().serializeToString(copy);
}

/** The SVG rasterized at `scale`× its size on screen. */
export async function pngOf(svg: SVGSVGElement, scale = 2): Promise<Blob> {
  const text = svgText(svg);
  const box = svg.getBoundingClientRect();
  const url = URL.createObjectURL(new Blob([text], { type: 'image/svg+xml' }));
  try {
    const img = new Image();
    img.src = url;
    await img.decode();
    const canvas = document.createElement('canvas');
    canvas.width = Math.round(box.width * scale);
    canvas.height = Math.round(box.height * scale);
    const ctx = canvas.getContext('2d');
    if (!ctx) throw new Error('This browser gives no 2-D canvas, so PNG export is not available; export SVG.');
    ctx.fillStyle = getComputedStyle(document.documentElement).getPropertyValue('--panel').trim() || '#fff';
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    ctx.scale(scale, scale);
    ctx.drawImage(img, 0, 0, box.width, box.height);
    return await new Promise<Blob>((resolve, reject) =>
      canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('The PNG could not be encoded.'))), 'image/png'),
    );
  } finally {
    URL.revokeObjectURL(url);
  }
}

const today = () => new Date().toISOString().slice(0, 10);

/** PNG · SVG · CSV · JSON buttons for one view; only those the view can give. */
export function exportMenu(run: () => string, item: Exportable, onError: (e: unknown) => void): HTMLElement {
  const name = (ext: string) => `${run().slice(0, 8)}-${item.view}-${today()}.${ext}`;
  const button = (label: string, act: () => Promise<void> | void) =>
    h(
      'button',
      {
        type: 'button',
        class: 'link',
        'data-export': label.toLowerCase(),
        title: `export ${item.view} as ${label}`,
        onclick: async () => {
          try {
            await act();
          } catch (e) {
            onError(e);
          }
        },
      },
      label,
    );
  const svg = item.svg;
  const csv = item.csv;
  const json = item.json;
  return h(
    'span',
    { class: 'export-menu', 'data-testid': `export-${item.view}` },
    svg
      ? button('PNG', async () => {
          const el = svg();
          if (el) saveBlob(await pngOf(el), name('png'));
        })
      : null,
    svg
      ? button('SVG', () => {
          const el = svg();
          if (el) saveBlob(new Blob([svgText(el)], { type: 'image/svg+xml' }), name('svg'));
        })
      : null,
    csv ? button('CSV', () => saveBlob(new Blob([csv()], { type: 'text/csv' }), name('csv'))) : null,
    json
      ? button('JSON', () =>
          saveBlob(new Blob([`${JSON.stringify(json(), null, 2)}\n`], { type: 'application/json' }), name('json')),
        )
      : null,
  );
}
