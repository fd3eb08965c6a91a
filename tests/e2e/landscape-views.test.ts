/**
 * End to end: the landscape views (three.js surface, d3 map, 1-D curve) in Debian's Chromium with
 * WebGL through SwiftShader, against `saddle serve`. Checks pixels, not only elements: the lowest grid
 * cell is drawn in the colormap's low colour, rotating changes the picture, the hover read-out is the
 * stored value to the last digit, and a running landscape shows its points before it finishes.
 * Saves screenshots of each view to tests/artifacts/ (docs/ with SADDLE_SCREENSHOTS=1). Prints (never asserts) the frame rate of a 101 × 101 surface.
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { colorAt } from '../../src/figures';
import { type RunningServer, startServer } from '../../src/server/serve';
import { RunStore } from '../../src/store/store';
import { fixture, ROOT } from '../helpers';
import { hasBrowser, launchChromium } from './browser';
import { changedFraction, decode, nearestColour, type Rgba } from './pixels';
import { addGrid, axis, bowl } from './synthetic-runs';

declare const document: {
  querySelector(selector: string): { textContent: string | null; getAttribute(n: string): string | null } | null;
};
declare const DataTransfer: { new (): { items: { add(file: unknown): void } } };
declare const KeyboardEvent: { new (type: string, init: { key: string; bubbles: boolean }): unknown };
declare const performance: { now(): number };
declare function requestAnimationFrame(f: (t: number) => void): number;
/** Screenshots refresh the README's pictures only when asked (SADDLE_SCREENSHOTS=1); else tests/artifacts/. */
const DOCS = process.env.SADDLE_SCREENSHOTS === '1' ? `${ROOT}/docs` : `${ROOT}/tests/artifacts`;
mkdirSync(DOCS, { recursive: true });

let server: RunningServer;
let dbPath: string;
let browser: Browser;
let page: Page;
const consoleErrors: string[] = [];
const consoleWarnings: string[] = [];
const ids: Record<string, string> = {};

async function storedGrid(id: string): Promise<{ x: number[]; y: number[] | null; loss: Array<number | null> }> {
  return page.evaluate(async (runId) => {
    const r = await fetch('/api/getRun', {
      method: 'POST',
      body: JSON.stringify({ id: runId }),
      credentials: 'same-origin',
    });
    const body = (await r.json()) as {
      result: { grids: Array<{ x: number[]; y: number[] | null; loss: Array<number | null> }> };
    };
    return body.result.grids[0];
  }, id);
}

async function openRun(name: string): Promise<void> {
  await page.locator('[data-testid=runs] tbody tr', { hasText: name }).locator('a').click();
  await page.waitForSelector('[data-testid=landscape-panel]');
  await page.waitForFunction((n) => document.querySelector('[data-testid=run-figures] h2')?.textContent === n, name);
}

/** Wait until the surface has drawn a frame after `before` frames. */
async function nextFrame(before: number): Promise<number> {
  await page.waitForFunction(
    (b) => Number(document.querySelector('[data-testid=surface]')?.getAttribute('data-frames')) > b,
    before,
  );
  return frames();
}

const frames = async () => Number(await page.getAttribute('[data-testid=surface]', 'data-frames'));

/** Where the surface draws the grid's lowest point, in page pixels. */
async function minPixel(): Promise<{ x: number; y: number }> {
  const box = await page.locator('[data-testid=surface-canvas]').boundingBox();
  const label = page.locator('[data-testid=surface-min]');
  const x = Number(await label.getAttribute('data-x'));
  const y = Number(await label.getAttribute('data-y'));
  if (!box) throw new Error('The surface canvas has no box.');
  return { x: box.x + x, y: box.y + y };
}

async function canvasPixels(): Promise<Rgba> {
  return decode(page, await page.locator('[data-testid=surface-canvas]').screenshot());
}

async function drag(dx: number, dy: number, steps = 10): Promise<void> {
  const box = await page.locator('[data-testid=surface-canvas]').boundingBox();
  if (!box) throw new Error('The surface canvas has no box.');
  const cx = box.x + box.width / 2;
  const cy = box.y + box.height / 2;
  await page.mouse.move(cx, cy);
  await page.mouse.down();
  await page.mouse.move(cx + dx, cy + dy, { steps });
  await page.mouse.up();
}

