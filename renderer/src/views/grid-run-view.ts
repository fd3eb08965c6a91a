/**
 * The main area's view of a grid run (landscape, interpolation, trajectory). This is the seam where
 * the interactive landscape panel (branch views-3d: `landscapePanel()` from
 * ./landscape/landscape-panel, with `applyPoint` from ./landscape/live for streamed points) mounts:
 * `update` gets the run (its grids, partial ones included) and `onPoint` each point as it finishes.
 * Until that panel is merged here, it shows the engine's SVG figures and reads them again at the end.
 */
import type { ProgressEvent, RunView } from '../../../src/api/contract';
import type { Host } from '../api';
import { h } from '../dom';
import { figures } from './runs';
import type { View } from './view';

export interface GridRunView extends View<RunView> {
  /** A point just computed (stage 'points'), for the run shown. */
  onPoint(event: ProgressEvent): void;
}

export function gridRunView(host: Host, onError: (e: unknown) => void): GridRunView {
  const element = h('div', { class: 'viewer', 'data-testid': 'run-figures' });
  let token = 0;
  const free = () => {
    for (const img of element.querySelectorAll('img')) URL.revokeObjectURL(img.src);
  };
  return {
    element,
    update(view) {
      const mine = ++token;
      // A 1-D curve has no surface figure: not asked for, so no refused request reaches the console.
      figures(host, view.run, view.grids[0]?.y != null).then((shown) => {
        if (mine !== token) return;
        free();
        element.replaceChildren(
          h('h2', {}, view.run.name),
          ...(shown.length
            ? shown
            : [h('p', { class: 'muted' }, 'This run has no figures yet; export its report or JSON.')]),
        );
      }, onError);
    },
    onPoint() {
      // The engine's figures need the whole grid: the main area reads the run again when it ends.
    },
    dispose() {
      token++;
      free();
    },
  };
}
