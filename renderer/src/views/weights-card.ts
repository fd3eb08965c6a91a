/** What a dropped checkpoint matched in the open model. */
import type { WeightsReport } from '../../../src/api/contract';
import { h } from '../dom';

export function weightsCard(r: WeightsReport): HTMLElement {
  const fileName = r.file.split(/[\\/]/).pop() ?? r.file;
  const facts = [
    `${r.matched.length} tensors bound by name`,
    r.stateDict ? `state_dict found under '${r.stateDict}'` : null,
    r.prefix ? `prefix '${r.prefix}' stripped` : null,
    r.optimizerState ? `Adam state for ${r.optimizerState} parameters` : null,
  ].filter((x): x is string => x !== null);
  return h(
    'section',
    { class: 'card weights', 'data-testid': 'weights-card' },
    h('header', {}, h('h2', {}, `Weights: ${fileName}`), h('p', { class: 'muted' }, r.format)),
    h('ul', {}, ...facts.map((f) => h('li', {}, f))),
    r.unexpected.length ? h('p', { class: 'note' }, `Unused keys in the checkpoint: ${r.unexpected.join(', ')}`) : null,
    r.missingBuffers.length
      ? h('p', { class: 'note' }, `Buffers kept from the ONNX file: ${r.missingBuffers.join(', ')}`)
      : null,
  );
}
