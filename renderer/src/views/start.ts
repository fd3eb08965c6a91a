/** The start screen: a drop zone and an Open button. */
import { h } from '../dom';

export function startScreen(onFiles: (files: File[]) => void): HTMLElement {
  const input = h('input', {
    type: 'file',
    accept: '.onnx,.pt,.pth,.ckpt,.bin,.safetensors,.npz,.db,.sqlite,.h5,.hdf5',
    hidden: true,
    'data-testid': 'file-input',
  });
  input.addEventListener('change', () => {
    if (input.files?.length) onFiles([...input.files]);
    input.value = '';
  });
  const zone = h(
    'div',
    { class: 'drop-zone', 'data-testid': 'drop-zone' },
    h('p', { class: 'big' }, 'Drop an ONNX model here'),
    h('p', { class: 'muted' }, 'Then drop its weights (.pt, .safetensors) to bind them by name.'),
    h('p', { class: 'muted' }, 'Saddle shows its inputs, operators and trainable parameters.'),
    h('button', { type: 'button', onclick: () => input.click() }, 'Open…'),
    input,
  );
  zone.addEventListener('dragover', (e) => {
    e.preventDefault();
    zone.classList.add('over');
  });
  zone.addEventListener('dragleave', () => zone.classList.remove('over'));
  zone.addEventListener('drop', (e) => {
    e.preventDefault();
    zone.classList.remove('over');
    const files = [...(e.dataTransfer?.files ?? [])];
    if (files.length) onFiles(files);
  });
  return zone;
}
