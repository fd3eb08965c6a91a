/**
 * End to end in Chromium against `saddle serve`: a checkpoint series of three checkpoints on two data
 * sets run from the UI (the fixture of fixtures/gen_series.py), its timeline and correlation; the
 * runs table's names, search, filter, sort, detail and delete on the member runs; and a series whose
 * files do not fit, refused with every mismatch; from the series, its checkpoints' PCA trajectory
 * and the interpolation between two of them, one click each. Screenshots go to tests/artifacts/.
 */
import { mkdirSync, mkdtempSync } from 'node:fs';
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

describe.runIf(hasBrowser)('checkpoint series and the runs table in the served UI', () => {
  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    const db = join(mkdtempSync(join(tmpdir(), 'saddle-e2e-series-')), 'runs.db');
    server = await startServer({ port: 0, host: '127.0.0.1', staticDir: `${ROOT}/out/renderer`, db });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
    await page.goto(server.url);
    await page.waitForFunction(() => document.querySelector('[data-testid=connection]')?.textContent === 'Connected');
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('runs a series of three checkpoints on two data sets and shows its timeline', async () => {
    await page.setInputFiles('[data-testid=series-model]', series('mlp.onnx'));
    await page.setInputFiles('[data-testid=series-checkpoints]', ['epoch1.pt', 'epoch4.pt', 'epoch8.pt'].map(series));
    await page.setInputFiles('[data-testid=series-reference]', series('train.npz'));
    await page.setInputFiles('[data-testid=series-others]', series('test.npz'));
    await page.fill('[aria-label="series top-k"]', '2');
    await page.fill('[aria-label="series iterations"]', '40');
    await page.fill('[aria-label="series SLQ runs"]', '2');
    await page.click('[data-testid=series-start]');
    await page.waitForFunction(() =>
      /^member \d\/6 /.test(document.querySelector('[data-testid=series-stage]')?.textContent ?? ''),
    );
    await page.waitForFunction(
      () => document.querySelector('[data-testid=series-status]')?.textContent === '6 of 6 members finished',
      undefined,
      { timeout: 120_000 },
    );
    expect(await page.textContent('[data-testid=series-stage]')).toBe('series finished: 6 members.');
    // 7 quantities × 2 data sets × 3 checkpoints, and the gap of the test set at 3 checkpoints.
    expect(await page.locator('[data-testid=series-timeline] circle.series-point').count()).toBe(45);
    // The checkpoints' epochs are the x axis.
    expect(await page.locator('svg[data-quantity=accuracy] text', { hasText: 'epoch' }).count()).toBe(1);
    const re = page.locator('[data-testid=series-correlation] tr[data-criterion=re] td');
    expect(await re.nth(1).textContent()).toBe('3');
    expect(await re.nth(0).textContent()).toMatch(/^-?[01]\.\d{3}$/);
    // The accuracy points carry the numbers: epoch8 on the training set is 100%.
    const titles = await page.locator('svg[data-quantity=accuracy] circle title').allTextContents();
    expect(titles).toContain('epoch8.pt on train.npz: 1.00000');
    await page.locator('[data-testid=series]').screenshot({ path: `${ARTIFACTS}/series.png` });
  }, 180_000);

  it('tells the member runs apart, searches, filters, sorts, shows a run in detail and deletes one', async () => {
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=runs] tbody tr').length === 6);
    const names = await page.locator(`${rows} td.run-name`).allTextContents();
    expect(new Set(names).size).toBe(6);
    expect(names).toContain('series mlp.onnx @ epoch4.pt on test.npz');
    const firstRow = await page.locator(rows).first().textContent();
    expect(firstRow).toMatch(/mlp\.onnx.*epoch8\.pt.*test\.npz.*96.*topK=2.*(cpu|webgpu)/);

    await page.fill('[data-testid=runs-search]', 'epoch4');
    await expect.poll(() => page.locator(rows).count()).toBe(2);
    await page.fill('[data-testid=runs-search]', 'epoch4 train');
    await expect.poll(() => page.locator(rows).count()).toBe(1);
    await page.fill('[data-testid=runs-search]', '');
    await page.selectOption('[data-testid=runs] select[aria-label=state]', 'failed');
    await expect.poll(() => page.locator(rows).count()).toBe(0);
    await page.selectOption('[data-testid=runs] select[aria-label=state]', '');
    await expect.poll(() => page.locator(rows).count()).toBe(6);

    // A header sorts by its column, ascending; a second click reverses.
    await page.click('[data-testid=runs] th[data-column=name]');
    expect(await page.getAttribute('[data-testid=runs] th[data-column=name]', 'aria-sort')).toBe('ascending');
    expect(await page.locator(`${rows} td.run-name`).last().textContent()).toBe(
      'series mlp.onnx @ epoch8.pt on train.npz',
    );
    await page.click('[data-testid=runs] th[data-column=name]');
    expect(await page.locator(`${rows} td.run-name`).first().textContent()).toBe(
      'series mlp.onnx @ epoch8.pt on train.npz',
    );
    await page.click('[data-testid=runs] th[data-column=name]');
    expect(await page.locator(`${rows} td.run-name`).first().textContent()).toBe(
      'series mlp.onnx @ epoch1.pt on test.npz',
    );
    // Every duration is the time it computed: positive seconds.
    for (const d of await page.locator(`${rows} [data-testid=run-duration]`).allTextContents())
      expect(d).toMatch(/^\d+\.\d s$/);

    await page.locator(`${rows} td.run-name a`).first().click();
    await page.waitForSelector('[data-testid=run-detail]');
    const detail = page.locator('[data-testid=run-detail]');
    expect(await detail.locator('[data-testid=detail-inputs]').textContent()).toMatch(
      /model\s*mlp\.onnx sha256 [0-9a-f]{12}…weights\s*epoch1\.pt sha256 [0-9a-f]{12}…data\s*test\.npz sha256/,
    );
    expect(await detail.locator('[data-testid=detail-numbers]').textContent()).toMatch(
      /top eigenvalues.*trace.*re.*Kh.*Ct/,
    );
    expect(await detail.locator('[data-testid=detail-environment]').textContent()).toMatch(/backend/);
    await page.locator('[data-testid=runs]').screenshot({ path: `${ARTIFACTS}/runs-table.png` });

    const victim = page.locator(rows).first();
    const id = await victim.getAttribute('data-run');
    await victim.locator('[data-testid=run-delete]').click();
    expect(await victim.locator('[data-testid=run-delete]').textContent()).toBe('Confirm delete');
    await victim.locator('[data-testid=run-delete]').click();
    await expect.poll(() => page.locator(rows).count()).toBe(5);
    expect(await page.locator(`${rows}[data-run="${id}"]`).count()).toBe(0);
    expect(await page.locator('[data-testid=run-detail]').count()).toBe(0);
  }, 60_000);

  it('opens the trajectory of the series checkpoints and the line between two of them, one click each', async () => {
    await page.click('[data-testid=series-trajectory]');
    await expect
      .poll(() => page.textContent('[data-testid=series-grid-stage]'), { timeout: 60_000 })
      .toBe('trajectory finished.');
    await expect.poll(() => page.locator(rows).count()).toBe(6);
    await page.waitForSelector('[data-testid=run-detail]');
    expect(await page.textContent('[data-testid=run-figures] h2')).toBe('trajectory mlp.onnx: 3 checkpoints');
    expect(await page.locator('[data-testid=run-detail] [data-testid=detail-inputs]').textContent()).toMatch(
      /model\s*mlp\.onnx sha256 [0-9a-f]{12}….*data\s*train\.npz/,
    );

    await page.selectOption('[data-testid=series-from]', '1');
    await page.selectOption('[data-testid=series-to]', '2');
    await page.click('[data-testid=series-interpolate]');
    await expect
      .poll(() => page.textContent('[data-testid=series-grid-stage]'), { timeout: 60_000 })
      .toBe('interpolate finished.');
    await expect.poll(() => page.locator(rows).count()).toBe(7);
    await expect
      .poll(() => page.textContent('[data-testid=run-figures] h2'))
      .toBe('interpolate mlp.onnx: epoch4.pt → epoch8.pt');
  }, 120_000);

  it('refuses a series whose files do not fit, naming every mismatch, before any work', async () => {
    await page.setInputFiles('[data-testid=series-checkpoints]', [series('epoch1.pt'), series('mismatch-ckpt.pt')]);
    await page.setInputFiles('[data-testid=series-others]', series('mismatch-wide.npz'));
    await page.click('[data-testid=series-start]');
    await expect.poll(() => page.textContent('[data-testid=error]')).toMatch(/2 problem\(s\)/);
    const error = (await page.textContent('[data-testid=error]')) ?? '';
    expect(error).toContain('mismatch-ckpt.pt');
    expect(error).toContain('mismatch-wide.npz');
    expect(await page.locator(rows).count()).toBe(7);
  }, 60_000);
});
