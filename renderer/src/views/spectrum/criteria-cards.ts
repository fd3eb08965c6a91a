/** The trace with its standard error, and the LLA criteria as cards that say what each one means. */
import type { Criteria, Spectrum } from '../../../../src/api/contract';
import { h } from '../../dom';
import { criteriaCards, showNumber } from './spectrum-data';

export function traceCard(trace: NonNullable<Spectrum['trace']>): HTMLElement {
  return h(
    'div',
    { class: 'stat-card', 'data-testid': 'trace-card' },
    h('div', { class: 'stat-title' }, 'trace'),
    h(
      'div',
      { class: 'stat-value mono' },
      h('span', { 'data-testid': 'trace-value', 'data-value': String(trace.estimate) }, showNumber(trace.estimate, 6)),
      ' ± ',
      h('span', { 'data-testid': 'trace-stderr', 'data-value': String(trace.stderr) }, showNumber(trace.stderr, 3)),
    ),
    h(
      'p',
      { class: 'muted' },
      `${trace.method === 'hutch++' ? 'Hutch++' : 'Hutchinson'}, ${trace.matvecs} H·v products: the sum of all eigenvalues, with its standard error.`,
    ),
  );
}

export function criteriaView(criteria: Criteria): HTMLElement {
  return h(
    'div',
    { class: 'cards', 'data-testid': 'criteria' },
    ...criteriaCards(criteria).map((card) =>
      h(
        'div',
        { class: `stat-card criterion ${card.key}`, 'data-criterion': card.key },
        h('div', { class: 'stat-title' }, card.title),
        h('div', { class: 'stat-value mono' }, card.value),
        h('p', {}, card.measures),
        h('p', { class: 'muted' }, card.reading),
      ),
    ),
  );
}