describe.runIf(hasBrowser)('the landscape views in Chromium (WebGL by SwiftShader)', () => {
  beforeAll(async () => {
    const db = join(mkdtempSync(join(tmpdir(), 'saddle-views-')), 'runs.db');
    dbPath = db;
    const store = new RunStore(db);
    ids.bowl = addGrid(store, 'bowl 21x21', 21, true);
    ids.big = addGrid(store, 'bowl 101x101', 101, true);
    ids.line = addGrid(store, 'line 41', 41, false);
    addGrid(store, 'trajectory 31x31', 31, true, {
      directions: { kind: 'pca', normalization: 'none', explainedVariance: [0.8, 0.15] },
      path: [
        [-0.8, 0.6],
        [-0.3, 0.2],
        [0.1, -0.05],
        [0, 0],
      ],
    });
    store.close();
    server = await startServer({ port: 0, host: '127.0.0.1', staticDir: `${ROOT}/out/renderer`, db });
    browser = await launchChromium({ webgl: true });
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    page.on('pageerror', (e) => consoleErrors.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(m.text());
      if (m.type() === 'warning') consoleWarnings.push(m.text());
    });
    await page.goto(server.url);
    await page.waitForSelector('[data-testid=runs] tbody tr');
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it("draws the lowest grid cell in the colormap's low colour, for viridis and magma", async () => {
    await openRun('bowl 21x21');
    const before = await frames();
    expect(before).toBeGreaterThan(0);
    expect(await page.textContent('[data-testid=surface]')).not.toMatch(/needs WebGL/);
    // From above nothing hides the lowest point.
    await page.click('[data-testid=camera-top]');
    await nextFrame(before);
    expect(await nearestColour(page, await minPixel(), colorAt('viridis', 0))).toBeLessThanOrEqual(6);
    // The colormap's high colour is nowhere near the minimum.
    expect(await nearestColour(page, await minPixel(), colorAt('viridis', 1))).toBeGreaterThan(100);
    const f = await frames();
    await page.selectOption('[data-testid=colormap]', 'magma');
    await nextFrame(f);
    expect(await nearestColour(page, await minPixel(), colorAt('magma', 0))).toBeLessThanOrEqual(6);
    await page.selectOption('[data-testid=colormap]', 'viridis');
  });

  it('reads the hovered grid point from the grid, to the last digit, in both linked views', async () => {
    const grid = await storedGrid(ids.bowl);
    const ny = (grid.y as number[]).length;
    let best = 0;
    grid.loss.forEach((v, k) => {
      if ((v as number) < (grid.loss[best] as number)) best = k;
    });
    const at = await minPixel();
    await page.mouse.move(at.x, at.y);
    await page.waitForFunction(
      () => document.querySelector('[data-testid=surface-readout]')?.getAttribute('data-i') !== null,
    );
    const i = Number(await page.getAttribute('[data-testid=surface-readout]', 'data-i'));
    const j = Number(await page.getAttribute('[data-testid=surface-readout]', 'data-j'));
    expect([i, j]).toEqual([Math.floor(best / ny), best % ny]);
    const text = await page.textContent('[data-testid=surface-readout]');
    expect(text).toContain(`loss = ${String(grid.loss[best])}`);
    expect(text).toContain(`α = ${grid.x[i]}, β = ${(grid.y as number[])[j]}`);
    // The map follows the surface's cursor with the same read-out.
    expect(await page.textContent('[data-testid=map-readout]')).toBe(text);
    // And the map's own hover: the corner cell (0, 0) at the plot's lower left.
    await page.locator('[data-testid=map-svg]').scrollIntoViewIfNeeded();
    const svg = await page.locator('[data-testid=map-svg]').boundingBox();
    if (!svg) throw new Error('no map');
    const scale = svg.width / 560;
    await page.mouse.move(svg.x + (64 + 2) * scale, svg.y + (460 - 48 - 2) * scale);
    await page.waitForFunction(
      () => document.querySelector('[data-testid=map-readout]')?.getAttribute('data-i') === '0',
    );
    expect(await page.getAttribute('[data-testid=map-readout]', 'data-j')).toBe('0');
    expect(await page.textContent('[data-testid=map-readout]')).toContain(`loss = ${String(grid.loss[0])}`);
    await page.locator('[data-testid=landscape-panel]').screenshot({ path: `${DOCS}/landscape-top-view.png` });
  });

  it('rotates: dragging changes the image; reset goes home', async () => {
    await page.click('[data-testid=camera-reset]');
    await nextFrame((await frames()) - 1);
    await page.mouse.move(0, 0);
    const home = await canvasPixels();
    const f = await frames();
    await drag(160, -40);
    await nextFrame(f);
    const turned = await canvasPixels();
    const changed = changedFraction(home, turned);
    expect(changed).toBeGreaterThan(0.05);
    await page.click('[data-testid=camera-reset]');
    await nextFrame((await frames()) - 1);
    await page.mouse.move(0, 0);
    expect(changedFraction(home, await canvasPixels())).toBeLessThan(0.01);
    await page.locator('.view-box', { hasText: '3-D surface' }).screenshot({ path: `${DOCS}/landscape-surface.png` });
    await page.locator('.view-box', { hasText: 'Map' }).screenshot({ path: `${DOCS}/landscape-map.png` });
  });

  it('log z and clipping change the colorbar and the picture', async () => {
    const plain = await canvasPixels();
    await page.check('[data-testid=log-z]');
    await expect.poll(() => page.textContent('[data-testid=colorbar]')).toMatch(/^log10 loss/);
    await page.fill('[data-testid=z-clip]', '1');
    await page.dispatchEvent('[data-testid=z-clip]', 'change');
    await expect.poll(() => page.textContent('[data-testid=colorbar]')).toMatch(/^log10 loss, clipped at 1/);
    await page.mouse.move(0, 0);
    expect(changedFraction(plain, await canvasPixels())).toBeGreaterThan(0.02);
    await page.selectOption('[data-testid=map-mode]', 'heat');
    expect(await page.locator('[data-testid=map-svg] rect.cell').count()).toBe(21 * 21);
    await page.uncheck('[data-testid=log-z]');
    await page.fill('[data-testid=z-clip]', '');
    await page.dispatchEvent('[data-testid=z-clip]', 'change');
    await page.selectOption('[data-testid=map-mode]', 'contours');
    // Shading lights the surface: a different picture; off again, the exact colours come back.
    await page.mouse.move(0, 0);
    const unlit = await canvasPixels();
    const f = await frames();
    await page.check('[data-testid=shade]');
    await nextFrame(f);
    await page.mouse.move(0, 0);
    await page.locator('.view-box', { hasText: '3-D surface' }).screenshot({ path: `${DOCS}/landscape-shaded.png` });
    expect(changedFraction(unlit, await canvasPixels())).toBeGreaterThan(0.02);
    const g = await frames();
    await page.uncheck('[data-testid=shade]');
    await nextFrame(g);
    await page.mouse.move(0, 0);
    expect(changedFraction(unlit, await canvasPixels())).toBeLessThan(0.01);
  });

  it('exports each view: PNG at twice its size, SVG, CSV and JSON of what it shows', async () => {
    const grid = await storedGrid(ids.bowl);
    const save = async (selector: string) => {
      const [download] = await Promise.all([page.waitForEvent('download'), page.click(selector)]);
      return { name: download.suggestedFilename(), bytes: readFileSync((await download.path()) as string) };
    };
    const png = await save('[data-export=surface-png]');
    mkdirSync(`${ROOT}/tests/artifacts`, { recursive: true });
    writeFileSync(`${ROOT}/tests/artifacts/surface-export.png`, png.bytes);
    expect(png.name).toMatch(/^saddle-landscape-[0-9a-f]{8}-surface-\d{4}-\d{2}-\d{2}\.png$/);
    const box = await page.locator('[data-testid=surface-canvas]').boundingBox();
    // PNG header: width and height, big-endian, at bytes 16 and 20.
    expect(png.bytes.readUInt32BE(16)).toBe(2 * ((box?.width ?? 0) + 90));
    expect(png.bytes.readUInt32BE(20)).toBe(2 * (box?.height ?? 0));
    const mapPng = await save('[data-export=map-png]');
    expect(mapPng.bytes.readUInt32BE(16)).toBe(1120);
    const svg = await save('[data-export=map-svg]');
    expect(svg.bytes.toString('utf8')).toMatch(/<svg[^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    const csv = (await save('[data-export=map-csv]')).bytes.toString('utf8').trim().split('\r\n');
    expect(csv[0]).toBe('x,y,loss,accuracy,drawn');
    expect(csv).toHaveLength(1 + 21 * 21);
    expect(csv[1].split(',')[2]).toBe(String(grid.loss[0]));
    const json = JSON.parse((await save('[data-export=surface-json]')).bytes.toString('utf8'));
    expect(json.grid.loss).toEqual(grid.loss);
    expect(json.drawn.colormap).toBe('viridis');
  });

  it('draws a 1-D run as a curve with its hover read-out', async () => {
    await openRun('line 41');
    await page.waitForSelector('[data-testid=curve-svg] path');
    const grid = await storedGrid(ids.line);
    const svg = await page.locator('[data-testid=curve-svg]').boundingBox();
    if (!svg) throw new Error('no curve');
    const scale = svg.width / 640;
    // α = 0 is the middle of the plot (index 20 of 41).
    await page.mouse.move(svg.x + ((64 + 584) / 2) * scale, svg.y + 150 * scale);
    await page.waitForFunction(
      () => document.querySelector('[data-testid=curve-readout]')?.getAttribute('data-i') === '20',
    );
    expect(await page.textContent('[data-testid=curve-readout]')).toContain(`loss = ${String(grid.loss[20])}`);
    await page.locator('[data-testid=landscape-panel]').screenshot({ path: `${DOCS}/landscape-curve.png` });
  });

  it('renders and rotates a 101 × 101 surface (frame rate printed, not asserted)', async () => {
    await openRun('bowl 101x101');
    await nextFrame(0);
    await page.mouse.move(0, 0);
    const first = await canvasPixels();
    await drag(300, 30);
    await page.mouse.move(0, 0);
    expect(changedFraction(first, await canvasPixels())).toBeGreaterThan(0.05);
    // Frame rate: for two seconds the page turns the camera by a key press every animation frame
    // (in the page, so the test's round trips do not limit it) and counts the frames drawn.
    await page.focus('[data-testid=landscape-panel]');
    const rate = await page.evaluate(async () => {
      const panel = document.querySelector('[data-testid=landscape-panel]') as unknown as {
        dispatchEvent(e: unknown): void;
      };
      const surface = document.querySelector('[data-testid=surface]');
      const count = () => Number(surface?.getAttribute('data-frames'));
      const f0 = count();
      const t0 = performance.now();
      while (performance.now() - t0 < 2000) {
        panel.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowLeft', bubbles: true }));
        await new Promise((resolve) => requestAnimationFrame(resolve));
      }
      const seconds = (performance.now() - t0) / 1000;
      return { frames: count() - f0, seconds };
    });
    // Shared CPU, software WebGL: a measurement, not a property of the code.
    console.log(
      `101 x 101 surface: ${rate.frames} frames in ${rate.seconds.toFixed(2)} s while rotating = ${(rate.frames / rate.seconds).toFixed(1)} frames/s (SwiftShader on a shared CPU)`,
    );
    expect(rate.frames).toBeGreaterThan(0);
    await page.locator('.view-box', { hasText: '3-D surface' }).screenshot({ path: `${DOCS}/landscape-101.png` });
  });

  it('draws a trajectory: the PCA path on the map and its end on the surface', async () => {
    await openRun('trajectory 31x31');
    await page.waitForSelector('[data-testid=map-svg] polyline');
    const points = (await page.getAttribute('[data-testid=map-svg] polyline', 'points'))?.split(' ') ?? [];
    expect(points).toHaveLength(4);
    await page.waitForSelector('[data-testid=surface] .label.mark');
    expect(await page.textContent('[data-testid=surface] .label.mark')).toBe('final');
    expect(await page.textContent('[data-testid=surface]')).toContain('PC1, 80.0% of variance');
    await page.locator('[data-testid=landscape-panel]').screenshot({ path: `${DOCS}/landscape-trajectory.png` });
  });

  it('fills in a running landscape point by point before it finishes', async () => {
    const demo = readFileSync(fixture('demo', 'demo.onnx'));
    const dataTransfer = await page.evaluateHandle(
      (data) => {
        const dt = new DataTransfer();
        dt.items.add(new File([new Uint8Array(data)], 'demo.onnx'));
        return dt;
      },
      [...demo],
    );
    await page.dispatchEvent('[data-testid=drop-zone]', 'drop', { dataTransfer });
    await page.waitForSelector('[data-testid=model-card]');
    await page.setInputFiles('[data-testid=data-input]', fixture('demo', 'demo-data.npz'));
    await page.waitForFunction(
      () => document.querySelector('[data-testid=data-name]')?.textContent === 'demo-data.npz',
    );
    await page.click('[data-testid=run-landscape]');
    // Partial: some points drawn, the run not finished.
    await page.waitForFunction(
      () => {
        const s = document.querySelector('[data-testid=surface]');
        const n = Number(s?.getAttribute('data-points'));
        return n > 0 && n < Number(s?.getAttribute('data-total'));
      },
      undefined,
      { timeout: 60_000 },
    );
    const seen = Number(await page.getAttribute('[data-testid=surface]', 'data-points'));
    expect(await page.getAttribute('[data-testid=landscape-panel]', 'data-complete')).toBe('false');
    expect(await page.textContent('[data-testid=landscape-status]')).toMatch(/^computing: \d+ of 441 points$/);
    // Pixels: the finished points are coloured dots on the surface and cells on the map.
    const partial = await canvasPixels();
    let coloured = 0;
    for (let k = 0; k < partial.width * partial.height; k++) {
      const [r, g, b] = [0, 1, 2].map((c) => partial.data[k * 4 + c]);
      if (Math.max(r, g, b) - Math.min(r, g, b) > 40) coloured++;
    }
    expect(coloured).toBeGreaterThan(0);
    expect(await page.locator('[data-testid=map-svg] rect.cell').count()).toBeGreaterThan(0);
    await page.locator('[data-testid=landscape-panel]').screenshot({ path: `${DOCS}/landscape-live.png` });
    // More points arrive while it runs, then it completes and shows the stored grid.
    await page.waitForFunction(
      (n) => Number(document.querySelector('[data-testid=surface]')?.getAttribute('data-points')) > n,
      seen,
      { timeout: 60_000 },
    );
    await page.waitForFunction(
      () => document.querySelector('[data-testid=landscape-panel]')?.getAttribute('data-complete') === 'true',
      undefined,
      { timeout: 120_000 },
    );
    expect(await page.getAttribute('[data-testid=surface]', 'data-points')).toBe('441');
    // The README's picture of the workspace: the side panel and the finished landscape in the main area.
    await page.locator('header').first().scrollIntoViewIfNeeded();
    await page.screenshot({ path: `${DOCS}/screenshot.png` });
  }, 180_000);

  it('follows a landscape another process writes to the same database', async () => {
    // What `saddle landscape --db` in a terminal does: axes first, then points as they finish.
    const store = new RunStore(dbPath);
    const id = store.createRun({ kind: 'landscape', name: 'cli 11x11', options: { synthetic: true } });
    const x = axis(11);
    store.putGridAxes(id, 'surface', x, x, { directions: { kind: 'random', normalization: 'filter' } });
    const put = (from: number, to: number) => {
      for (let k = from; k < to; k++)
        store.putPoint(id, Math.floor(k / 11), k % 11, bowl(x[Math.floor(k / 11)], x[k % 11]), 0.5);
    };
    try {
      put(0, 30);
      // Another process's new run shows when the list is next read: here, on reload.
      await page.reload();
      await page.waitForSelector('[data-testid=runs] tbody tr');
      await openRun('cli 11x11');
      await page.waitForFunction(
        () => document.querySelector('[data-testid=surface]')?.getAttribute('data-points') === '30',
      );
      expect(await page.textContent('[data-testid=landscape-status]')).toBe('computing: 30 of 121 points');
      put(30, 80);
      await page.waitForFunction(
        () => document.querySelector('[data-testid=surface]')?.getAttribute('data-points') === '80',
        undefined,
        { timeout: 15_000 },
      );
      put(80, 121);
      const loss = Float64Array.from({ length: 121 }, (_v, k) => bowl(x[Math.floor(k / 11)], x[k % 11]));
      store.finishGrid(id, 'surface', loss, null);
      store.finish(id, 'finished');
      await page.waitForFunction(
        () => document.querySelector('[data-testid=landscape-panel]')?.getAttribute('data-complete') === 'true',
        undefined,
        { timeout: 15_000 },
      );
    } finally {
      store.close();
    }
  });

  it('frees each surface it replaces: twenty openings never run out of WebGL contexts', async () => {
    for (let k = 0; k < 10; k++) {
      await openRun('bowl 21x21');
      await page.waitForSelector('[data-testid=surface-canvas]');
      await openRun('trajectory 31x31');
      await page.waitForSelector('[data-testid=surface-canvas]');
    }
    // Chromium keeps 16 live contexts and warns when it drops the oldest one.
    expect(consoleWarnings.filter((w) => /WebGL contexts/.test(w))).toEqual([]);
    expect(await page.locator('[data-testid=surface-canvas]').count()).toBe(1);
  });

  it('logged no console errors', () => {
    expect(consoleErrors).toEqual([]);
  });
});
