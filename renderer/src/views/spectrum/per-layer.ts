/**
 * Per-layer curvature: a table sortable by any column (click a header), and beside each row a bar of
 * its top eigenvalue and of its trace, on scales shared by all rows, so the table is its bar chart.
 */
import type { PerLayerRow } from '../../../../src/api/contract';
import { count, h } from '../../dom';
import { type LayerKey, showNumber, sortLayers } from './spectrum-data';

const COLUMNS: Array<{ key: LayerKey; label: string; numeric: boolean }> = [
  { key: 'name', label: 'block', numeric: false },
  { key: 'kind', label: 'kind', numeric: false },
  { key: 'size', label: 'size', numeric: true },
  { key: 'topEigenvalue', label: 'top λ', numeric: true },
  { key: 'trace', label: 'trace ± se', numeric: true },
];

export interface PerLayerTable {
  element: HTMLElement;
  /** The rows in the order shown. */
  shown(): PerLayerRow[];
}

/** The sort the user chose: kept by the panel, so a redraw (a pick, the theme) does not reset it. */
export interface LayerSort {
  key: LayerKey;
  descending: boolean;
}

export function perLayerTable(rows: PerLayerRow[], sort: LayerSort, onSort: () => void): PerLayerTable {
  let { key, descending } = sort;
  let sorted = sortLayers(rows, key, descending);
  const maxLambda = Math.max(1e-300, ...rows.map((r) => Math.abs(r.topEigenvalue)));
  const maxTrace = Math.max(1e-300, ...rows.map((r) => Math.abs(r.trace)));
  const body = h('tbody', {});
  const head = h('tr', {});
  const bar = (v: number, max: number, cls: string) =>
    h('span', { class: `cell-bar ${cls}${v < 0 ? ' negative' : ''}`, style: `width: ${(100 * Math.abs(v)) / max}%` });
  const render = () => {
    sorted = sortLayers(rows, key, descending);
    head.replaceChildren(
      ...COLUMNS.map((c) =>
        h(
          'th',
          {
            class: c.numeric ? 'num sortable' : 'sortable',
            'aria-sort': c.key === key ? (descending ? 'descending' : 'ascending') : 'none',
          },
          h(
            'button',
            {
              type: 'button',
              class: 'link',
              'data-sort': c.key,
              onclick: () => {
                descending = c.key === key ? !descending : c.numeric;
                key = c.key;
                sort.key = key;
                sort.descending = descending;
                render();
                onSort();
              },
            },
            c.label,
            c.key === key ? (descending ? ' ▾' : ' ▴') : '',
          ),
        ),
      ),
    );
    body.replaceChildren(
      ...sorted.map((r) =>
        h(
          'tr',
          { 'data-layer': r.name },
          h('td', { class: 'mono' }, r.name),
          h('td', {}, r.kind),
          h('td', { class: 'num' }, count(r.size)),
          h(
            'td',
            { class: 'num bar-cell' },
            bar(r.topEigenvalue, maxLambda, 'lambda'),
            h('span', { class: 'mono', 'data-value': String(r.topEigenvalue) }, showNumber(r.topEigenvalue, 5)),
          ),
          h(
            'td',
            { class: 'num bar-cell' },
            bar(r.trace, maxTrace, 'trace'),
            h('span', { class: 'mono' }, `${showNumber(r.trace, 5)} ± ${showNumber(r.traceStderr, 2)}`),
          ),
        ),
      ),
    );
  };
  render();
  return {
    element: h('table', { class: 'per-layer', 'data-testid': 'per-layer' }, h('thead', {}, head), body),
    shown: () => sorted,
  };
}
