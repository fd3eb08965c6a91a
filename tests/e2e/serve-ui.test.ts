/**
 * End to end: `saddle serve` in this process, the built UI in Debian's Chromium (playwright-core).
 * Drops the demo model and a corrupt file on the drop zone, checks the model card and the error
 * sentence, and saves screenshots to tests/artifacts/.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningServer, startServer } from '../../src/server/serve';
import { fixture, ROOT } from '../helpers';
import { ARTIFACTS, hasBrowser, launchChromium } from './browser';

/** Browser-side class used inside page.evaluate (this file is type-checked without the DOM lib). */
declare const DataTransfer: { new (): { items: { add(file: unknown): void } } };
declare const document: {
  querySelector(selector: string): { textContent: string | null } | null;
  querySelectorAll(selector: string): { length: number };
};

let server: RunningServer;
let db: string;
let browser: Browser;
let page: Page;

/** Simulate a drag-and-drop of files onto the drop zone (the bytes travel into the page). */
async function dropFiles(p: Page, files: Array<{ name: string; bytes: Buffer }>): Promise<void> {
  const payload = files.map((f) => ({ name: f.name, data: [...f.bytes] }));
  const dataTransfer = await p.evaluateHandle((list) => {
    const dt = new DataTransfer();
    for (const f of list) dt.items.add(new File([new Uint8Array(f.data)], f.name));
    return dt;
  }, payload);
  await p.dispatchEvent('[data-testid=drop-zone]', 'drop', { dataTransfer });
}

