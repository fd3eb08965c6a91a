/**
 * Checkpoint series in the app: choose a model, several checkpoints, the reference (training) data
 * set and others; the engine checks them all first (every mismatch in one error), then computes each
 * member as a run of the series with progress and Cancel. The timeline redraws as members finish;
 * recorded series (the CLI's too) open from the list. Asking again for the same series resumes it.
 */
import { type EngineEvent, isCancellation, type ProgressEvent, type SeriesView } from '../../../../src/api/contract';
import type { Host } from '../../api';
import { h } from '../../dom';
import { checkpointGrids } from './checkpoint-grids';
import { seriesTimeline } from './timeline';

export interface SeriesPanel {
  element: HTMLElement;
  refresh(): Promise<void>;
  /** A progress event of a series this panel started: shown here. True when it was one. */
  onEvent(event: EngineEvent): boolean;
}

function fileInput(label: string, testid: string, accept: string, multiple: boolean): HTMLInputElement {
  return h('input', { type: 'file', accept, multiple, 'aria-label': label, 'data-testid': testid });
}

function numberInput(label: string, value: string): HTMLInputElement {
  return h('input', { type: 'number', min: '1', step: '1', value, 'aria-label': label, class: 'small-number' });
}

export function seriesPanel(
  host: Host,
  onError: (e: unknown) => void,
  /** Show a run in the run detail (the trajectory or interpolation a click here computed). */
  openRun: (runId: string) => Promise<void> = async () => {},
): SeriesPanel {
  const model = fileInput('series model', 'series-model', '.onnx', false);
  const checkpoints = fileInput('series checkpoints', 'series-checkpoints', '.pt,.pth,.safetensors,.npz,.bin', true);
  const reference = fileInput('reference data set', 'series-reference', '.npz,.npy', false);
  const others = fileInput('other data sets', 'series-others', '.npz,.npy', true);
  const topK = numberInput('series top-k', '5');
  const iterations = numberInput('series iterations', '100');
  const runs = numberInput('series SLQ runs', '3');
  const samples = h('input', {
    type: 'text',
    placeholder: 'all',
    'aria-label': 'series samples',
    class: 'small-number',
  });
  const start = h('button', { type: 'button', 'data-testid': 'series-start' }, 'Run series');
  const cancel = h('button', { type: 'button', class: 'secondary', hidden: true }, 'Cancel');
  const bar = h('progress', { max: '1', value: '0', hidden: true, 'data-testid': 'series-progress' });
  const stage = h('span', { class: 'muted', 'data-testid': 'series-stage' });
  const list = h('select', { 'aria-label': 'recorded series', 'data-testid': 'series-list' });
  const timeline = seriesTimeline();
  const grids = checkpointGrids(host, onError, openRun);
  let job: string | null = null;
  let seriesId: string | null = null;

  const show = async (id: string) => {
    seriesId = id;
    const view = await host.api.getSeries({ id });
    timeline.update(view);
    grids.update(view);
  };
  list.addEventListener('change', () => {
    if (list.value) void show(list.value).catch(onError);
  });

  const wholeNumber = (input: HTMLInputElement, what: string): number => {
    const n = Number(input.value);
    if (!Number.isInteger(n) || n < 1)
      throw new Error(`${what} must be a whole number of at least 1; '${input.value}' is not.`);
    return n;
  };

  const run = async () => {
    const files = (input: HTMLInputElement) => [...(input.files ?? [])];
    if (!model.files?.length || !checkpoints.files?.length || !reference.files?.length)
      throw new Error('A series needs a model, at least one checkpoint and a reference data set.');
    const options = {
      topK: wholeNumber(topK, 'Top-k'),
      iterations: wholeNumber(iterations, 'Iterations'),
      runs: wholeNumber(runs, 'SLQ runs'),
    };
    const sampleCount = samples.value.trim() ? wholeNumber(samples, 'Samples') : undefined;
    stage.textContent = 'uploading…';
    const opened = await host.openFile(files(model)[0]);
    const upload = async (list: File[]) => {
      const out: string[] = [];
      for (const f of list) out.push(await host.uploadPath(f));
      return out;
    };
    const checkpointPaths = await upload(files(checkpoints));
    const dataPaths = await upload([...files(reference), ...files(others)]);
    job = `series-${Date.now().toString(36)}`;
    stage.textContent = 'checking every checkpoint and data set…';
    bar.hidden = cancel.hidden = false;
    bar.removeAttribute('value');
    start.disabled = true;
    try {
      const view: SeriesView = await host.api.series({
        job,
        modelId: opened.modelId,
        checkpoints: checkpointPaths,
        data: dataPaths,
        batchSize: 128,
        ...(sampleCount ? { samples: sampleCount } : {}),
        options,
      });
      seriesId = view.id;
      timeline.update(view);
      grids.update(view);
      stage.textContent = `series finished: ${view.members.length} members.`;
    } catch (e) {
      if (isCancellation(e)) stage.textContent = 'series cancelled: finished members are kept; run it again to resume.';
      else {
        stage.textContent = '';
        throw e;
      }
    } finally {
      job = null;
      bar.hidden = cancel.hidden = true;
      start.disabled = false;
      await refresh();
    }
  };
  start.addEventListener('click', () => void run().catch(onError));
  cancel.addEventListener('click', () => {
    if (job) void host.api.cancel({ job }).catch(onError);
  });

  let lastMember = -1;
  const onProgress = (e: ProgressEvent) => {
    bar.max = e.total;
    bar.value = e.done;
    const eta = e.etaSeconds ? `, about ${Math.ceil(e.etaSeconds)} s left` : '';
    stage.textContent = `member ${e.stage} ${e.done}/${e.total}${eta}`;
    const partial = e.partial as { seriesId?: string; member?: number } | undefined;
    // A new member started: the one before has finished, so the timeline has a point more.
    if (partial?.seriesId && partial.member !== undefined && partial.member !== lastMember) {
      lastMember = partial.member;
      void show(partial.seriesId).catch(() => {});
    }
  };

  async function refresh(): Promise<void> {
    try {
      const all = await host.api.listSeries({});
      list.replaceChildren(
        h('option', { value: '' }, all.length ? 'open a recorded series…' : 'no series recorded yet'),
        ...all.map((s) => h('option', { value: s.id }, `${s.name} (${s.finished}/${s.members})`)),
      );
      if (seriesId && all.some((s) => s.id === seriesId)) list.value = seriesId;
    } catch {
      // An engine without a runs database has no series; starting one says so.
    }
  }

  const element = h(
    'section',
    { class: 'card series', 'data-testid': 'series' },
    h('h2', {}, 'Checkpoint series'),
    h(
      'p',
      { class: 'muted' },
      'Loss, accuracy, top eigenvalues, trace and the LLA criteria for every checkpoint on every data set, and how changes in the criteria track changes in accuracy between the reference data set and the others.',
    ),
    h(
      'div',
      { class: 'series-form' },
      h('label', {}, 'model ', model),
      h('label', {}, 'checkpoints ', checkpoints),
      h('label', {}, 'reference data (training) ', reference),
      h('label', {}, 'other data sets ', others),
      h('label', {}, 'top-k ', topK),
      h('label', {}, 'iterations ', iterations),
      h('label', {}, 'SLQ runs ', runs),
      h('label', {}, 'samples ', samples),
    ),
    h('p', {}, start, ' ', cancel, ' ', bar, ' ', stage),
    h('p', {}, list),
    grids.element,
    timeline.element,
  );
  return {
    element,
    refresh,
    onEvent(event) {
      if (event.type === 'progress' && grids.onProgress(event)) return true;
      if (event.type !== 'progress' || !job || event.job !== job) return false;
      onProgress(event);
      return true;
    },
  };
}
