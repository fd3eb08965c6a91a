/**
 * Where a run's numbers were computed: the backend that ran, why `auto` did not use the GPU when it
 * fell back (in the desktop app, Electron's memory cage refuses Dawn's read-back), and the device
 * memory a GPU run held. Read from a job's result (`computedOn`) or a run's recorded environment.
 */
import { h } from '../dom';

interface ComputedOn {
  backend?: unknown;
  backendNotice?: unknown;
  deviceMemory?: { peak?: unknown } | null;
}

/** The sentence, or null when the record does not say (runs recorded before backends were). */
export function computedOnText(record: unknown): string | null {
  const r = (record ?? {}) as ComputedOn;
  if (typeof r.backend !== 'string') return null;
  const notice = typeof r.backendNotice === 'string' && r.backendNotice ? `: ${r.backendNotice}` : '';
  const peak = typeof r.deviceMemory?.peak === 'number' ? r.deviceMemory.peak : null;
  const memory = peak === null ? '' : `, ${(peak / 2 ** 20).toFixed(1)} MiB of GPU memory at most`;
  const text = `Computed on ${r.backend}${memory}${notice}`;
  return text.endsWith('.') ? text : `${text}.`;
}

/** The sentence as an element, marked as a notice when the GPU was not used. */
export function computedOnLine(record: unknown, testId: string): HTMLElement | null {
  const text = computedOnText(record);
  if (!text) return null;
  const fellBack = typeof (record as ComputedOn).backendNotice === 'string';
  return h('p', { class: fellBack ? 'notice' : 'muted', 'data-testid': testId }, text);
}
