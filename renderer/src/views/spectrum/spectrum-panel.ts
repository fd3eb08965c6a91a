/**
 * A Hessian run's views: the extreme eigenvalues with residuals (live Ritz trails while Lanczos
 * runs), the trace, the LLA criteria, the SLQ density with each run, and the per-layer table; each
 * with its export. Picking one or two eigenvalues offers the landscape along their eigenvectors.
 */
import type { RunView } from '../../../../src/api/contract';
import { h } from '../../dom';
import { onThemeChange, theme } from '../../theme';
import { exportMenu } from '../export-view';
import type { View } from '../view';
import { criteriaView, traceCard } from './criteria-cards';
import { drawDensityPlot } from './density-plot';
import { drawEigenPlot } from './eigen-plot';
import { type LayerSort, perLayerTable } from './per-layer';
import { drawPerLayerChart } from './per-layer-chart';
import {
  criteriaCsv,
  densityCsv,
  eigenCsv,
  eigenRows,
  layersCsv,
  logDensity,
  type RitzTrail,
  runDensities,
  showNumber,
} from './spectrum-data';

export interface SpectrumViewData {
  run: RunView;
  /** Ritz values so far, while the eigenvalues stage runs (or as the run last recorded them). */
  trail: RitzTrail | null;
  picked: string[];
}

export interface SpectrumActions {
  pick(label: string): void;
  landscapeAlong(labels: string[]): void;
  error(e: unknown): void;
}

const WIDTH = 720;

function section(title: string, menu: HTMLElement | null, ...body: Array<Node | null>): HTMLElement {
  return h('section', { class: 'view-section' }, h('header', {}, h('h3', {}, title), menu), ...body);
}

