/** What the landscape views share: the grid type from the contract, the drawing options, the cursor. */
import type { z } from 'zod';
import type { GridViewSchema } from '../../../../src/api/contract';
import type { ColormapName } from '../../../../src/figures';

export type GridView = z.infer<typeof GridViewSchema>;

export interface DrawOptions {
  colormap: ColormapName;
  /** log10 of the value (shifted when a value is not positive). */
  log: boolean;
  /** Li's --zmax: values above are drawn at it. */
  zmax?: number;
  contours: boolean;
  /** Light the surface (its colours are then no longer the table's exactly). */
  shade: boolean;
  /** Contour levels over the drawn range. */
  levels: number;
  /** The 2-D map: filled contours or one coloured cell per grid point. */
  mapMode: 'contours' | 'heat';
}

export const DEFAULT_OPTIONS: DrawOptions = {
  colormap: 'viridis',
  log: false,
  contours: true,
  shade: false,
  levels: 20,
  mapMode: 'contours',
};

/** A grid cell under the pointer, shared by the linked views. */
export interface Cell {
  i: number;
  j: number;
}

/** A grid value as the read-outs print it: every digit the store holds, so nothing is rounded away. */
export const exact = (v: number | null) => (v === null ? 'not computed yet' : String(v));
