/**
 * The renderer's entry: the workspace. A side panel (drop zone, model, weights, data and analyses,
 * runs) and a main area for the selected run's views, or the model card. The store holds what is
 * open; a reload reopens it (the model and weights from the engine's paths, the data, the run).
 */
import type { EngineEvent, OpenedModel } from '../../src/api/contract';
import { connect } from './api';
import { CONNECTION_MESSAGES, type ConnectionState } from './connection';
import { h } from './dom';
import { installShortcuts } from './shortcuts';
import { createStore } from './store';
import { toggleTheme } from './theme';
import { analysisPanel } from './views/analysis';
import { mainArea } from './views/run-view';
import { runsPanel } from './views/runs';
import { startScreen } from './views/start';
import { weightsCard } from './views/weights-card';
import './styles.css';

const host = connect();
const store = createStore();
const app = document.getElementById('app') as HTMLElement;
const status = h('div', { class: 'status', 'data-testid': 'status', role: 'status' });
const errorBox = h('div', { class: 'error', role: 'alert', 'data-testid': 'error', hidden: true });
const connection = h('span', { class: 'connection', 'data-testid': 'connection', role: 'status' });

function showError(e: unknown): void {
  errorBox.textContent = e instanceof Error ? e.message : String(e);
  errorBox.hidden = false;
}
const clearError = () => {
  errorBox.hidden = true;
};

const main = mainArea(host, store, {
  error: showError,
  landscapeAlong: (run, labels) => analysis.landscapeAlong(run, labels),
  displayName: (id) => runs.displayName(id),
});
const runs = runsPanel(host, showError, (r) => store.set({ selectedRun: r?.id ?? null }));
const analysis = analysisPanel(host, store, {
  show: showError,
  clear: clearError,
  onRun(runId, ended) {
    if (!ended) store.set({ selectedRun: runId });
    else if (store.get().selectedRun === runId) void main.refresh();
  },
});

const drop = startScreen((files) => void open(files));
const modelLine = h('div', { class: 'model-line', 'data-testid': 'model-line', hidden: true });
const weightsSlot = h('div', {});

function showModel(opened: OpenedModel): void {
  clearError();
  store.set({ model: opened, selectedRun: null, data: null });
}

store.subscribe((s, before) => {
  drop.classList.toggle('compact', s.model !== null);
  if (s.model !== before.model) {
    modelLine.hidden = !s.model;
    const name = s.model ? (s.model.info.file.split(/[\\/]/).pop() ?? '') : '';
    modelLine.replaceChildren(
      h('strong', {}, name),
      ' ',
      h('span', { class: 'muted' }, s.model ? `${s.model.info.nParams.toLocaleString('en-US')} parameters` : ''),
      ' ',
      h(
        'button',
        {
          type: 'button',
          class: 'link',
          'data-testid': 'show-model-card',
          onclick: showModelCard,
          title: 'model card (m)',
        },
        'Model card',
      ),
    );
    if (s.model && !s.selectedRun) main.showModelCard(s.model.info);
  }
  if (s.weights !== before.weights)
    weightsSlot.replaceChildren(
      ...(s.weights ? [weightsCard({ ...s.weights, file: s.weightsName ?? s.weights.file })] : []),
    );
  runs.select(s.selectedRun);
});

function showModelCard(): void {
  const model = store.get().model;
  if (!model) return;
  store.set({ selectedRun: null });
  main.showModelCard(model.info);
}

const isRunsFile = (name: string) => /\.(db|sqlite|h5|hdf5)$/i.test(name);

/**
 * Models open; checkpoints dropped after a model bind to it; runs databases and Li surface files are
 * imported as runs. ONNX files come first in a multi-file drop.
 */
async function open(files: File[]): Promise<void> {
  const ordered = [...files].sort((a, b) => Number(!a.name.endsWith('.onnx')) - Number(!b.name.endsWith('.onnx')));
  for (const file of ordered) {
    status.textContent = `Opening ${file.name}…`;
    try {
      if (isRunsFile(file.name)) {
        status.textContent = (await host.importRuns(file)).summary;
        await runs.refresh();
        continue;
      }
      const model = store.get().model;
      if (file.name.toLowerCase().endsWith('.onnx')) showModel(await host.openFile(file));
      else if (!model)
        throw new Error(`'${file.name}' looks like a checkpoint: drop the model (.onnx) first, then its weights.`);
      else {
        const report = await host.openWeights(model.modelId, file);
        clearError();
        // Analyses started from now on use these weights (the path the engine read them from).
        store.set({ weights: report, weightsName: file.name });
      }
    } catch (e) {
      showError(e);
    } finally {
      if (!isRunsFile(file.name)) status.textContent = '';
    }
  }
}

