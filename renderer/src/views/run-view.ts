/**
 * The main area: the selected run's views, or the model card when no run is selected. A Hessian run
 * gets the spectrum views; grid runs get ./grid-run-view (the interactive landscape panel, filled
 * in live); the run's detail sits under its views. Progress events of the selected run feed its live views; a
 * finished or changed run is read again. Replacing a view always disposes the old one.
 */
import type { ModelInfo, ProgressEvent, RunView } from '../../../src/api/contract';
import { RitzPartialSchema } from '../../../src/api/contract';
import type { Host } from '../api';
import { h } from '../dom';
import type { Store } from '../store';
import { type GridRunView, gridRunView } from './grid-run-view';
import { modelCard } from './model-card';
import { runDetail } from './run-detail';
import { emptyTrail, extendTrail, type RitzTrail } from './spectrum/spectrum-data';
import { type SpectrumViewData, spectrumPanel } from './spectrum/spectrum-panel';
import type { View } from './view';

export interface MainArea {
  element: HTMLElement;
  /** Show the selected run (or the model card); reads the run again. */
  refresh(): Promise<void>;
  onProgress(event: ProgressEvent): void;
  showModelCard(info: ModelInfo): void;
}

const FINAL = ['finished', 'failed', 'cancelled', 'crashed'];

/**
 * A Hessian run known only from its progress events: its spectrum view draws the Ritz values at once,
 * however long the stored record takes to read on a busy server, and the record replaces it when read.
 */
function unreadHessianRun(id: string, name: string): RunView {
  return {
    run: {
      id,
      name,
      kind: 'hessian',
      state: 'running',
      createdAt: new Date().toISOString(),
      seconds: null,
      error: null,
      options: {},
      model: null,
      data: null,
      weights: null,
      version: '',
      host: '',
    },
    results: {},
    grids: [],
    eigenvectors: [],
  };
}

export function mainArea(
  host: Host,
  store: Store,
  hooks: {
    error(e: unknown): void;
    landscapeAlong(run: string, labels: string[]): void;
    /** The name the runs table shows for a run. */
    displayName(id: string): string | undefined;
  },
): MainArea {
  const slot = h('div', {});
  /** The run's detail (inputs with hashes, numbers, options, environment) under its views. */
  const detail = h('div', { 'data-testid': 'run-details' });
  const element = h('div', { class: 'main-view', 'data-testid': 'main-view' }, slot, detail);
  let current: { kind: string; view: View<never> } | null = null;
  let shown: RunView | null = null;
  /** Whether `shown` is the stored record, not yet only what its progress events said. */
  let read = false;
  let trail: RitzTrail | null = null;
  /** The run the trail belongs to: Ritz values that arrive before its view has loaded are kept for it. */
  let trailRun: string | null = null;
  let reading = 0;

  const mount = <D>(kind: string, make: () => View<D>): View<D> => {
    if (current?.kind === kind) return current.view as unknown as View<D>;
    current?.view.dispose();
    const view = make();
    current = { kind, view: view as unknown as View<never> };
    slot.replaceChildren(view.element);
    return view;
  };
  const clear = (...nodes: Node[]) => {
    current?.view.dispose();
    current = null;
    slot.replaceChildren(...nodes);
    detail.replaceChildren();
  };

  const spectrumData = (): SpectrumViewData | null =>
    shown
      ? { run: shown, trail: shown.results.spectrum?.topEigenvalues ? null : trail, picked: store.get().pickedEigen }
      : null;

  const drawSpectrum = () => {
    const d = spectrumData();
    if (!d) return;
    mount('spectrum', () =>
      spectrumPanel({
        pick(label) {
          const picked = store.get().pickedEigen;
          // One pick: a curve; two: a plane. A third replaces the oldest.
          const next = picked.includes(label) ? picked.filter((l) => l !== label) : [...picked, label].slice(-2);
          store.set({ pickedEigen: next });
        },
        landscapeAlong: (labels) => shown && hooks.landscapeAlong(shown.run.id, labels),
        error: hooks.error,
      }),
    ).update(d);
  };

  const draw = () => {
    if (!shown) return;
    const name = hooks.displayName(shown.run.id) ?? shown.run.name;
    if (shown.run.kind === 'hessian') drawSpectrum();
    else if (['landscape', 'interpolate', 'trajectory'].includes(shown.run.kind))
      mount('grid', () => gridRunView(host, hooks.error)).update({ ...shown, run: { ...shown.run, name } });
    else
      clear(
        h('h2', {}, shown.run.name),
        h('pre', { class: 'mono' }, JSON.stringify(shown.results.loss ?? shown.results, null, 2)),
      );
    if (read) detail.replaceChildren(runDetail(shown, name));
    else detail.replaceChildren();
  };

  store.subscribe((s, before) => {
    if (s.selectedRun !== before.selectedRun) void refresh();
    else if (s.pickedEigen !== before.pickedEigen) draw();
  });

  async function refresh(): Promise<void> {
    const id = store.get().selectedRun;
    const mine = ++reading;
    if (!id) {
      shown = null;
      const model = store.get().model;
      if (model) showModelCard(model.info);
      else clear(h('p', { class: 'muted welcome' }, 'Drop an ONNX model to begin; its runs and views appear here.'));
      return;
    }
    try {
      const view = await host.api.getRun({ id });
      if (mine !== reading) return;
      if (shown?.run.id !== view.run.id && trailRun !== view.run.id) {
        trail = null;
        trailRun = view.run.id;
        // A run cut short shows the Ritz values it recorded last.
        const partial = RitzPartialSchema.safeParse(view.results.partial);
        if (partial.success && !view.results.spectrum?.topEigenvalues)
          trail = extendTrail(emptyTrail(), 0, partial.data);
      }
      shown = view;
      read = true;
      draw();
    } catch (e) {
      if (mine !== reading) return;
      // The run was deleted, or the database is another one now: back to the model.
      store.set({ selectedRun: null });
      hooks.error(e);
    }
  }

  function showModelCard(info: ModelInfo): void {
    clear(modelCard(info));
  }

  return {
    element,
    refresh,
    showModelCard,
    onProgress(event) {
      const ritz = RitzPartialSchema.safeParse(event.partial);
      // The selected run's view may still be loading: its Ritz values are kept and drawn when it is.
      const id = event.runId;
      if (event.stage === 'eigenvalues' && ritz.success && id && id === store.get().selectedRun) {
        if (trailRun !== id) trail = null;
        trailRun = id;
        trail = extendTrail(trail ?? emptyTrail(), event.done, ritz.data);
        if (shown?.run.id !== id) {
          shown = unreadHessianRun(id, hooks.displayName(id) ?? 'hessian');
          read = false;
        }
      }
      if (!shown || event.runId !== shown.run.id) return;
      if (event.stage === 'points' && current?.kind === 'grid') (current.view as unknown as GridRunView).onPoint(event);
      if (event.stage === 'eigenvalues' && ritz.success && shown.run.kind === 'hessian') drawSpectrum();
      if (!FINAL.includes(shown.run.state) && event.done === event.total) void refresh();
    },
  };
}
