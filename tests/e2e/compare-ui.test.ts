/**
 * End to end in Chromium against `saddle serve`: comparing runs the CLI recorded on the series
 * fixture. Two surfaces side by side on one colour scale, checked on pixels: the centre of both
 * planes is the same θ, so the same loss, and must get the same colour although the planes span
 * different ranges. Two spectra overlaid with their differences in one table, exported as CSV.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningServer, startServer } from '../../src/server/serve';
import { fixture, ROOT } from '../helpers';
import { ARTIFACTS, hasBrowser, launchChromium } from './browser';

declare const document: {
  querySelector(selector: string): { textContent: string | null } | null;
  querySelectorAll(selector: string): { length: number };
};

const series = (f: string) => fixture('series', f);

let server: RunningServer;
let browser: Browser;
let page: Page;
const rows = '[data-testid=runs] tbody tr';

function saddle(db: string, ...args: string[]): void {
  const common = ['--data', series('train.npz'), '--threads', '1', '--backend', 'cpu', '--db', db];
  const r = spawnSync(process.execPath, [join(ROOT, 'bin/saddle.mjs'), ...args, ...common], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
}

/** The RGBA of the pixel at the centre of cell (i, j) of the k-th map (x across, y up). */
async function cellColour(p: Page, k: number, i: number, j: number): Promise<number[]> {
  return p.evaluate(
    ([k, i, j]) => {
      // biome-ignore lint/suspicious/noExplicitAny: a canvas in the page (this file has no DOM types).
      const c = (document as any).querySelectorAll('[data-testid=compare-map]')[k];
      const cell = Number(c.dataset.cell);
      const ny = c.height / cell;
      const d = c.getContext('2d').getImageData(i * cell + cell / 2, (ny - 1 - j) * cell + cell / 2, 1, 1).data;
      return Array.from(d) as number[];
    },
    [k, i, j],
  );
}

describe.runIf(hasBrowser)('comparing runs in the served UI', () => {
  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    const db = join(mkdtempSync(join(tmpdir(), 'saddle-e2e-compare-')), 'runs.db');
    const model = series('mlp.onnx');
    for (const range of ['-1:1', '-0.5:0.5'])
      saddle(db, 'landscape', model, '--weights', series('epoch8.pt'), '--steps', '7', '--range', range);
    for (const ckpt of ['epoch1.pt', 'epoch8.pt'])
      saddle(
        db,
        'hessian',
        model,
        '--weights',
        series(ckpt),
        '--top-k',
        '2',
        '--bottom-k',
        '1',
        '--density',
        '--runs',
        '1',
        '--iterations',
        '40',
      );
    server = await startServer({ port: 0, host: '127.0.0.1', staticDir: `${ROOT}/out/renderer`, db });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 1000 }, acceptDownloads: true });
    await page.goto(server.url);
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=runs] tbody tr').length === 4);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('shows two surfaces on one colour scale: the same loss, the same colour', async () => {
    const landscapes = page.locator(rows, { hasText: 'landscape' });
    expect(await landscapes.count()).toBe(2);
    // The two plane runs share a name: the range tells them apart.
    const names = await landscapes.locator('td.run-name').allTextContents();
    expect(names.sort()).toEqual([
      'landscape mlp.onnx @ epoch8.pt range=-0.5:0.5',
      'landscape mlp.onnx @ epoch8.pt range=-1:1',
    ]);
    await landscapes.nth(0).locator('[data-testid=run-pick]').check();
    await landscapes.nth(1).locator('[data-testid=run-pick]').check();
    await page.click('[data-testid=compare-runs]');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=compare-map]').length === 2);
    // Row (3, 3) of a 7 × 7 plane is its centre, θ itself, in both.
    const a = await cellColour(page, 0, 3, 3);
    const b = await cellColour(page, 1, 3, 3);
    expect(a).toEqual(b);
    expect(a[3]).toBe(255);
    // The scale is shared: one range over both maps, from the table's surface minima and maxima.
    const value = async (q: string, k: number) =>
      Number(await page.locator(`[data-testid=compare-table] tr[data-quantity="${q}"] td`).nth(k).textContent());
    const lo = Math.min(await value('surface min loss', 0), await value('surface min loss', 1));
    const hi = Math.max(await value('surface max loss', 0), await value('surface max loss', 1));
    const scale = page.locator('[data-testid=compare-scale]');
    expect(Number(await scale.getAttribute('data-min'))).toBeCloseTo(lo, 5);
    expect(Number(await scale.getAttribute('data-max'))).toBeCloseTo(hi, 5);
    // A corner of the wider plane is higher than its centre: a different colour.
    expect(await cellColour(page, 0, 0, 0)).not.toEqual(a);
    await page.locator('[data-testid=compare-card]').screenshot({ path: `${ARTIFACTS}/compare-surfaces.png` });
  }, 60_000);

  it('overlays two spectra, tabulates their differences and exports them as CSV', async () => {
    for (const box of await page.locator(rows, { hasText: 'landscape' }).locator('[data-testid=run-pick]').all())
      await box.uncheck();
    expect(await page.textContent('[data-testid=compare-runs]')).toBe('Compare');
    const hessians = page.locator(rows, { hasText: 'hessian' });
    await hessians.nth(0).locator('[data-testid=run-pick]').check();
    await hessians.nth(1).locator('[data-testid=run-pick]').check();
    await page.click('[data-testid=compare-runs]');
    await page.waitForSelector('[data-testid=compare-spectra]');
    expect(await page.locator('[data-testid=compare-spectra] polyline').count()).toBe(2);
    expect(await page.locator('[data-testid=compare-map]').count()).toBe(0);
    const cells = await page.locator('[data-testid=compare-table] tr[data-quantity="λ1"] td').allTextContents();
    const [l1, l2, delta] = cells.map(Number);
    expect(delta).toBeCloseTo(l2 - l1, 3);
    // λ1 of epoch1 and epoch8 on the training set (fixtures/series/series-ref.json): 1.2409 and 0.41768.
    expect([l1, l2].sort()).toEqual([expect.closeTo(0.41768, 3), expect.closeTo(1.2409, 3)]);
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.click('[data-testid=compare-card] button:has-text("Export CSV")'),
    ]);
    expect(download.suggestedFilename()).toMatch(/^saddle-compare-\d{4}-\d\d-\d\d\.csv$/);
    const csv = readFileSync((await download.path()) as string, 'utf8').split('\r\n');
    expect(csv[0]).toMatch(/^quantity,hessian mlp\.onnx @ epoch\d\.pt,hessian mlp\.onnx @ epoch\d\.pt,/);
    expect(
      csv
        .find((l) => l.startsWith('λ1,'))
        ?.split(',')
        .map(Number)
        .slice(1, 3)
        .sort(),
    ).toEqual([expect.closeTo(0.41768, 3), expect.closeTo(1.2409, 3)]);
    await page.locator('[data-testid=compare-card]').screenshot({ path: `${ARTIFACTS}/compare-spectra.png` });
  }, 60_000);
});
