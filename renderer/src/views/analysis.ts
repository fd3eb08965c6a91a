/**
 * Starting analyses on the open model: choose a data set, then a Hessian spectrum or a 2-D landscape.
 * Each is a queued engine job recorded as a run; progress shows here with its ETA, and Cancel stops
 * it (a waiting job never starts). Finished runs appear in the runs panel.
 */
import { type EngineEvent, isCancellation, type OpenedModel } from '../../../src/api/contract';
import type { Host } from '../api';
import { h } from '../dom';
import { parseSamples } from '../samples';
import { computedOnLine } from './computed-on';

type Kind = 'hessian' | 'landscape';

export interface AnalysisPanel {
  element: HTMLElement;
  onEvent(event: EngineEvent): void;
}

export function analysisPanel(
  host: Host,
  opened: OpenedModel,
  weights: () => string | undefined,
  errors: { show(e: unknown): void; clear(): void },
): AnalysisPanel {
  const onError = errors.show;
  let dataPath: string | null = null;
  let job: string | null = null;
  /** The run the current job records (from its progress events). */
  let runId: string | null = null;
  const dataName = h('span', { class: 'muted', 'data-testid': 'data-name' }, 'no data set chosen');
  const input = h('input', {
    type: 'file',
    accept: '.npz,.npy,.gz,.idx,.ubyte,.bin',
    hidden: true,
    'data-testid': 'data-input',
  });
  const samples = h('input', {
    type: 'number',
    min: '1',
    step: '1',
    placeholder: 'all',
    'aria-label': 'samples',
    class: 'narrow',
  });
  const backend = h(
    'select',
    { 'aria-label': 'backend', 'data-testid': 'backend', title: 'where the kernels run' },
    h('option', { value: 'auto' }, 'auto (GPU if present)'),
    h('option', { value: 'cpu' }, 'CPU'),
    h('option', { value: 'webgpu' }, 'WebGPU'),
  );
  const bar = h('progress', { max: '1', value: '0', hidden: true, 'data-testid': 'analysis-progress' });
  const stage = h('span', { class: 'muted', 'data-testid': 'analysis-stage' });
  /** Which backend the last job ran on, and why not the GPU when `auto` fell back. */
  const computedOn = h('div', {});
  const cancel = h('button', { type: 'button', class: 'secondary', hidden: true }, 'Cancel');
  const buttons = {
    hessian: h('button', { type: 'button', disabled: true, 'data-testid': 'run-hessian' }, 'Hessian spectrum'),
    landscape: h('button', { type: 'button', disabled: true, 'data-testid': 'run-landscape' }, '2-D landscape'),
  };
  const setBusy = (busy: boolean) => {
    for (const b of Object.values(buttons)) b.disabled = busy || dataPath === null;
    cancel.hidden = !busy;
    bar.hidden = !busy;
  };

  input.addEventListener('change', async () => {
    const file = input.files?.[0];
    input.value = '';
    if (!file) return;
    try {
      dataName.textContent = `uploading ${file.name}…`;
      dataPath = await host.uploadPath(file);
      dataName.textContent = file.name;
      setBusy(false);
    } catch (e) {
      dataName.textContent = 'no data set chosen';
      onError(e);
    }
  });

  const start = async (kind: Kind) => {
    if (!dataPath) return;
    let chosen: { samples?: number };
    try {
      // A number input holding text it cannot parse reports '' as its value: say so, not "all".
      if (samples.validity.badInput) throw new Error('Samples must be a whole number of at least 1, or empty.');
      chosen = parseSamples(samples.value);
    } catch (e) {
      onError(e);
      return;
    }
    job = `${kind}-${Date.now().toString(36)}`;
    runId = null;
    const base = {
      job,
      modelId: opened.modelId,
      data: dataPath,
      weights: weights(),
      batchSize: 128,
      backend: backend.value as 'auto' | 'cpu' | 'webgpu',
      ...chosen,
    };
    setBusy(true);
    errors.clear();
    computedOn.replaceChildren();
    stage.textContent = 'waiting for the engine…';
    bar.removeAttribute('value');
    try {
      const result =
        kind === 'hessian'
          ? await host.api.hessian({ ...base, options: { topK: 5, bottomK: 3, density: true, trace: true } })
          : await host.api.landscape({ ...base, options: { dims: 2, steps: 21 } });
      const runId = typeof result.runId === 'string' ? result.runId.slice(0, 8) : '';
      stage.textContent = `${kind} finished${runId ? `: run ${runId}` : ''}.`;
      const line = computedOnLine(result.computedOn, 'analysis-backend');
      if (line) computedOn.replaceChildren(line);
    } catch (e) {
      // The user's own Cancel is a state, not an error; what the run finished is kept.
      // (runId is set by progress events while the call waits.)
      const recordedIn = runId as string | null;
      if (isCancellation(e))
        stage.textContent = `${kind} cancelled${recordedIn ? `: run ${recordedIn.slice(0, 8)} keeps what it finished` : ''}.`;
      else {
        stage.textContent = '';
        onError(e);
      }
    } finally {
      job = null;
      setBusy(false);
    }
  };
  buttons.hessian.addEventListener('click', () => void start('hessian'));
  buttons.landscape.addEventListener('click', () => void start('landscape'));
  cancel.addEventListener('click', () => {
    if (job) void host.api.cancel({ job }).catch(onError);
  });

  const element = h(
    'section',
    { class: 'card analysis', 'data-testid': 'analysis' },
    h('h2', {}, 'Analyze'),
    h(
      'p',
      {},
      h('button', { type: 'button', class: 'secondary', onclick: () => input.click() }, 'Data set…'),
      ' ',
      dataName,
      input,
      ' samples ',
      samples,
      ' on ',
      backend,
    ),
    h('p', {}, buttons.hessian, ' ', buttons.landscape, ' ', cancel),
    h('p', {}, bar, ' ', stage),
    computedOn,
  );

  return {
    element,
    onEvent(event) {
      if (event.type !== 'progress' || event.job !== job) return;
      runId = event.runId ?? runId;
      bar.max = event.total;
      bar.value = event.done;
      const eta = event.etaSeconds ? `, about ${Math.ceil(event.etaSeconds)} s left` : '';
      stage.textContent = `${event.stage} ${event.done}/${event.total}${eta}`;
    },
  };
}
