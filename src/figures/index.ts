/**
 * Figure computation without a display: colormap tables, value scales (clip, log), contour levels,
 * bands and lines, density binning, grid lookups and axis names. Browser-safe (no DOM, no Node):
 * the SVG/PNG exporter and the renderer's views both draw from it, so they show the same picture.
 */
export * from './colormap';
export * from './contours';
export * from './density';
export * from './grid';
export * from './scale';
