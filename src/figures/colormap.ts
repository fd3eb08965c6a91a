/**
 * Colormaps as lookup tables: 256 sRGB entries sampled once from d3-scale-chromatic, so the SVG
 * exporter, the 2-D map and the WebGL surface (a 256×1 texture) colour every value identically.
 * Perceptually uniform maps only (viridis first, the default); turbo for those who want rainbow
 * contrast, named as such.
 */
import {
  interpolateCividis,
  interpolateInferno,
  interpolateMagma,
  interpolatePlasma,
  interpolateTurbo,
  interpolateViridis,
} from 'd3-scale-chromatic';

export const COLORMAPS = ['viridis', 'magma', 'inferno', 'plasma', 'cividis', 'turbo'] as const;
export type ColormapName = (typeof COLORMAPS)[number];

const INTERPOLATORS: Record<ColormapName, (t: number) => string> = {
  viridis: interpolateViridis,
  magma: interpolateMagma,
  inferno: interpolateInferno,
  plasma: interpolatePlasma,
  cividis: interpolateCividis,
  turbo: interpolateTurbo,
};

export const LUT_SIZE = 256;

/** `#rrggbb` or `rgb(r, g, b)` (the two forms d3-scale-chromatic returns) to bytes. */
export function parseColor(css: string): [number, number, number] {
  const hex = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(css);
  if (hex) return [Number.parseInt(hex[1], 16), Number.parseInt(hex[2], 16), Number.parseInt(hex[3], 16)];
  const rgb = /^rgb\((\d+),\s*(\d+),\s*(\d+)\)$/.exec(css);
  if (rgb) return [Number(rgb[1]), Number(rgb[2]), Number(rgb[3])];
  throw new Error(`The colormap gave '${css}', which is not a colour this module reads.`);
}

const tables = new Map<ColormapName, Uint8Array>();

/** The colormap as LUT_SIZE RGB triples (entry k is the colour at t = k / (LUT_SIZE − 1)). */
export function colormapTable(name: ColormapName): Uint8Array {
  let table = tables.get(name);
  if (!table) {
    const f = INTERPOLATORS[name];
    if (!f) throw new Error(`Unknown colormap '${name}'; the colormaps are ${COLORMAPS.join(', ')}.`);
    table = new Uint8Array(LUT_SIZE * 3);
    for (let k = 0; k < LUT_SIZE; k++) table.set(parseColor(f(k / (LUT_SIZE - 1))), k * 3);
    tables.set(name, table);
  }
  return table;
}

/** The LUT entry for t in [0, 1] (clamped; NaN reads as 0): the nearest of the 256 colours. */
export function colorAt(name: ColormapName, t: number): [number, number, number] {
  const table = colormapTable(name);
  const u = Math.min(1, Math.max(0, Number.isFinite(t) ? t : 0));
  const k = Math.round(u * (LUT_SIZE - 1));
  return [table[k * 3], table[k * 3 + 1], table[k * 3 + 2]];
}

export function cssColor(name: ColormapName, t: number): string {
  const [r, g, b] = colorAt(name, t);
  return `rgb(${r},${g},${b})`;
}

export function isColormap(name: string): name is ColormapName {
  return (COLORMAPS as readonly string[]).includes(name);
}
