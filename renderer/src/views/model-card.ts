/** The model card: inputs and outputs, an operator histogram, the parameter table and the total. */
import type { ModelInfo } from '../../../src/api/contract';
import { count, h } from '../dom';

const shapeText = (shape: ReadonlyArray<number | string> | null) => (shape ? `[${shape.join(', ')}]` : '[?]');

export function modelCard(info: ModelInfo): HTMLElement {
  const fileName = info.file.split(/[\\/]/).pop() ?? info.file;
  return h(
    'section',
    { class: 'card', 'data-testid': 'model-card' },
    h(
      'header',
      {},
      h('h2', {}, fileName),
      h(
        'p',
        { class: 'muted' },
        `ONNX IR ${info.irVersion} · opset ${info.opset}${info.producer ? ` · ${info.producer}` : ''}`,
      ),
    ),
    ...info.notes.map((n) => h('p', { class: 'note', 'data-testid': 'export-note' }, n)),
    h('div', { class: 'grid' }, ioTable('Inputs', info.inputs), ioTable('Outputs', info.outputs)),
    h('h3', {}, 'Operators'),
    opHistogram(info.ops),
    h('h3', {}, 'Trainable parameters'),
    paramTable(info),
  );
}

function ioTable(title: string, values: ModelInfo['inputs']): HTMLElement {
  return h(
    'div',
    {},
    h('h3', {}, title),
    h(
      'table',
      {},
      h(
        'tbody',
        {},
        ...values.map((v) =>
          h(
            'tr',
            {},
            h('td', {}, v.name),
            h('td', { class: 'mono' }, shapeText(v.shape)),
            v.dtype ? h('td', { class: 'muted' }, v.dtype) : null,
          ),
        ),
      ),
    ),
  );
}

function opHistogram(ops: Record<string, number>): HTMLElement {
  const max = Math.max(1, ...Object.values(ops));
  return h(
    'div',
    { class: 'histogram', 'data-testid': 'op-histogram' },
    ...Object.entries(ops).map(([op, n]) =>
      h(
        'div',
        { class: 'bar-row', 'data-op': op },
        h('span', { class: 'bar-label' }, op),
        h('span', { class: 'bar', style: `width: ${(100 * n) / max}%` }),
        h('span', { class: 'bar-count' }, n),
      ),
    ),
  );
}

function paramTable(info: ModelInfo): HTMLElement {
  const aliasOf = new Map(info.aliases.map((a) => [a.of, a.transposed ? `${a.name}, transposed` : a.name]));
  return h(
    'table',
    { class: 'params', 'data-testid': 'param-table' },
    h('thead', {}, h('tr', {}, h('th', {}, 'name'), h('th', {}, 'shape'), h('th', { class: 'num' }, 'size'))),
    h(
      'tbody',
      {},
      ...info.params.map((p) =>
        h(
          'tr',
          {},
          h(
            'td',
            {},
            p.name,
            aliasOf.has(p.name) ? h('span', { class: 'muted' }, ` (also ${aliasOf.get(p.name)})`) : null,
          ),
          h('td', { class: 'mono' }, shapeText(p.shape)),
          h('td', { class: 'num' }, count(p.size)),
        ),
      ),
    ),
    h(
      'tfoot',
      {},
      h(
        'tr',
        {},
        h('td', { colspan: '2' }, `Total (${info.params.length} tensors)`),
        h('td', { class: 'num', 'data-testid': 'param-total' }, count(info.nParams)),
      ),
    ),
  );
}
