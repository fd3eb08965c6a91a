/** The renderer's entry: wires the start screen, the model card and error display to the host. */
import type { EngineEvent, OpenedModel } from '../../src/api/contract';
import { connect } from './api';
import { CONNECTION_MESSAGES, type ConnectionState } from './connection';
import { h } from './dom';
import { type AnalysisPanel, analysisPanel } from './views/analysis';
import { modelCard } from './views/model-card';
import { runsPanel } from './views/runs';
import { startScreen } from './views/start';
import { weightsCard } from './views/weights-card';
import './styles.css';

const host = connect();
const app = document.getElementById('app') as HTMLElement;
const status = h('div', { class: 'status', 'data-testid': 'status' });
const errorBox = h('div', { class: 'error', role: 'alert', 'data-testid': 'error', hidden: true });
const content = h('main', {});
const connection = h('span', { class: 'connection', 'data-testid': 'connection', role: 'status' });
const runs = runsPanel(host, showError);

function showError(e: unknown): void {
  errorBox.textContent = e instanceof Error ? e.message : String(e);
  errorBox.hidden = false;
}

let current: OpenedModel | null = null;
let weightsPath: string | undefined;
let analysis: AnalysisPanel | null = null;

function showModel(opened: OpenedModel): void {
  current = opened;
  weightsPath = undefined;
  errorBox.hidden = true;
  analysis = analysisPanel(host, opened, () => weightsPath, {
    show: showError,
    clear: () => {
      errorBox.hidden = true;
    },
  });
  content.replaceChildren(analysis.element, modelCard(opened.info));
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
      if (file.name.toLowerCase().endsWith('.onnx')) showModel(await host.openFile(file));
      else if (!current)
        throw new Error(`'${file.name}' looks like a checkpoint: drop the model (.onnx) first, then its weights.`);
      else {
        const report = await host.openWeights(current.modelId, file);
        // Analyses started from now on use these weights (the path the engine read them from).
        weightsPath = report.file;
        errorBox.hidden = true;
        content.querySelector('[data-testid=weights-card]')?.remove();
        content.prepend(weightsCard(report));
      }
    } catch (e) {
      showError(e);
    } finally {
      if (!isRunsFile(file.name)) status.textContent = '';
    }
  }
}

host.onEvent((event: EngineEvent) => {
  // A landscape's points also fill in its views as they arrive.
  runs.live(event);
  if (event.type === 'engine-restarted') showError(event.message);
  else if (event.type === 'runs-changed') void runs.refresh();
  else if (event.type === 'progress' && event.runId && runs.onEvent(event)) return;
  else if (event.type === 'progress' && analysis && event.runId) analysis.onEvent(event);
  else if (event.type === 'progress')
    status.textContent = event.done < event.total ? `${event.stage}… ${event.message ?? ''}` : '';
});

/** The server's state in the header; when it is back, the runs list catches up with what happened. */
let lastState: ConnectionState = 'connecting';
host.onConnection((state) => {
  connection.textContent = CONNECTION_MESSAGES[state];
  connection.dataset.state = state;
  if (state === 'token-changed') showError(CONNECTION_MESSAGES[state]);
  if (state === 'connected' && lastState === 'offline') {
    errorBox.hidden = true;
    void runs.refresh();
  }
  lastState = state;
});

app.append(
  h(
    'header',
    { class: 'top' },
    h('h1', {}, 'Saddle'),
    h('span', { class: 'muted' }, 'loss landscapes and Hessian spectra'),
    connection,
  ),
  startScreen(open),
  errorBox,
  status,
  content,
  runs.element,
);
void runs.refresh();

window.addEventListener('error', (e) => showError(e.error ?? e.message));
window.addEventListener('unhandledrejection', (e) => showError(e.reason));

if (location.hash === '#demo') host.api.openDemo({}).then(showModel, showError);
