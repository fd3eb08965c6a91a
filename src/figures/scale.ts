/**
 * What value a colour and a height stand for: the finite range of a grid, Li's z-clip (`--zmax`:
 * values above it are drawn at it) and a log-z transform, applied in that order, then normalized to
 * t in [0, 1] for the colormap. The same transform gives the surface's heights, the map's colours and
 * the contour levels, so they agree.
 */

/** The smallest and largest finite values, or null when there are none. */
export function finiteRange(values: ArrayLike<number | null>): [number, number] | null {
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (let k = 0; k < values.length; k++) {
    const v = values[k];
    if (v === null || !Number.isFinite(v)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return lo <= hi ? [lo, hi] : null;
}

export interface ZOptions {
  /** Draw log10 of the value (shifted to be positive when some value is not). */
  log?: boolean;
  /** Clip values above this before any transform (Li's --zmax). */
  zmax?: number;
}

export interface ZScale {
  /** The drawn value of a raw value (NaN for a missing one). */
  transform(z: number | null): number;
  /** The transformed range; lo === hi for a flat grid. */
  lo: number;
  hi: number;
  /** The raw value behind a transformed one (for colorbar ticks in the data's units). */
  inverse(w: number): number;
  /** t in [0, 1] for a raw value: the colormap's coordinate. NaN for a missing value. */
  t(z: number | null): number;
  /** What the colorbar is labelled with, given the quantity's name. */
  label(quantity: string): string;
  /** The shift added before the log (0 when every value is positive). */
  shift: number;
}

/**
 * The scale of a grid's values under the options. Log: log10(z + shift), with shift 0 when the
 * smallest (clipped) value is positive, else what lifts it to 1e-6 of the range above zero.
 */
export function zScale(values: ArrayLike<number | null>, o: ZOptions = {}): ZScale {
  const zmax = o.zmax !== undefined && Number.isFinite(o.zmax) ? o.zmax : Number.POSITIVE_INFINITY;
  const raw = finiteRange(values) ?? [0, 1];
  const clipped: [number, number] = [Math.min(raw[0], zmax), Math.min(raw[1], zmax)];
  let shift = 0;
  if (o.log && clipped[0] <= 0) shift = -clipped[0] + Math.max((clipped[1] - clipped[0]) * 1e-6, 1e-12);
  const forward = (z: number) => {
    const c = Math.min(z, zmax);
    return o.log ? Math.log10(c + shift) : c;
  };
  const lo = forward(clipped[0]);
  const hi = forward(clipped[1]);
  const transform = (z: number | null) => (z === null || !Number.isFinite(z) ? Number.NaN : forward(z));
  return {
    transform,
    lo,
    hi,
    shift,
    inverse: (w) => (o.log ? 10 ** w - shift : w),
    t: (z) => {
      const w = transform(z);
      return Number.isNaN(w) ? Number.NaN : hi > lo ? (w - lo) / (hi - lo) : 0;
    },
    label: (q) => {
      const base = o.log ? (shift ? `log10(${q} + ${Number(shift.toPrecision(3))})` : `log10 ${q}`) : q;
      return Number.isFinite(zmax) ? `${base}, clipped at ${zmax}` : base;
    },
  };
}

/** n contour levels evenly spaced from lo (inclusive) upward, as the report has always drawn them. */
export function contourLevels(lo: number, hi: number, n = 20): number[] {
  return Array.from({ length: n }, (_v, k) => lo + ((hi - lo) * k) / n);
}
