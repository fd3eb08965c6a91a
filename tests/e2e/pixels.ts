/**
 * Pixels of screenshots for the end-to-end tests: decoded by the page's own PNG decoder (Node here
 * has none), compared channel by channel.
 */
import type { Page } from 'playwright-core';

declare function createImageBitmap(blob: Blob): Promise<{ width: number; height: number }>;
interface Context2d {
  drawImage(image: unknown, x: number, y: number): void;
  getImageData(x: number, y: number, w: number, h: number): { width: number; height: number; data: ArrayLike<number> };
}
declare const OffscreenCanvas: { new (w: number, h: number): { getContext(kind: '2d'): Context2d | null } };

export interface Rgba {
  width: number;
  height: number;
  data: ArrayLike<number>;
}

/** Decode a PNG screenshot in the page itself (the browser has a PNG decoder; Node here does not). */
export async function decode(page: Page, png: Buffer): Promise<Rgba> {
  const raw = await page.evaluate(async (b64) => {
    const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    const bitmap = await createImageBitmap(new Blob([bytes], { type: 'image/png' }));
    const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
    const ctx = canvas.getContext('2d') as Context2d;
    ctx.drawImage(bitmap, 0, 0);
    const d = ctx.getImageData(0, 0, bitmap.width, bitmap.height);
    // Back as base64: a JSON array of a million numbers is slow to carry.
    let text = '';
    for (let k = 0; k < d.data.length; k += 0x8000)
      text += String.fromCharCode(
        ...Array.from({ length: Math.min(0x8000, d.data.length - k) }, (_v, q) => d.data[k + q]),
      );
    return { width: d.width, height: d.height, b64: btoa(text) };
  }, png.toString('base64'));
  return { width: raw.width, height: raw.height, data: Buffer.from(raw.b64, 'base64') };
}

/** The smallest largest-channel difference to `rgb` in a 7 × 7 patch around a page pixel. */
export async function nearestColour(page: Page, at: { x: number; y: number }, rgb: number[]): Promise<number> {
  const png = await page.screenshot({
    clip: { x: Math.round(at.x) - 3, y: Math.round(at.y) - 3, width: 7, height: 7 },
  });
  const img = await decode(page, png);
  let best = 255;
  for (let k = 0; k < img.width * img.height; k++) {
    const d = Math.max(...[0, 1, 2].map((c) => Math.abs(img.data[k * 4 + c] - rgb[c])));
    best = Math.min(best, d);
  }
  return best;
}

/** The share of pixels whose colour moved by more than 16 in some channel. */
export function changedFraction(a: Rgba, b: Rgba): number {
  let changed = 0;
  for (let k = 0; k < a.width * a.height; k++)
    if ([0, 1, 2].some((c) => Math.abs(a.data[k * 4 + c] - b.data[k * 4 + c]) > 16)) changed++;
  return changed / (a.width * a.height);
}
