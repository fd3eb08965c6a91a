/**
 * The theme's colours as values, for drawings that must carry them (exported SVG has no page CSS).
 * Light or dark follows the system unless the user chose one (t toggles); views redraw on a change.
 */
export interface Theme {
  fg: string;
  muted: string;
  grid: string;
  accent: string;
  panel: string;
  /** One stable colour per SLQ run / series (Okabe–Ito, colour-blind safe). */
  series: string[];
}

const OKABE_ITO = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#56B4E9', '#D55E00', '#F0E442'];

export function theme(): Theme {
  const css = getComputedStyle(document.documentElement);
  const v = (name: string, fallback: string) => css.getPropertyValue(name).trim() || fallback;
  return {
    fg: v('--fg', '#1d1f21'),
    muted: v('--muted', '#5c6068'),
    grid: v('--grid', '#d8dbe0'),
    accent: v('--accent', '#2f6fde'),
    panel: v('--panel', '#ffffff'),
    series: OKABE_ITO,
  };
}

const listeners = new Set<() => void>();
const media = globalThis.matchMedia?.('(prefers-color-scheme: dark)');
media?.addEventListener('change', () => {
  for (const l of listeners) l();
});

export function onThemeChange(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** Flip between light and dark against the system's choice (the user's override, kept per session). */
export function toggleTheme(): void {
  const root = document.documentElement;
  const dark = root.dataset.theme ? root.dataset.theme === 'dark' : Boolean(media?.matches);
  root.dataset.theme = dark ? 'light' : 'dark';
  for (const l of listeners) l();
}
