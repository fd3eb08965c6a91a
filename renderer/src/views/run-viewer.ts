/**
 * The run shown under the runs table. A grid run (landscape, interpolation, trajectory) gets the
 * interactive landscape panel, kept up to date while it runs (points streamed to this tab, or read
 * again from the store); other runs show the engine's figure. The workspace can mount this anywhere.
 */
import type { EngineEvent, RunSummary } from '../../../src/api/contract';
import type { Host } from '../api';
import { isConnectionError } from '../connection';
import { h } from '../dom';
import { landscapePanel } from './landscape/landscape-panel';
import { applyPoint } from './landscape/live';
import type { GridView } from './landscape/types';
import type { View } from './view';

const GRID_KINDS = ['landscape', 'interpolate', 'trajectory'];

/** The run's figure, as the engine draws it for reports (SVG, shown as an image: no script runs). */
async function figures(host: Host, r: RunSummary): Promise<HTMLElement[]> {
  try {
    const file = await host.api.exportRun({ id: r.id, format: 'svg' });
    const url = URL.createObjectURL(new Blob([file.content], { type: 'image/svg+xml' }));
    return [h('img', { src: url, alt: `${r.name}: figure`, class: 'figure' })];
  } catch (e) {
    // A loss run has no figure at all. A lost server is not "no figures".
    if (isConnectionError(e)) throw e;
    return [];
  }
}

export interface RunViewer {
  element: HTMLElement;
  show(r: Pick<RunSummary, 'id' | 'name' | 'kind' | 'state'>): Promise<void>;
  /** Every engine event: a landscape's points fill in the run they belong to (shown at once). */
  live(event: EngineEvent): void;
  /** The runs list as just read: the shown run's state may have changed. */
  catchUp(runs: RunSummary[]): void;
  /** Show nothing (the shown run was deleted). */
  clear(): void;
}

export function runViewer(host: Host, onError: (e: unknown) => void): RunViewer {
  const viewer = h('div', { class: 'viewer', 'data-testid': 'run-figures' });

  /**
   * The run shown under the table. A grid run (landscape, interpolation, trajectory) gets the
   * interactive landscape panel, kept up to date while it runs; other runs show the engine's figures.
   */
  let shown: {
    id: string;
    state: string;
    grids: GridView[] | null;
    panel: View<GridView[]> | null;
    /** Points that arrived while the grid was being fetched. */
    early: unknown[];
    /** When the last streamed point arrived (ms), to poll only runs whose points do not stream here. */
    lastPoint: number;
  } | null = null;
  let poll: ReturnType<typeof setInterval> | undefined;
  let redraw = 0;

  const clearViewer = () => {
    clearInterval(poll);
    shown?.panel?.dispose();
    for (const img of viewer.querySelectorAll('img')) URL.revokeObjectURL(img.src);
    shown = null;
  };

  /** Show a run: clicking its name in the table, or its first streamed point. */
  const show = async (r: Pick<RunSummary, 'id' | 'name' | 'kind' | 'state'>) => {
    clearViewer();
    const mine = {
      id: r.id,
      state: r.state,
      grids: null as GridView[] | null,
      panel: null as View<GridView[]> | null,
      early: [] as unknown[],
      lastPoint: 0,
    };
    shown = mine;
    if (GRID_KINDS.includes(r.kind)) {
      const view = await host.api.getRun({ id: r.id });
      if (shown !== mine) return;
      if (view.grids.length) {
        mine.grids = view.grids;
        mine.state = view.run.state;
        for (const p of mine.early) applyPoint(view.grids, p);
        mine.panel = landscapePanel({ name: `saddle-${r.kind}-${r.id.slice(0, 8)}` });
        viewer.replaceChildren(h('h3', {}, view.run.name), mine.panel.element);
        mine.panel.update(view.grids);
        if (view.run.state === 'running' || view.run.state === 'pending') follow(mine);
        return;
      }
    }
    const images = await figures(host, r as RunSummary);
    if (shown !== mine) return;
    viewer.replaceChildren(
      h('h3', {}, r.name),
      ...(images.length ? images : [h('p', { class: 'muted' }, 'This run has no figures; export its report or JSON.')]),
    );
  };

  /**
   * A running grid shown here: its points stream to this tab when this tab started it (or watches
   * it); a run another tab or a CLI process computes on the same database is read again every 2 s.
   */
  const follow = (target: NonNullable<typeof shown>) => {
    host.watchRun(target.id);
    clearInterval(poll);
    poll = setInterval(() => {
      if (shown !== target) return clearInterval(poll);
      if (Date.now() - target.lastPoint < 2000) return;
      host.api.getRun({ id: target.id }).then((view) => {
        if (shown !== target) return;
        target.grids = view.grids;
        target.state = view.run.state;
        target.panel?.update(view.grids);
        if (view.run.state !== 'running' && view.run.state !== 'pending') clearInterval(poll);
      }, onError);
    }, 2000);
  };

  /** A landscape's points as they finish: the panel shows the run being computed, filling in. */
  const live = (event: EngineEvent) => {
    if (event.type !== 'progress' || event.stage !== 'points' || !event.runId) return;
    if (shown?.id !== event.runId) {
      void show({
        id: event.runId,
        name: `run ${event.runId.slice(0, 8)} (running)`,
        kind: 'landscape',
        state: 'running',
      }).catch(onError);
      return;
    }
    if (!shown.grids) {
      shown.early.push(event.partial);
      return;
    }
    shown.lastPoint = Date.now();
    if (!applyPoint(shown.grids, event.partial)) return;
    const target = shown;
    // Points can come faster than frames: redraw at most once a frame.
    if (!redraw)
      redraw = requestAnimationFrame(() => {
        redraw = 0;
        if (shown === target && target.grids) target.panel?.update(target.grids);
      });
  };

  /** When the shown run's state changes (it finished, or was cancelled), show what the store holds now. */
  const catchUp = (runs: RunSummary[]) => {
    const target = shown;
    const now = runs.find((r) => r.id === target?.id);
    if (!target || !now || now.state === target.state) return;
    target.state = now.state;
    if (!target.panel) {
      void show(now).catch(onError);
      return;
    }
    // Same panel, same camera and options: only the grid is replaced by what the store holds now.
    host.api.getRun({ id: now.id }).then((view) => {
      if (shown !== target) return;
      target.grids = view.grids;
      target.panel?.update(view.grids);
    }, onError);
  };

  const clear = () => {
    clearViewer();
    viewer.replaceChildren();
  };

  return { element: viewer, show, live, catchUp, clear };
}
