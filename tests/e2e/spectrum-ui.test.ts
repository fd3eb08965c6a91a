/**
 * End to end, the spectrum in `saddle serve` in Debian's Chromium: options validated before a job;
 * the data set checked against the model; the Ritz values drawn while Lanczos runs; the eigenvalues,
 * trace, criteria and per-layer rows on screen equal to the run's stored numbers; exports holding
 * them; picking an eigenvalue starts a landscape along its stored eigenvector; a reload reopens the
 * workspace; no console errors. Screenshots go to tests/artifacts/ (docs/ with SADDLE_SCREENSHOTS=1).
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page, Route } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RunResultsSchema } from '../../src/api/contract';
import { type RunningServer, startServer } from '../../src/server/serve';
import { RunStore } from '../../src/store/store';
import { fixture, ROOT } from '../helpers';
import { hasBrowser, launchChromium } from './browser';

declare const DataTransfer: { new (): { items: { add(file: unknown): void } } };
declare const document: {
  querySelector(selector: string): { textContent: string | null } | null;
  querySelectorAll(selector: string): { length: number };
  body: unknown;
  documentElement: unknown;
};
declare const getComputedStyle: (el: unknown) => { getPropertyValue(name: string): string };
declare const MutationObserver: new (cb: () => void) => { observe(node: unknown, o: object): void };
declare const window: { ritzSeen?: string[]; stagesSeen?: string[] };

/** WCAG 2 contrast ratio of two #rrggbb colours. */
function contrast(a: string, b: string): number {
  const lum = (hex: string) => {
    const [r, g, bl] = [1, 3, 5].map((i) => {
      const c = Number.parseInt(hex.slice(i, i + 2), 16) / 255;
      return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * bl;
  };
  const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p);
  return (x + 0.05) / (y + 0.05);
}

/** Text and background colour pairs of the theme: every one must reach WCAG AA (4.5:1). */
const PAIRS = [
  ['--fg', '--panel'],
  ['--fg', '--bg'],
  ['--muted', '--panel'],
  ['--muted', '--bg'],
  ['--accent', '--panel'],
  ['--accent-fg', '--accent'],
  ['--accent', '--accent-soft'],
  ['--error-fg', '--error-bg'],
  ['--ok-fg', '--ok-bg'],
];
/** Screenshots refresh the README's pictures only when asked (SADDLE_SCREENSHOTS=1); else tests/artifacts/. */
const DOCS = process.env.SADDLE_SCREENSHOTS === '1' ? `${ROOT}/docs` : `${ROOT}/tests/artifacts`;
mkdirSync(DOCS, { recursive: true });

let server: RunningServer;
let db: string;
let browser: Browser;
let page: Page;
const consoleErrors: string[] = [];

async function dropFiles(p: Page, files: Array<{ name: string; bytes: Buffer }>): Promise<void> {
  const payload = files.map((f) => ({ name: f.name, data: [...f.bytes] }));
  const dataTransfer = await p.evaluateHandle((list) => {
    const dt = new DataTransfer();
    for (const f of list) dt.items.add(new File([new Uint8Array(f.data)], f.name));
    return dt;
  }, payload);
  await p.dispatchEvent('[data-testid=drop-zone]', 'drop', { dataTransfer });
}

/** The run's results as stored in the database the server writes. */
function stored(id: string) {
  const store = new RunStore(db);
  try {
    const found = store.getRun(id);
    if (!found) throw new Error(`no run ${id}`);
    return {
      run: found.run,
      results: RunResultsSchema.parse(found.results),
      grids: found.grids.map((g) => store.getGrid(id, g)),
    };
  } finally {
    store.close();
  }
}

function newestRun(kind: string): string {
  const store = new RunStore(db);
  try {
    const run = store.listRuns().find((r) => r.kind === kind);
    if (!run) throw new Error(`no ${kind} run`);
    return run.id;
  } finally {
    store.close();
  }
}

async function setOption(form: string, key: string, value: string | boolean): Promise<void> {
  const el = page.locator(`[data-testid=${form}] [data-option=${key}]`);
  if (typeof value === 'boolean') await el.setChecked(value);
  else if ((await el.evaluate((e) => e.tagName)) === 'SELECT') await el.selectOption(value);
  else await el.fill(value);
}

describe.runIf(hasBrowser)('the spectrum views in saddle serve', () => {
  beforeAll(async () => {
    db = join(mkdtempSync(join(tmpdir(), 'saddle-spectrum-e2e-')), 'runs.db');
    server = await startServer({ port: 0, host: '127.0.0.1', staticDir: `${ROOT}/out/renderer`, db });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 1000 }, acceptDownloads: true });
    page.on('pageerror', (e) => consoleErrors.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(`${m.text()} (${m.location().url})`);
    });
    await page.goto(server.url);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('opens the model and a data set that fits it, and refuses one that does not', async () => {
    await dropFiles(page, [{ name: 'demo.onnx', bytes: readFileSync(fixture('demo', 'demo.onnx')) }]);
    await page.waitForSelector('[data-testid=main-view] [data-testid=model-card]');
    expect(await page.getAttribute('[data-testid=drop-zone]', 'class')).toContain('compact');
    await page.setInputFiles('[data-testid=data-input]', fixture('demo', 'demo-data.npz'));
    await page.waitForFunction(
      () => document.querySelector('[data-testid=data-name]')?.textContent === 'demo-data.npz',
    );
    // Channels-last reading turns its [1, 16, 16] samples into [16, 1, 16]: refused before a job.
    await page.click('summary:has-text("Data and evaluation")');
    await setOption('evaluation-options', 'nhwc', true);
    await page.click('[data-testid=run-hessian]');
    await expect
      .poll(() => page.textContent('[data-testid=error]'))
      .toBe(
        "The data set 'demo-data.npz' has samples of shape [16, 1, 16], but the model's input 'input' takes [1, 16, 16] after its batch axis.",
      );
    await setOption('evaluation-options', 'nhwc', false);
    // An option that is not a number is named, and no job starts.
    await page.click('summary:has-text("Spectrum options")');
    await setOption('hessian-options', 'iterations', 'abc');
    await page.click('[data-testid=run-hessian]');
    await expect
      .poll(() => page.textContent('[data-testid=error]'))
      .toBe("Spectrum options: iterations must be a whole number from 1 to 2000; 'abc' is not.");
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=runs] tbody tr').length === 0);
  });

  it('draws the Ritz values while Lanczos runs, then the stored numbers', async () => {
    await page.fill('[aria-label=samples]', '16');
    for (const [k, v] of [
      ['topK', '3'],
      ['bottomK', '2'],
      ['iterations', '40'],
      ['runs', '2'],
      ['traceProbes', '20'],
    ] as const)
      await setOption('hessian-options', k, v);
    await setOption('hessian-options', 'perLayer', true);
    // Record every live Ritz line the page shows, however briefly, before the run's table appears.
    // The job line's texts too: a stage can pass between two polls.
    await page.evaluate(() => {
      window.ritzSeen = [];
      window.stagesSeen = [];
      new MutationObserver(() => {
        const live = document.querySelector('[data-testid=ritz-live]');
        const table = document.querySelector('[data-testid=eigen-table]');
        if (live?.textContent && !table) window.ritzSeen?.push(live.textContent);
        const stage = document.querySelector('[data-testid=analysis-stage]')?.textContent;
        if (stage) window.stagesSeen?.push(stage);
      }).observe(document.body, { childList: true, subtree: true, characterData: true });
    });
    // The run's view loads slowly, as on a busy server: the Ritz values that arrive meanwhile are kept.
    const slowRun = async (route: Route) => {
      await new Promise((r) => setTimeout(r, 1500));
      await route.continue();
    };
    await page.route('**/api/getRun', slowRun);
    await page.click('[data-testid=run-hessian]');
    // A picture of the live state for the docs, kept only if the view was still live after it was taken.
    // The observer, not a visibility poll: on a loaded machine the live line can come and go between polls.
    await page.waitForFunction(() => (window.ritzSeen?.length ?? 0) > 0, undefined, { timeout: 60_000 });
    const live = await page.screenshot({ fullPage: true });
    if (await page.isVisible('[data-testid=ritz-live]')) writeFileSync(`${DOCS}/spectrum-live.png`, live);
    await page.waitForFunction(
      () =>
        /^hessian finished: run [0-9a-f]{8}\.$/.test(
          document.querySelector('[data-testid=analysis-stage]')?.textContent ?? '',
        ),
      undefined,
      { timeout: 150_000 },
    );
    await page.unrouteAll({ behavior: 'wait' });
    const stages = (await page.evaluate(() => window.stagesSeen)) ?? [];
    expect(
      stages.some((t) => /^\w[\w-]* \d+\/\d+ · stage \d of 4/.test(t)),
      stages.join(' | '),
    ).toBe(true);
    const seen = (await page.evaluate(() => window.ritzSeen)) ?? [];
    expect(seen.length).toBeGreaterThan(2);
    expect(seen[0]).toMatch(/^Lanczos step \d+: Ritz values so far/);

    const id = newestRun('hessian');
    const { results } = stored(id);
    const s = results.spectrum;
    await page.waitForSelector('[data-testid=eigen-table]');
    await page.waitForSelector('[data-testid=per-layer]');
    const shown = await page.$$eval('[data-testid=eigen-table] tbody tr', (trs) =>
      trs.map((tr) => ({
        label: tr.getAttribute('data-label'),
        text: tr.children[1].textContent,
        value: tr.children[1].getAttribute('data-value'),
      })),
    );
    const expected = [
      ...(s?.topEigenvalues ?? []).map((v, i) => ({ label: `top${i + 1}`, v })),
      ...(s?.bottomEigenvalues ?? []).map((v, i) => ({ label: `bottom${i + 1}`, v })),
    ];
    expect(expected).toHaveLength(5);
    expect(shown).toEqual(expected.map((e) => ({ label: e.label, text: e.v.toPrecision(8), value: String(e.v) })));
    expect(await page.getAttribute('[data-testid=trace-value]', 'data-value')).toBe(String(s?.trace?.estimate));
    const criteria = await page.$$eval('[data-criterion] .stat-value', (els) => els.map((e) => e.textContent));
    const c = s?.criteria;
    expect(criteria[0]).toBe(`${c?.re.mean.toPrecision(5)} ± ${c?.re.std.toPrecision(2)}`);
    expect(criteria[2]).toBe(`${c?.ct.mean.toPrecision(5)} ± ${c?.ct.std.toPrecision(2)}`);
    expect(criteria[3]).toBe(c?.hesdType);
    expect(await page.locator('[data-testid=density-plot] .density-run').count()).toBe(2);
    // Per layer: every block, sorted by top λ; a click on "size" sorts by size.
    const layers = s?.perLayer ?? [];
    const byLambda = [...layers].sort((a, b) => b.topEigenvalue - a.topEigenvalue || a.name.localeCompare(b.name));
    expect(
      await page.$$eval('[data-testid=per-layer] tbody tr', (trs) => trs.map((t) => t.getAttribute('data-layer'))),
    ).toEqual(byLambda.map((l) => l.name));
    await page.click('[data-testid=per-layer] [data-sort=size]');
    const sizes = await page.$$eval('[data-testid=per-layer] tbody tr td:nth-child(3)', (tds) =>
      tds.map((t) => Number(t.textContent?.replaceAll(',', ''))),
    );
    expect(sizes).toEqual([...sizes].sort((a, b) => b - a));
    expect(sizes).toHaveLength(layers.length);
    // The chart beside it: both bars of every block, in the table's order.
    expect(await page.locator('[data-testid=per-layer-chart] rect').count()).toBe(2 * layers.length);
    await page.screenshot({ path: `${DOCS}/spectrum-view.png`, fullPage: true });
  }, 180_000);

  it('exports what the eigenvalue view shows: CSV with the stored numbers, PNG at 2×', async () => {
    const id = newestRun('hessian');
    const s = stored(id).results.spectrum;
    const [csvDownload] = await Promise.all([
      page.waitForEvent('download'),
      page.click('[data-testid=export-eigenvalues] [data-export=csv]'),
    ]);
    expect(csvDownload.suggestedFilename()).toMatch(
      new RegExp(`^${id.slice(0, 8)}-eigenvalues-\\d{4}-\\d\\d-\\d\\d\\.csv$`),
    );
    const lines = readFileSync((await csvDownload.path()) as string, 'utf8')
      .trim()
      .split('\r\n');
    expect(lines[0]).toBe('label,eigenvalue,residual,eigenvector_stored');
    expect(lines[1]).toBe(`top1,${s?.topEigenvalues?.[0]},${s?.residuals?.top[0]},true`);
    const [png] = await Promise.all([
      page.waitForEvent('download'),
      page.click('[data-testid=export-eigenvalues] [data-export=png]'),
    ]);
    const bytes = readFileSync((await png.path()) as string);
    expect(bytes.subarray(1, 4).toString()).toBe('PNG');
    expect(bytes.readUInt32BE(16)).toBe(2 * 720);
  });

  it('picks an eigenvalue and computes the landscape along its eigenvector', async () => {
    const hessianId = newestRun('hessian');
    const s = stored(hessianId).results.spectrum;
    // Two picks make a plane; a second click on a pick removes it.
    await page.click('[data-testid=eigen-point][data-label=top1]');
    await page.click('[data-testid=eigen-point][data-label=bottom1]');
    await expect.poll(() => page.textContent('[data-testid=landscape-along]')).toBe('2-D landscape on top1 × bottom1');
    await page.click('[data-testid=eigen-point][data-label=bottom1]');
    await expect.poll(() => page.textContent('[data-testid=landscape-along]')).toBe('1-D landscape along top1');
    // Picking redraws the spectrum; the per-layer sort the user chose stays.
    expect(await page.getAttribute('[data-testid=per-layer] th:nth-child(3)', 'aria-sort')).toBe('descending');
    await page.click('summary:has-text("Landscape options")');
    await setOption('landscape-options', 'steps', '7');
    await setOption('landscape-options', 'range', '-0.2:0.2');
    await page.click('[data-testid=landscape-along]');
    await page.waitForFunction(
      () =>
        /^landscape finished: run [0-9a-f]{8}\.$/.test(
          document.querySelector('[data-testid=analysis-stage]')?.textContent ?? '',
        ),
      undefined,
      { timeout: 60_000 },
    );
    const id = newestRun('landscape');
    const { run, grids } = stored(id);
    const options = JSON.parse(run.options);
    expect(options).toMatchObject({
      dims: 1,
      directions: 'eigenvectors',
      eigenvectors: { run: hessianId, vectors: ['top1'] },
      norm: 'none',
    });
    expect(grids[0]?.meta.directions).toMatchObject({
      kind: 'eigenvectors',
      run: hessianId,
      vectors: ['top1'],
      lambda1: s?.topEigenvalues?.[0],
    });
    expect(grids[0]?.x).toHaveLength(7);
    // The new run is the one shown.
    await page.waitForSelector(`[data-testid=runs] tr.selected[data-run="${id}"]`);
  }, 90_000);

  it('answers keyboard shortcuts: help, the model card, the runs', async () => {
    await page.keyboard.press('?');
    expect(await page.isVisible('[data-testid=shortcuts]')).toBe(true);
    await page.keyboard.press('Escape');
    expect(await page.isHidden('[data-testid=shortcuts]')).toBe(true);
    await page.keyboard.press('m');
    await page.waitForSelector('[data-testid=main-view] [data-testid=model-card]');
    await page.keyboard.press('j');
    await page.waitForSelector('[data-testid=runs] tbody tr:first-child.selected');
    await page.keyboard.press('j');
    await page.waitForSelector('[data-testid=runs] tbody tr:nth-child(2).selected');
    await page.waitForSelector('[data-testid=eigen-table]');
  });

  it('reopens the workspace after a reload, in a dark theme too', async () => {
    const hessianId = newestRun('hessian');
    await page.click(`[data-testid=runs] tr[data-run="${hessianId}"] a`);
    await page.waitForSelector('[data-testid=eigen-table]');
    await page.reload();
    await page.waitForSelector('[data-testid=eigen-table]');
    expect(await page.textContent('[data-testid=model-line]')).toContain('demo.onnx');
    expect(await page.textContent('[data-testid=data-name]')).toBe('demo-data.npz');
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      const colours = await page.evaluate(
        (names) => {
          const css = getComputedStyle(document.documentElement);
          return names.map((n) => css.getPropertyValue(n).trim());
        },
        [...new Set(PAIRS.flat())],
      );
      const of = (name: string) => colours[[...new Set(PAIRS.flat())].indexOf(name)];
      for (const [fg, bg] of PAIRS)
        expect(contrast(of(fg), of(bg)), `${scheme}: ${fg} on ${bg}`).toBeGreaterThanOrEqual(4.5);
    }
    await page.screenshot({ path: `${DOCS}/spectrum-dark.png`, fullPage: true });
    await page.emulateMedia({ colorScheme: 'light' });
    expect(consoleErrors).toEqual([]);
  });

  it('interpolates between two checkpoints chosen in the landscape options', async () => {
    const ref = JSON.parse(readFileSync(fixture('files', 'reference.json'), 'utf8'));
    await dropFiles(page, [{ name: 'cnn_bn.onnx', bytes: readFileSync(fixture('engine', 'cnn_bn.onnx')) }]);
    await page.waitForFunction(
      () => document.querySelector('[data-testid=model-line]')?.textContent?.includes('cnn_bn.onnx') ?? false,
    );
    await page.setInputFiles('[data-testid=data-input]', fixture('engine', 'cnn_bn-data.npz'));
    await page.waitForFunction(
      () => document.querySelector('[data-testid=data-name]')?.textContent === 'cnn_bn-data.npz',
    );
    await page.click('summary:has-text("Landscape options")');
    await setOption('landscape-options', 'directions', 'interpolate');
    await page.setInputFiles('[data-testid=checkpoints-input]', [
      fixture('files', 'cnn_bn-zip.pt'),
      fixture('files', 'cnn_bn-bf16.safetensors'),
    ]);
    await expect
      .poll(() => page.textContent('[data-testid=directions-name]'))
      .toBe('cnn_bn-zip.pt → cnn_bn-bf16.safetensors');
    await setOption('landscape-options', 'steps', '3');
    await setOption('landscape-options', 'range', '0:1');
    await page.click('[data-testid=run-landscape]');
    await page.waitForFunction(
      () =>
        /^interpolate finished: run [0-9a-f]{8}\.$/.test(
          document.querySelector('[data-testid=analysis-stage]')?.textContent ?? '',
        ),
      undefined,
      { timeout: 60_000 },
    );
    const grid = stored(newestRun('interpolate')).grids[0];
    const loss = grid?.loss ?? [];
    expect(Math.abs(loss[0] - ref['cnn_bn-zip.pt']) / ref['cnn_bn-zip.pt']).toBeLessThan(1e-5);
    expect(Math.abs(loss[2] - ref['cnn_bn-bf16.safetensors']) / ref['cnn_bn-bf16.safetensors']).toBeLessThan(1e-5);
    expect(consoleErrors).toEqual([]);
  }, 90_000);
});
