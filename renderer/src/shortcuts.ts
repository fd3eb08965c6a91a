/**
 * Keyboard shortcuts, shown with `?`. Ignored while typing in a field, and never with Ctrl/Meta/Alt
 * (those belong to the browser).
 */
import { h } from './dom';

export interface Shortcut {
  key: string;
  label: string;
  run(): void;
}

export function installShortcuts(list: Shortcut[]): HTMLElement {
  const help = h(
    'div',
    {
      class: 'shortcuts',
      role: 'dialog',
      'aria-label': 'keyboard shortcuts',
      hidden: true,
      'data-testid': 'shortcuts',
    },
    h('h2', {}, 'Keyboard shortcuts'),
    h(
      'table',
      {},
      h('tbody', {}, ...list.map((s) => h('tr', {}, h('td', {}, h('kbd', {}, s.key)), h('td', {}, s.label)))),
    ),
    h('p', { class: 'muted' }, 'Esc closes this.'),
  );
  document.addEventListener('keydown', (e) => {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    const target = e.target as HTMLElement | null;
    if (target && /^(INPUT|SELECT|TEXTAREA)$/.test(target.tagName)) return;
    if (e.key === '?') {
      help.hidden = !help.hidden;
      return;
    }
    if (e.key === 'Escape' && !help.hidden) {
      help.hidden = true;
      return;
    }
    const found = list.find((s) => s.key === e.key);
    if (found) {
      e.preventDefault();
      found.run();
    }
  });
  return help;
}
