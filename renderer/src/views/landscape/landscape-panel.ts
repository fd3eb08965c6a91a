/**
 * The landscape panel: a run's grid as a 3-D surface and a 2-D map (linked cursors) or, for a 1-D
 * run, a curve, with the controls they share (colormap, log-z, clip, contours, map mode, camera) and
 * each view's exports. `update` takes the run's grids, partial ones included (null where not computed
 * yet): the views redraw from them, so a running landscape fills in point by point.
 */
import { COLORMAPS, isColormap } from '../../../../src/figures';
import { h } from '../../dom';
import type { View } from '../view';
import { type CurveView, curveView } from './curve';
import { fileStem, saveBlob, savePng } from './export';
import { gridCsv, gridJson } from './export-data';
import { type MapView, mapView } from './map';
import { type SurfaceView, surfaceView } from './surface';
import { svgText, svgToCanvas } from './svg';
import { DEFAULT_OPTIONS, type DrawOptions, type GridView } from './types';

export interface LandscapePanelOptions {
  /** What exported files are named after (a run id prefix). */
  name?: string;
}

export function landscapePanel(o: LandscapePanelOptions = {}): View<GridView[]> {
  const name = o.name ?? 'landscape';
  let options: DrawOptions = { ...DEFAULT_OPTIONS };
  let grid: GridView | null = null;
  let surface: SurfaceView | null = null;
  let map: MapView | null = null;
  let curve: CurveView | null = null;

  const colormap = h(
    'select',
    { 'aria-label': 'colormap', 'data-testid': 'colormap' },
    ...COLORMAPS.map((c) => h('option', { value: c }, c)),
  );
  const log = h('input', { type: 'checkbox', 'data-testid': 'log-z' });
  const clip = h('input', {
    type: 'number',
    step: 'any',
    placeholder: 'none',
    class: 'narrow',
    'aria-label': 'clip above',
    'data-testid': 'z-clip',
  });
  const contours = h('input', { type: 'checkbox', checked: true, 'data-testid': 'contours' });
  const shade = h('input', { type: 'checkbox', 'data-testid': 'shade' });
  const mapMode = h(
    'select',
    { 'aria-label': 'map', 'data-testid': 'map-mode' },
    h('option', { value: 'contours' }, 'filled contours'),
    h('option', { value: 'heat' }, 'heat map'),
  );
  const reset = h(
    'button',
    { type: 'button', class: 'secondary', 'data-testid': 'camera-reset', title: 'R' },
    'Reset view',
  );
  const top = h('button', { type: 'button', class: 'secondary', 'data-testid': 'camera-top', title: 'T' }, 'Top view');
  const status = h('span', { class: 'muted', 'data-testid': 'landscape-status' });
  const controls = h(
    'div',
    { class: 'landscape-controls' },
    h('label', {}, 'colormap ', colormap),
    h('label', {}, log, ' log z'),
    h('label', {}, 'clip above ', clip),
    h('label', {}, contours, ' contours'),
    h('label', { title: 'light the surface: slopes read better, colours are no longer exact' }, shade, ' shade'),
    h('label', {}, 'map ', mapMode),
    reset,
    top,
    status,
  );
  const views = h('div', { class: 'landscape-views' });
  const element = h(
    'section',
    { class: 'landscape-panel', 'data-testid': 'landscape-panel', tabindex: '-1' },
    controls,
    views,
  );

  const apply = () => {
    const z = clip.value.trim() === '' ? undefined : Number(clip.value);
    options = {
      ...options,
      colormap: isColormap(colormap.value) ? colormap.value : 'viridis',
      log: log.checked,
      zmax: z !== undefined && Number.isFinite(z) ? z : undefined,
      contours: contours.checked,
      shade: shade.checked,
      mapMode: mapMode.value === 'heat' ? 'heat' : 'contours',
    };
    surface?.setOptions(options);
    map?.setOptions(options);
    curve?.setOptions(options);
  };
  for (const c of [colormap, log, clip, contours, shade, mapMode]) c.addEventListener('change', apply);
  reset.addEventListener('click', () => surface?.resetCamera());
  top.addEventListener('click', () => surface?.topView());
  /** Keys for the camera and the toggles (the panel has focus once clicked). */
  const STEP = (5 * Math.PI) / 180;
  const keys: Record<string, () => void> = {
    r: () => surface?.resetCamera(),
    t: () => surface?.topView(),
    ArrowLeft: () => surface?.turn(STEP, 0),
    ArrowRight: () => surface?.turn(-STEP, 0),
    ArrowUp: () => surface?.turn(0, STEP),
    ArrowDown: () => surface?.turn(0, -STEP),
    '+': () => surface?.zoom(1.1),
    '=': () => surface?.zoom(1.1),
    '-': () => surface?.zoom(1 / 1.1),
    l: () => {
      log.checked = !log.checked;
      apply();
    },
    c: () => {
      contours.checked = !contours.checked;
      apply();
    },
    s: () => {
      shade.checked = !shade.checked;
      apply();
    },
  };
  element.addEventListener('keydown', (e) => {
    const tag = (e.target as HTMLElement).tagName;
    if (tag === 'INPUT' || tag === 'SELECT' || e.ctrlKey || e.metaKey || e.altKey) return;
    const act = keys[e.key];
    if (!act) return;
    e.preventDefault();
    act();
  });
  element.addEventListener('pointerdown', () => element.focus({ preventScroll: true }));

  const exportBar = (view: 'surface' | 'map' | 'curve', svg: (() => SVGSVGElement) | null) => {
    const button = (label: string, run: () => void | Promise<void>) =>
      h(
        'button',
        {
          type: 'button',
          class: 'secondary small',
          'data-export': `${view}-${label.toLowerCase()}`,
          onclick: () => void run(),
        },
        label,
      );
    const stem = () => fileStem(name, view);
    return h(
      'div',
      { class: 'export-bar' },
      button('PNG', async () => {
        if (view === 'surface' && surface) savePng(surface.snapshot(2), `${stem()}.png`);
        else if (svg) savePng(await svgToCanvas(svg(), 2), `${stem()}.png`);
      }),
      svg
        ? button('SVG', () => saveBlob(new Blob([svgText(svg())], { type: 'image/svg+xml' }), `${stem()}.svg`))
        : null,
      button('CSV', () => {
        if (grid) saveBlob(new Blob([gridCsv(grid, options)], { type: 'text/csv' }), `${stem()}.csv`);
      }),
      button('JSON', () => {
        if (grid) saveBlob(new Blob([gridJson(grid, options, view)], { type: 'application/json' }), `${stem()}.json`);
      }),
    );
  };

  const disposeViews = () => {
    surface?.dispose();
    map?.dispose();
    curve?.dispose();
    surface = map = curve = null;
    views.replaceChildren();
  };

  /** Build the views a grid of this shape needs (once per shape), then draw the grid in them. */
  const ensureViews = (g: GridView) => {
    const twoD = g.y !== null;
    if (twoD && surface && map) return;
    if (!twoD && curve) return;
    disposeViews();
    if (twoD) {
      const sv = surfaceView();
      const mv = mapView();
      surface = sv;
      map = mv;
      sv.onCursor = (c) => mv.setCursor(c);
      mv.onCursor = (c) => sv.setCursor(c);
      sv.setOptions(options);
      mv.setOptions(options);
      views.append(
        h('figure', { class: 'view-box' }, h('figcaption', {}, '3-D surface', exportBar('surface', null)), sv.element),
        h(
          'figure',
          { class: 'view-box' },
          h(
            'figcaption',
            {},
            'Map',
            exportBar('map', () => mv.svg()),
          ),
          mv.element,
        ),
      );
    } else {
      const cv = curveView();
      curve = cv;
      cv.setOptions(options);
      views.append(
        h(
          'figure',
          { class: 'view-box' },
          h(
            'figcaption',
            {},
            'Loss along the line',
            exportBar('curve', () => cv.svg()),
          ),
          cv.element,
        ),
      );
    }
    top.hidden = reset.hidden = !twoD;
  };

  return {
    element,
    update(grids) {
      grid = grids[0] ?? null;
      if (!grid) {
        disposeViews();
        status.textContent = 'This run has no grid yet.';
        return;
      }
      ensureViews(grid);
      const computed = grid.loss.filter((v) => v !== null).length;
      status.textContent = grid.complete ? '' : `computing: ${computed} of ${grid.loss.length} points`;
      element.dataset.complete = String(grid.complete);
      surface?.update(grid);
      map?.update(grid);
      curve?.update(grid);
    },
    dispose() {
      disposeViews();
      element.remove();
    },
  };
}