host.onEvent((event: EngineEvent) => {
  if (event.type === 'engine-restarted') showError(event.message);
  else if (event.type === 'runs-changed') void runs.refresh();
  else if (event.type === 'progress') {
    // The Analyze card first: its job's first event selects the new run, whose view then keeps the event.
    if (event.runId) analysis.onEvent(event);
    if (event.runId) main.onProgress(event);
    if (event.runId) runs.onEvent(event);
    else status.textContent = event.done < event.total ? `${event.stage}… ${event.message ?? ''}` : '';
  }
});

/** The server's state in the header; when it is back, the runs list catches up with what happened. */
let lastState: ConnectionState = 'connecting';
host.onConnection((state) => {
  connection.textContent = CONNECTION_MESSAGES[state];
  connection.dataset.state = state;
  if (state === 'token-changed') showError(CONNECTION_MESSAGES[state]);
  if (state === 'connected' && lastState === 'offline') {
    clearError();
    void runs.refresh();
  }
  lastState = state;
});

/** Move the selection through the runs list (j: older, k: newer). */
const stepRun = (by: number) => {
  const list = runs.list();
  if (!list.length) return;
  const at = list.findIndex((r) => r.id === store.get().selectedRun);
  const next = list[Math.min(list.length - 1, Math.max(0, at < 0 ? 0 : at + by))];
  store.set({ selectedRun: next.id });
};

const help = installShortcuts([
  { key: 'o', label: 'open a model, weights or runs file', run: () => drop.querySelector('input')?.click() },
  { key: 'm', label: 'show the model card', run: showModelCard },
  { key: 'j', label: 'next (older) run', run: () => stepRun(1) },
  { key: 'k', label: 'previous (newer) run', run: () => stepRun(-1) },
  { key: 's', label: 'start a Hessian spectrum', run: () => analysis.start('hessian') },
  { key: 'l', label: 'start a landscape', run: () => analysis.start('landscape') },
  {
    key: 'a',
    label: 'landscape along the picked eigenvalues',
    run: () => {
      const s = store.get();
      if (s.selectedRun && s.pickedEigen.length) analysis.landscapeAlong(s.selectedRun, s.pickedEigen);
    },
  },
  { key: 'Escape', label: 'clear the picked eigenvalues', run: () => store.set({ pickedEigen: [] }) },
  { key: 't', label: 'switch light / dark theme', run: toggleTheme },
]);

app.append(
  h(
    'header',
    { class: 'top' },
    h('h1', {}, 'Saddle'),
    h('span', { class: 'muted' }, 'loss landscapes and Hessian spectra'),
    connection,
    h(
      'button',
      {
        type: 'button',
        class: 'link',
        title: 'keyboard shortcuts (?)',
        onclick: () => {
          help.hidden = !help.hidden;
        },
      },
      '?',
    ),
  ),
  h(
    'div',
    { class: 'workspace' },
    h(
      'aside',
      { class: 'side', 'data-testid': 'side-panel' },
      drop,
      modelLine,
      weightsSlot,
      analysis.element,
      runs.element,
    ),
    h('main', { class: 'main' }, errorBox, status, main.element, runs.wide),
  ),
  help,
);
void runs.refresh();
void main.refresh();

window.addEventListener('error', (e) => {
  // Chromium reports a ResizeObserver that resized within a frame (the landscape views do when the
  // main area's width settles); it is a note, not a failure, and showing it would move the layout.
  if (/ResizeObserver loop/.test(e.message)) return;
  showError(e.error ?? e.message);
});
window.addEventListener('unhandledrejection', (e) => showError(e.reason));

/** Reopen what was open before the reload: model, weights, data set and the selected run. */
async function restore(): Promise<void> {
  if (location.hash === '#demo') {
    showModel(await host.api.openDemo({}));
    return;
  }
  const saved = store.saved();
  if (!saved?.modelPath) return;
  status.textContent = 'Reopening your workspace…';
  try {
    const opened = await host.api.openModel({ path: saved.modelPath });
    store.set({ model: opened, selectedRun: null });
    if (saved.weightsPath) {
      const report = await host.api.openWeights({ modelId: opened.modelId, path: saved.weightsPath });
      store.set({ weights: report, weightsName: saved.weightsName });
    }
    if (saved.data) store.set({ data: saved.data });
    if (saved.selectedRun) store.set({ selectedRun: saved.selectedRun });
    status.textContent = '';
  } catch {
    // The engine's copy is gone (a restarted server clears its uploads): start clean.
    status.textContent =
      'The last workspace could not be reopened (its files are gone from the engine); drop the model again.';
    store.set({ model: null, selectedRun: null, data: null });
  }
}
restore().catch(showError);
