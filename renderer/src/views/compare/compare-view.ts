/**
 * Two or more runs side by side: their numbers in one table with differences from the first,
 * spectral densities and 1-D curves overlaid in the runs' colours, and surfaces as maps side by side
 * on one shared colour scale (equal losses, equal colours). Exports the table as CSV and the
 * overlays as SVG. Drawn from the data given (the View convention).
 */
import { h } from '../../dom';
import type { View } from '../view';
import {
  type Compared,
  comparisonCsv,
  comparisonRows,
  densities,
  differing,
  gridsOf,
  lossColour,
  sharedDomain,
} from './compare-model';

const NS = 'http://www.w3.org/2000/svg';
function svg(tag: string, attrs: Record<string, string | number>, ...children: Array<Node | string>): SVGElement {
  const el = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  el.append(...children);
  return el;
}

function save(fileName: string, mime: string, content: string): void {
  const url = URL.createObjectURL(new Blob([content], { type: mime }));
  const a = h('a', { href: url, download: fileName, hidden: true });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

const today = () => new Date().toISOString().slice(0, 10);
const fmt = (x: number | null) => (x === null ? '—' : x.toPrecision(6));

/** Lines on shared axes: x linear, y linear or log10 (densities). */
function overlay(
  title: string,
  lines: Array<{ name: string; colour: string; x: number[]; y: number[] }>,
  log: boolean,
  testid: string,
): SVGElement {
  const W = 520;
  const H = 260;
  const M = { l: 56, r: 10, t: 22, b: 30 };
  const ty = (y: number) => (log ? Math.log10(Math.max(y, 1e-12)) : y);
  const xs = lines.flatMap((l) => l.x);
  const ys = lines.flatMap((l) => l.y.map(ty));
  const [x0, x1] = [Math.min(...xs), Math.max(...xs)];
  const [y0, y1] = log
    ? [Math.max(Math.min(...ys), Math.max(...ys) - 8), Math.max(...ys)]
    : [Math.min(...ys), Math.max(...ys)];
  const sx = (x: number) => M.l + ((x - x0) / (x1 - x0 || 1)) * (W - M.l - M.r);
  const sy = (y: number) => H - M.b - ((Math.max(ty(y), y0) - y0) / (y1 - y0 || 1)) * (H - M.t - M.b);
  const el = svg('svg', { xmlns: NS, width: W, height: H, viewBox: `0 0 ${W} ${H}`, 'data-testid': testid });
  el.append(
    svg('rect', { x: 0, y: 0, width: W, height: H, fill: 'white' }),
    svg('text', { x: M.l, y: 14, 'font-size': 12, 'font-weight': 'bold', 'font-family': 'sans-serif' }, title),
    svg('line', { x1: M.l, x2: W - M.r, y1: H - M.b, y2: H - M.b, stroke: '#999' }),
    svg('line', { x1: M.l, x2: M.l, y1: M.t, y2: H - M.b, stroke: '#999' }),
  );
  const label = (x: number, y: number, text: string, anchor: string) =>
    svg('text', { x, y, 'font-size': 10, 'text-anchor': anchor, 'font-family': 'sans-serif' }, text);
  el.append(
    label(M.l, H - M.b + 13, x0.toPrecision(3), 'middle'),
    label(W - M.r, H - M.b + 13, x1.toPrecision(3), 'end'),
    label(M.l - 4, H - M.b, log ? `1e${Math.round(y0)}` : y0.toPrecision(3), 'end'),
    label(M.l - 4, M.t + 8, log ? `1e${Math.round(y1)}` : y1.toPrecision(3), 'end'),
  );
  lines.forEach((l, k) => {
    const step = Math.max(1, Math.floor(l.x.length / 1500));
    const pts = l.x
      .filter((_x, i) => i % step === 0)
      .map((x, i) => `${sx(x).toFixed(1)},${sy(l.y[i * step]).toFixed(1)}`);
    el.append(
      svg('polyline', {
        points: pts.join(' '),
        fill: 'none',
        stroke: l.colour,
        'stroke-width': 1.4,
        'data-run': l.name,
      }),
      svg(
        'text',
        {
          x: W - M.r,
          y: M.t + 12 * (k + 1),
          'font-size': 10,
          'text-anchor': 'end',
          fill: l.colour,
          'font-family': 'sans-serif',
        },
        l.name,
      ),
    );
  });
  return el;
}

/** A surface as a map: x across, y up, one rectangle per point, coloured on the shared scale. */
function map(
  name: string,
  colour: string,
  g: Compared['view']['grids'][number],
  domain: [number, number],
): HTMLElement {
  const nx = g.x.length;
  const ny = g.y?.length ?? 1;
  const cell = Math.max(2, Math.floor(240 / Math.max(nx, ny)));
  const canvas = h('canvas', { width: String(nx * cell), height: String(ny * cell), 'data-testid': 'compare-map' });
  canvas.dataset.cell = String(cell);
  const ctx = canvas.getContext('2d');
  if (ctx) {
    for (let i = 0; i < nx; i++)
      for (let j = 0; j < ny; j++) {
        const v = g.loss[i * ny + j];
        if (v === null) continue;
        const [r, gg, b] = lossColour(v, domain);
        ctx.fillStyle = `rgb(${r},${gg},${b})`;
        ctx.fillRect(i * cell, (ny - 1 - j) * cell, cell, cell);
      }
  }
  return h(
    'figure',
    { class: 'compare-map' },
    canvas,
    h('figcaption', {}, h('span', { class: 'swatch', style: `background:${colour}` }), ` ${name} (${g.name})`),
  );
}

function colourBar(domain: [number, number]): HTMLElement {
  const canvas = h('canvas', { width: '240', height: '12' });
  const ctx = canvas.getContext('2d');
  if (ctx)
    for (let k = 0; k < 240; k++) {
      const [r, g, b] = lossColour(domain[0] + ((domain[1] - domain[0]) * k) / 239, domain);
      ctx.fillStyle = `rgb(${r},${g},${b})`;
      ctx.fillRect(k, 0, 1, 12);
    }
  return h(
    'div',
    {
      class: 'compare-scale',
      'data-testid': 'compare-scale',
      'data-min': String(domain[0]),
      'data-max': String(domain[1]),
    },
    `loss ${domain[0].toPrecision(4)} `,
    canvas,
    ` ${domain[1].toPrecision(4)} (one scale for every map)`,
  );
}

export function compareView(): View<Compared[]> {
  const element = h('div', { class: 'compare', 'data-testid': 'compare' });
  let onlyDiffering = false;
  let current: Compared[] = [];

  const draw = () => {
    const runs = current;
    const names = runs.map((r) => r.name);
    const all = comparisonRows(runs.map((r) => r.view));
    const rows = onlyDiffering ? differing(all) : all;
    const table = h(
      'table',
      { class: 'compare-table', 'data-testid': 'compare-table' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          h('th', {}, 'quantity'),
          ...runs.map((r) =>
            h('th', {}, h('span', { class: 'swatch', style: `background:${r.colour}` }), ` ${r.name}`),
          ),
          ...runs.slice(1).map((r) => h('th', {}, `Δ ${r.name}`)),
        ),
      ),
      h(
        'tbody',
        {},
        ...rows.map((r) =>
          h(
            'tr',
            { 'data-quantity': r.quantity },
            h('th', {}, r.quantity),
            ...r.values.map((x) => h('td', { class: 'num' }, fmt(x))),
            ...r.deltas
              .slice(1)
              .map((x) =>
                h('td', { class: 'num delta' }, x === null ? '—' : `${x >= 0 ? '+' : ''}${x.toPrecision(4)}`),
              ),
          ),
        ),
      ),
    );
    const spectra = densities(runs);
    const spectraSvg = spectra.length
      ? overlay(
          'Hessian spectral density (SLQ), log scale',
          spectra.map((d) => ({ ...d, x: d.grid, y: d.values })),
          true,
          'compare-spectra',
        )
      : null;
    const { surfaces, curves } = gridsOf(runs);
    const curvesSvg = curves.length
      ? overlay(
          '1-D loss curves',
          curves.map((c) => ({
            name: c.run.name,
            colour: c.run.colour,
            x: c.grid.x,
            y: c.grid.loss.map((v) => v ?? Number.NaN),
          })),
          false,
          'compare-curves',
        )
      : null;
    const domain = sharedDomain(surfaces.map((s) => s.grid));
    const toggle = h('input', {
      type: 'checkbox',
      'aria-label': 'only what differs',
      onchange: () => {
        onlyDiffering = toggle.checked;
        draw();
      },
    });
    toggle.checked = onlyDiffering;
    const buttons = h(
      'p',
      {},
      h('label', {}, toggle, ' only what differs'),
      ' ',
      h(
        'button',
        {
          type: 'button',
          class: 'secondary',
          onclick: () => save(`saddle-compare-${today()}.csv`, 'text/csv', comparisonCsv(all, names)),
        },
        'Export CSV',
      ),
      ...[spectraSvg, curvesSvg].flatMap((s, k) =>
        s
          ? [
              ' ',
              h(
                'button',
                {
                  type: 'button',
                  class: 'secondary',
                  onclick: () =>
                    save(
                      `saddle-compare-${k ? 'curves' : 'spectra'}-${today()}.svg`,
                      'image/svg+xml',
                      new XMLSerializer().serializeToString(s),
                    ),
                },
                k ? 'Export curves SVG' : 'Export spectra SVG',
              ),
            ]
          : [],
      ),
    );
    element.replaceChildren(
      h('h3', {}, `Comparing ${runs.length} runs`),
      buttons,
      table,
      ...(spectraSvg ? [spectraSvg] : []),
      ...(curvesSvg ? [curvesSvg] : []),
      ...(domain
        ? [
            colourBar(domain),
            h('div', { class: 'compare-maps' }, ...surfaces.map((s) => map(s.run.name, s.run.colour, s.grid, domain))),
          ]
        : []),
    );
  };

  return {
    element,
    update(runs) {
      current = runs;
      draw();
    },
    dispose() {
      element.replaceChildren();
    },
  };
}