export function spectrumPanel(actions: SpectrumActions): View<SpectrumViewData> {
  const element = h('div', { class: 'spectrum', 'data-testid': 'spectrum-view' });
  let data: SpectrumViewData | null = null;
  const layerSort: LayerSort = { key: 'topEigenvalue', descending: true };
  const draw = () => {
    if (!data) return;
    const { run, trail, picked } = data;
    const spectrum = run.results.spectrum;
    const rows = eigenRows(spectrum, run.eigenvectors);
    const c = theme();
    const id = () => run.run.id;
    const parts: HTMLElement[] = [];
    const stages = run.results.stages;
    parts.push(
      h(
        'header',
        { class: 'view-header' },
        h('h2', {}, run.run.name),
        h(
          'p',
          { class: 'muted', 'data-testid': 'spectrum-summary' },
          `${run.run.state}`,
          stages
            ? ` · ${stages.done.length} of ${stages.planned.length} stages done (${stages.planned.map((st) => (stages.done.includes(st) ? `${st} ✓` : st)).join(', ')})`
            : '',
          spectrum?.hvps ? ` · ${spectrum.hvps} H·v products` : '',
          run.run.seconds !== null ? ` · ${run.run.seconds.toFixed(1)} s` : '',
          spectrum?.lanczos
            ? ` · Lanczos ${spectrum.lanczos.steps} steps (${spectrum.lanczos.basisPrecision} basis${
                spectrum.lanczos.basisStorage === 'disk'
                  ? ` on disk, read ${spectrum.lanczos.reorthogonalizations ?? '?'} times`
                  : ''
              })`
            : '',
        ),
      ),
    );

    if (rows.length || trail?.steps.length) {
      const plot = drawEigenPlot({ rows, trail, picked, theme: c, width: WIDTH, onPick: actions.pick });
      const anyVector = rows.some((r) => r.hasVector);
      const along = h(
        'button',
        {
          type: 'button',
          'data-testid': 'landscape-along',
          disabled: picked.length === 0,
          title: 'landscape along the picked eigenvectors (a)',
          onclick: () => actions.landscapeAlong(picked),
        },
        picked.length === 2
          ? `2-D landscape on ${picked[0]} × ${picked[1]}`
          : picked.length === 1
            ? `1-D landscape along ${picked[0]}`
            : 'Pick an eigenvalue for its landscape',
      );
      const live = !rows.length && trail?.steps.length ? trail : null;
      parts.push(
        section(
          'Eigenvalues',
          exportMenu(
            id,
            {
              view: 'eigenvalues',
              svg: () => element.querySelector('[data-testid=eigen-plot]'),
              csv: () => eigenCsv(rows),
              json: () => ({ run: run.run.id, eigenvalues: rows }),
            },
            actions.error,
          ),
          live
            ? h(
                'p',
                { class: 'muted', 'data-testid': 'ritz-live' },
                `Lanczos step ${live.steps[live.steps.length - 1]}: Ritz values so far (hollow), earlier steps fainter.`,
              )
            : null,
          plot,
          rows.length
            ? h(
                'table',
                { class: 'eigen-table', 'data-testid': 'eigen-table' },
                h(
                  'thead',
                  {},
                  h(
                    'tr',
                    {},
                    h('th', {}, ''),
                    h('th', { class: 'num' }, 'λ'),
                    h('th', { class: 'num' }, 'residual'),
                    h('th', {}, 'eigenvector'),
                  ),
                ),
                h(
                  'tbody',
                  {},
                  ...rows.map((r) =>
                    h(
                      'tr',
                      { 'data-label': r.label },
                      h('td', {}, r.label),
                      h('td', { class: 'num mono', 'data-value': String(r.value) }, showNumber(r.value)),
                      h('td', { class: 'num mono', 'data-value': String(r.residual) }, showNumber(r.residual, 3)),
                      h('td', {}, r.hasVector ? 'stored' : '–'),
                    ),
                  ),
                ),
              )
            : null,
          rows.length
            ? h(
                'p',
                { class: 'actions' },
                anyVector
                  ? along
                  : h(
                      'span',
                      { class: 'muted' },
                      'This run kept no eigenvectors: run it with "keep eigenvectors" to follow one in a landscape.',
                    ),
              )
            : null,
        ),
      );
    }

    const trace = spectrum?.trace;
    const criteria = spectrum?.criteria;
    if (trace || criteria)
      parts.push(
        section(
          'Trace and LLA criteria',
          criteria
            ? exportMenu(
                id,
                {
                  view: 'criteria',
                  csv: () => criteriaCsv(criteria),
                  json: () => ({ run: run.run.id, trace, criteria }),
                },
                actions.error,
              )
            : null,
          h('div', { class: 'cards' }, trace ? traceCard(trace) : null),
          criteria ? criteriaView(criteria) : null,
        ),
      );

    const density = spectrum?.density;
    if (density) {
      const bandwidth = typeof run.run.options.bandwidth === 'number' ? run.run.options.bandwidth : 1e-5;
      const shown = logDensity(density);
      parts.push(
        section(
          `Spectral density (${density.runs.length} SLQ run${density.runs.length === 1 ? '' : 's'}, log scale)`,
          exportMenu(
            id,
            {
              view: 'density',
              svg: () => element.querySelector('[data-testid=density-plot]'),
              csv: () => densityCsv(density),
              json: () => ({ run: run.run.id, density }),
            },
            actions.error,
          ),
          drawDensityPlot({
            grid: density.grid,
            values: density.values,
            runs: runDensities(density, bandwidth),
            floor: shown.min,
            theme: c,
            width: WIDTH,
          }),
          h(
            'p',
            { class: 'legend' },
            h('span', { class: 'swatch', style: `background: ${c.fg}` }),
            ' average (the stored density) ',
            ...density.runs.flatMap((_r, k) => [
              h('span', { class: 'swatch', style: `background: ${c.series[k % c.series.length]}` }),
              ` run ${k + 1} `,
            ]),
          ),
        ),
      );
    }

    const layers = spectrum?.perLayer;
    if (layers?.length) {
      const chart = h('div', { class: 'per-layer-chart' });
      const drawChart = () => chart.replaceChildren(drawPerLayerChart(table.shown(), c, WIDTH));
      const table = perLayerTable(layers, layerSort, drawChart);
      drawChart();
      parts.push(
        section(
          'Per layer',
          exportMenu(
            id,
            {
              view: 'per-layer',
              svg: () => element.querySelector('[data-testid=per-layer-chart]'),
              csv: () => layersCsv(table.shown()),
              json: () => ({ run: run.run.id, perLayer: table.shown() }),
            },
            actions.error,
          ),
          table.element,
          chart,
        ),
      );
    }
    if (parts.length === 1) parts.push(h('p', { class: 'muted' }, 'No results yet: the run has not finished a stage.'));
    element.replaceChildren(...parts);
  };
  const stop = onThemeChange(draw);
  return {
    element,
    update(next) {
      data = next;
      draw();
    },
    dispose() {
      stop();
      element.replaceChildren();
    },
  };
}
