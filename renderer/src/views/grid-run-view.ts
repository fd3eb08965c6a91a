/**
 * The main area's view of a grid run (landscape, interpolation, trajectory): the interactive
 * landscape panel (surface, map, curve), filled in live while the run computes. Points streamed to
 * this tab arrive through `onPoint`; a run another tab or a CLI process computes on the same
 * database is watched and read again every 2 s while no point streams here. A run without a grid
 * yet (pending, or one that failed before its first point) shows the engine's SVG figure instead.
 */
import type { ProgressEvent, RunSummary, RunView } from '../../../src/api/contract';
import type { Host } from '../api';
import { isConnectionError } from '../connection';
import { h } from '../dom';
import { landscapePanel } from './landscape/landscape-panel';
import { applyPoint } from './landscape/live';
import type { GridView } from './landscape/types';
import type { View } from './view';

/** The run's figure, as the engine draws it for reports (SVG, shown as an image: no script runs). */
async function figures(host: Host, r: Pick<RunSummary, 'id' | 'name'>): Promise<HTMLElement[]> {
  try {
    const file = await host.api.exportRun({ id: r.id, format: 'svg' });
    const url = URL.createObjectURL(new Blob([file.content], { type: 'image/svg+xml' }));
    return [h('img', { src: url, alt: `${r.name}: figure`, class: 'figure' })];
  } catch (e) {
    // A run with no grid has no figure. A lost server is not "no figures".
    if (isConnectionError(e)) throw e;
    return [];
  }
}

const LIVE = ['running', 'pending'];

export interface GridRunView extends View<RunView> {
  /** A point just computed (stage 'points'), for the run shown. */
  onPoint(event: ProgressEvent): void;
}

export function gridRunView(host: Host, onError: (e: unknown) => void): GridRunView {
  const element = h('div', { class: 'viewer', 'data-testid': 'run-figures' });
  /** The run shown: its grids (filled in by points), its panel, and when its last point streamed here. */
  let shown: {
    id: string;
    grids: GridView[] | null;
    panel: View<GridView[]> | null;
    lastPoint: number;
    /** A read of the run is under way (its first points arrived before its grid). */
    reading: boolean;
  } | null = null;
  let poll: ReturnType<typeof setInterval> | undefined;
  let redraw = 0;
  let token = 0;

  const free = () => {
    clearInterval(poll);
    cancelAnimationFrame(redraw);
    redraw = 0;
    shown?.panel?.dispose();
    for (const img of element.querySelectorAll('img')) URL.revokeObjectURL(img.src);
    shown = null;
  };

  /** Watch a running grid: streamed points when this tab may receive them, else read every 2 s. */
  const follow = (target: NonNullable<typeof shown>) => {
    host.watchRun(target.id);
    clearInterval(poll);
    poll = setInterval(() => {
      if (shown !== target) return clearInterval(poll);
      if (Date.now() - target.lastPoint < 2000) return;
      host.api.getRun({ id: target.id }).then((view) => {
        if (shown !== target || !view.grids.length) return;
        if (!target.panel) {
          // Its grid has just been stored: show the panel now.
          shown = null;
          update(view);
          return;
        }
        target.grids = view.grids;
        target.panel.update(view.grids);
        if (!LIVE.includes(view.run.state)) clearInterval(poll);
      }, onError);
    }, 2000);
  };

  const update = (view: RunView) => {
    const mine = ++token;
    const live = LIVE.includes(view.run.state);
    if (shown?.id === view.run.id && shown.panel && view.grids.length) {
      // The same run read again (it finished, or was polled): same panel, camera and options.
      shown.grids = view.grids;
      shown.panel.update(view.grids);
      if (!live) clearInterval(poll);
      return;
    }
    free();
    const target = {
      id: view.run.id,
      grids: null as GridView[] | null,
      panel: null as View<GridView[]> | null,
      lastPoint: 0,
      reading: false,
    };
    shown = target;
    if (view.grids.length) {
      target.grids = view.grids;
      target.panel = landscapePanel({ name: `saddle-${view.run.kind}-${view.run.id.slice(0, 8)}` });
      element.replaceChildren(h('h2', {}, view.run.name), target.panel.element);
      target.panel.update(view.grids);
      if (live) follow(target);
      return;
    }
    if (live) {
      // No grid stored yet: wait for it (the poll or the first point reads the run again).
      element.replaceChildren(h('h2', {}, view.run.name), h('p', { class: 'muted' }, 'Waiting for the first points…'));
      follow(target);
      return;
    }
    figures(host, view.run).then((images) => {
      if (mine !== token) return;
      element.replaceChildren(
        h('h2', {}, view.run.name),
        ...(images.length
          ? images
          : [h('p', { class: 'muted' }, 'This run has no figures; export its report or JSON.')]),
      );
    }, onError);
  };

  return {
    element,
    update,
    onPoint(event) {
      const target = shown;
      if (!target || event.runId !== target.id) return;
      target.lastPoint = Date.now();
      if (!target.grids) {
        if (target.reading) return;
        target.reading = true;
        // The grid is not here yet: read the run, whose stored grid holds this point too.
        host.api.getRun({ id: target.id }).then((view) => {
          if (shown === target && !target.panel) {
            shown = null;
            update(view);
          }
        }, onError);
        return;
      }
      if (!applyPoint(target.grids, event.partial)) return;
      // Points can come faster than frames: redraw at most once a frame.
      if (!redraw)
        redraw = requestAnimationFrame(() => {
          redraw = 0;
          if (shown === target && target.grids) target.panel?.update(target.grids);
        });
    },
    dispose() {
      token++;
      free();
    },
  };
}