describe.runIf(hasBrowser)('the UI served by saddle serve', () => {
  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    // The runs panel shows a database a CLI wrote (the version-1 fixture, upgraded on open).
    db = join(mkdtempSync(join(tmpdir(), 'saddle-e2e-')), 'runs.db');
    copyFileSync(fixture('store', 'v1.db'), db);
    server = await startServer({ port: 0, host: '127.0.0.1', staticDir: `${ROOT}/out/renderer`, db });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    const consoleErrors: string[] = [];
    page.on('pageerror', (e) => consoleErrors.push(e.message));
    await page.goto(server.url);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('shows the start screen', async () => {
    await expect(page.textContent('[data-testid=drop-zone]')).resolves.toContain('Drop an ONNX model here');
  });

  it('drops the demo model and shows its card', async () => {
    await dropFiles(page, [{ name: 'demo.onnx', bytes: readFileSync(fixture('demo', 'demo.onnx')) }]);
    await page.waitForSelector('[data-testid=model-card]');
    expect(await page.textContent('[data-testid=param-total]')).toBe('2,324');
    const rows = await page.$$eval('[data-testid=param-table] tbody tr', (trs) =>
      trs.map((tr) => [...tr.children].map((td) => td.textContent)),
    );
    expect(rows).toHaveLength(10);
    expect(rows[4]).toEqual(['conv2.weight', '[16, 8, 3, 3]', '1,152']);
    const ops = await page.$$eval('[data-testid=op-histogram] .bar-row', (els) =>
      els.map((e) => [e.getAttribute('data-op'), e.querySelector('.bar-count')?.textContent]),
    );
    expect(ops).toContainEqual(['Conv', '2']);
    expect(ops).toContainEqual(['BatchNormalization', '2']);
    expect(await page.isHidden('[data-testid=error]')).toBe(true);
    await page.screenshot({ path: `${ARTIFACTS}/model-card.png`, fullPage: true });
  });

  it('drops a checkpoint after the model and shows what it bound', async () => {
    await dropFiles(page, [{ name: 'demo.pt', bytes: readFileSync(fixture('demo', 'demo.pt')) }]);
    await page.waitForSelector('[data-testid=weights-card]');
    expect(await page.textContent('[data-testid=weights-card]')).toContain('14 tensors bound by name');
    await dropFiles(page, [{ name: 'other.pt', bytes: readFileSync(fixture('files', 'cnn_bn-zip.pt')) }]);
    await page.waitForSelector('[data-testid=error]:not([hidden])');
    expect(await page.textContent('[data-testid=error]')).toMatch(
      /^weights reader: the checkpoint does not fit the model: shape mismatch: conv1\.weight \(expected \[8, 1, 3, 3\], got \[8, 3, 3, 3\]\).*\(in 'other\.pt'\)$/,
    );
    await page.screenshot({ path: `${ARTIFACTS}/weights.png`, fullPage: true });
  });

  it('drops a corrupt file and shows the error sentence', async () => {
    const bytes = readFileSync(fixture('demo', 'demo.onnx')).subarray(0, 4000);
    await dropFiles(page, [{ name: 'broken.onnx', bytes }]);
    await page.waitForFunction(() =>
      document.querySelector('[data-testid=error]')?.textContent?.startsWith('ONNX reader'),
    );
    const text = await page.textContent('[data-testid=error]');
    expect(text).toBe(
      "ONNX reader: graph at byte 19 runs past the end: expected 7334 more bytes after byte 4000; the file might be truncated (in 'broken.onnx')",
    );
    await page.screenshot({ path: `${ARTIFACTS}/error.png`, fullPage: true });
  });

  it('lists the recorded runs, exports one as a download, and imports a dropped Li surface', async () => {
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=runs] tbody tr').length === 2);
    const row = page.locator('[data-testid=runs] tbody tr', { hasText: 'landscape' });
    await row.locator('select').selectOption({ label: 'CSV grid' });
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      row.locator('button', { hasText: 'Export' }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^saddle-landscape-[0-9a-f]{8}\.csv$/);
    const csv = readFileSync((await download.path()) as string, 'utf8');
    expect(csv.split('\r\n')[0]).toBe('x,y,loss,accuracy');
    expect(csv.trim().split('\r\n')).toHaveLength(1 + 25);
    await dropFiles(page, [{ name: 'surface.h5', bytes: readFileSync(fixture('li', 'surface_5x3.h5')) }]);
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=runs] tbody tr').length === 3);
    expect(await page.textContent('[data-testid=status]')).toMatch(
      /^imported surface\.h5 as run [0-9a-f]{8} \(5 × 3 points\)$/,
    );
    await page.screenshot({ path: `${ARTIFACTS}/runs.png`, fullPage: true });
  });

  it('runs a landscape from the UI with progress, cancels a Hessian analysis and resumes it', async () => {
    await page.setInputFiles('[data-testid=data-input]', fixture('demo', 'demo-data.npz'));
    await page.waitForFunction(
      () => document.querySelector('[data-testid=data-name]')?.textContent === 'demo-data.npz',
    );
    await page.fill('[aria-label=samples]', '32');
    await page.click('[data-testid=run-landscape]');
    // Starting work clears the error left by the truncated file.
    expect(await page.isHidden('[data-testid=error]')).toBe(true);
    await page.waitForFunction(
      () =>
        /^landscape finished: run [0-9a-f]{8}\.$/.test(
          document.querySelector('[data-testid=analysis-stage]')?.textContent ?? '',
        ),
      undefined,
      { timeout: 60_000 },
    );
    // Which backend ran, and why not the GPU when `auto` fell back (no hardware adapter in CI).
    const computedOn = /^Computed on (cpu.*: the GPU was not used: .+[^.]|webgpu .+[^.])\.$/s;
    expect(await page.textContent('[data-testid=analysis-backend]')).toMatch(computedOn);
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=runs] tbody tr').length === 4);
    const newest = page.locator('[data-testid=runs] tbody tr').first();
    expect(await newest.textContent()).toMatch(/landscape demo\.onnx @ demo\.pt.*finished/);
    // Its name opens its views: the 3-D surface (this browser has no WebGL: it says so) and the map.
    await newest.locator('a').click();
    await page.waitForSelector('[data-testid=landscape-panel] [data-testid=map-svg] path');
    expect(await page.getAttribute('[data-testid=landscape-panel]', 'data-complete')).toBe('true');
    // The run's detail says where it was computed too (from its recorded environment).
    await page.waitForSelector('[data-testid=run-detail] [data-testid=run-backend]');
    expect(await page.textContent('[data-testid=run-detail] [data-testid=run-backend]')).toMatch(computedOn);
    await page.screenshot({ path: `${ARTIFACTS}/analysis.png`, fullPage: true });

    await page.click('[data-testid=run-hessian]');
    await page.waitForFunction(() =>
      /^eigenvalues \d+\/\d+/.test(document.querySelector('[data-testid=analysis-stage]')?.textContent ?? ''),
    );
    await page.click('[data-testid=analysis] button:has-text("Cancel")');
    // The user's own Cancel is a state, not an error.
    await page.waitForFunction(() =>
      /^hessian cancelled: run [0-9a-f]{8} keeps what it finished\.$/.test(
        document.querySelector('[data-testid=analysis-stage]')?.textContent ?? '',
      ),
    );
    expect(await page.isHidden('[data-testid=error]')).toBe(true);
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=runs] tbody tr').length === 5);
    const hessian = page.locator('[data-testid=runs] tbody tr').first();
    expect(await hessian.textContent()).toMatch(/hessian demo\.onnx.*cancelled/);
    // Its menu lists only what it can give: no eigenvectors (never stored), no grid formats.
    await page.waitForFunction(
      () => document.querySelectorAll('[data-testid=runs] tbody tr:first-child option').length > 0,
    );
    const offered = await hessian.locator('option').allTextContents();
    expect(offered).toContain('JSON');
    expect(offered).not.toContain('eigenvectors (.npz)');
    expect(offered).not.toContain('ParaView VTP');
    // Resume is a job like any other: running, with its progress and a Cancel button in its row.
    await hessian.locator('button', { hasText: 'Resume' }).click();
    await page.waitForFunction(() =>
      /^\w[\w-]* \d+\/\d+/.test(document.querySelector('[data-testid=resume-stage]')?.textContent ?? ''),
    );
    expect(await hessian.locator('.state').textContent()).toBe('running');
    expect(await hessian.locator('button', { hasText: 'Cancel' }).count()).toBe(1);
    await page.screenshot({ path: `${ARTIFACTS}/resume.png`, fullPage: true });
    await page.waitForFunction(
      () => document.querySelector('[data-testid=runs] tbody tr:first-child .state')?.textContent === 'finished',
      undefined,
      { timeout: 60_000 },
    );
    await page.waitForFunction(() =>
      Array.from(
        document.querySelectorAll('[data-testid=runs] tbody tr:first-child option') as unknown as ArrayLike<{
          textContent: string;
        }>,
      ).some((o) => o.textContent === 'LLA log line'),
    );
  }, 120_000);

  it('refuses samples that are not a whole number of at least 1, instead of using all', async () => {
    for (const value of ['0', '-5', '1.5']) {
      await page.fill('[aria-label=samples]', value);
      await page.click('[data-testid=run-landscape]');
      await expect
        .poll(() => page.textContent('[data-testid=error]'))
        .toBe(`Samples must be a whole number of at least 1, or empty for all of them; '${value}' is not.`);
      expect(await page.textContent('[data-testid=analysis-stage]')).not.toMatch(/waiting|points/);
    }
    await page.fill('[aria-label=samples]', '');
  });

  it('shows when the server is gone, and when it came back with a new token', async () => {
    const connection = () => page.textContent('[data-testid=connection]');
    await expect.poll(connection).toBe('Connected');
    const port = server.port;
    await server.close();
    await expect.poll(connection).toMatch(/cannot be reached .*reconnecting/);
    await dropFiles(page, [{ name: 'demo.onnx', bytes: readFileSync(fixture('demo', 'demo.onnx')) }]);
    await expect.poll(() => page.textContent('[data-testid=error]')).toMatch(/server cannot be reached/);
    expect(await page.textContent('[data-testid=error]')).not.toMatch(/Failed to fetch/);
    await page.screenshot({ path: `${ARTIFACTS}/serve-offline.png` });
    server = await startServer({ port, host: '127.0.0.1', staticDir: `${ROOT}/out/renderer`, db });
    await expect.poll(connection, { timeout: 15_000 }).toMatch(/restarted with a new access token/);
    expect(await page.textContent('[data-testid=error]')).toMatch(/open the URL that `saddle serve` printed/);
  });
});
