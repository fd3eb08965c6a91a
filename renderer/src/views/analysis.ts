/**
 * Starting analyses on the open model: the data set (checked against the model's input as soon as it
 * is chosen), the options of each analysis with the CLI's defaults, and the running job's line: its
 * stage (k of n), the whole job's ETA, and Cancel (a waiting job never starts). A job's run is
 * selected as soon as it is recorded, so its views fill in live.
 */
import { type EngineEvent, isCancellation, type Request } from '../../../src/api/contract';
import type { Host } from '../api';
import { h } from '../dom';
import { parseSamples } from '../samples';
import type { Store } from '../store';
import { computedOnLine } from './computed-on';
import { formatSeconds, hessianPlan, jobEta, type StagePlan } from './jobs/job-eta';
import {
  type Basis,
  evaluationFields,
  hessianFields,
  hessianRequest,
  interpolateRequest,
  landscapeFields,
  landscapeRequest,
} from './options/analysis-options';
import { optionsForm } from './options/form';

type Kind = 'hessian' | 'landscape';

export interface AnalysisPanel {
  element: HTMLElement;
  onEvent(event: EngineEvent): void;
  /** A landscape along a Hessian run's stored eigenvectors (one: a curve, two: a plane). */
  landscapeAlong(run: string, labels: string[]): void;
  start(kind: Kind): void;
}

export interface AnalysisHooks {
  show(e: unknown): void;
  clear(): void;
  /** A job's run is known (its first progress event), or the job ended. */
  onRun(runId: string, ended: boolean): void;
}

export function analysisPanel(host: Host, store: Store, hooks: AnalysisHooks): AnalysisPanel {
  let job: string | null = null;
  let runId: string | null = null;
  let plan: StagePlan[] = [];
  let directionsFile: string | undefined;
  /** Checkpoints to interpolate between (the engine's paths), in the order chosen. */
  let checkpoints: string[] = [];
  const dataName = h(
    'span',
    { class: 'muted', 'data-testid': 'data-name' },
    store.get().data?.name ?? 'no data set chosen',
  );
  const dataInput = h('input', {
    type: 'file',
    accept: '.npz,.npy,.gz,.idx,.ubyte,.bin',
    hidden: true,
    'data-testid': 'data-input',
  });
  const dirInput = h('input', { type: 'file', accept: '.npz', hidden: true, 'data-testid': 'directions-input' });
  const ckptInput = h('input', {
    type: 'file',
    accept: '.pt,.pth,.ckpt,.bin,.safetensors,.npz',
    multiple: true,
    hidden: true,
    'data-testid': 'checkpoints-input',
  });
  const evaluation = optionsForm('Data and evaluation', evaluationFields.slice(1), 'evaluation-options');
  const samples = optionsForm('Data and evaluation', evaluationFields.slice(0, 1), 'samples-option');
  const hessian = optionsForm('Spectrum options', hessianFields, 'hessian-options');
  const landscape = optionsForm('Landscape options', landscapeFields, 'landscape-options');
  const bar = h('progress', { max: '1', value: '0', hidden: true, 'data-testid': 'analysis-progress' });
  const stage = h('span', { class: 'muted', 'data-testid': 'analysis-stage', 'aria-live': 'polite' });
  const cancel = h(
    'button',
    { type: 'button', class: 'secondary', hidden: true, 'data-testid': 'cancel-job' },
    'Cancel',
  );
  /** Which backend the last job ran on, and why not the GPU when `auto` fell back. */
  const computedOn = h('div', {});
  const buttons = {
    hessian: h(
      'button',
      { type: 'button', disabled: true, 'data-testid': 'run-hessian', title: 'Hessian spectrum (s)' },
      'Hessian spectrum',
    ),
    landscape: h(
      'button',
      { type: 'button', disabled: true, 'data-testid': 'run-landscape', title: 'landscape (l)' },
      'Landscape',
    ),
  };
  const ready = () => store.get().data !== null && store.get().model !== null;
  const setBusy = (busy: boolean) => {
    for (const b of Object.values(buttons)) b.disabled = busy || !ready();
    cancel.hidden = !busy;
    bar.hidden = !busy;
  };
  store.subscribe((s, before) => {
    if (s.data !== before.data) dataName.textContent = s.data?.name ?? 'no data set chosen';
    setBusy(job !== null);
  });

  dataInput.addEventListener('change', async () => {
    const file = dataInput.files?.[0];
    dataInput.value = '';
    const model = store.get().model;
    if (!file || !model) return;
    try {
      dataName.textContent = `uploading ${file.name}…`;
      const path = await host.uploadPath(file);
      dataName.textContent = `checking ${file.name}…`;
      const fit = await host.api.checkData({ modelId: model.modelId, data: path });
      if (fit.problem) throw new Error(fit.problem.replaceAll(path, file.name));
      store.set({ data: { path, name: file.name } });
      dataName.textContent = file.name;
      dataName.title = `${fit.samples} samples of shape [${fit.inputShape.join(', ')}], ${fit.targets === 'indices' ? 'class labels' : 'dense targets'}`;
      hooks.clear();
    } catch (e) {
      dataName.textContent = store.get().data?.name ?? 'no data set chosen';
      hooks.show(e);
    }
  });
  dirInput.addEventListener('change', async () => {
    const file = dirInput.files?.[0];
    dirInput.value = '';
    if (!file) return;
    try {
      directionsFile = await host.uploadPath(file);
      dirName.textContent = file.name;
    } catch (e) {
      hooks.show(e);
    }
  });
  const dirName = h('span', { class: 'muted', 'data-testid': 'directions-name' }, '');
  ckptInput.addEventListener('change', async () => {
    const files = [...(ckptInput.files ?? [])];
    ckptInput.value = '';
    if (!files.length) return;
    try {
      dirName.textContent = `uploading ${files.length} checkpoints…`;
      checkpoints = [];
      for (const f of files) checkpoints.push(await host.uploadPath(f));
      dirName.textContent = files.map((f) => f.name).join(' → ');
    } catch (e) {
      dirName.textContent = '';
      hooks.show(e);
    }
  });
  landscape.input('directions').addEventListener('change', () => {
    const chosen = landscape.input('directions').value;
    if (chosen === 'file') dirInput.click();
    if (chosen === 'interpolate') {
      // Li's interpolation plots run a little past both ends.
      if (landscape.input('range').value === '-1:1') landscape.input('range').value = '-0.5:1.5';
      ckptInput.click();
    }
  });

  const basis = (kind: string): Basis => {
    const s = store.get();
    if (!s.model || !s.data) throw new Error('Open a model and choose a data set first.');
    return {
      job: `${kind}-${Date.now().toString(36)}`,
      modelId: s.model.modelId,
      data: s.data.path,
      ...(s.weights ? { weights: s.weights.file } : {}),
    };
  };

  const evaluationValues = () => {
    const samplesBox = samples.input('samples') as HTMLInputElement;
    // The samples field keeps its own sentence (empty means all, no silent fallback).
    const chosen = parseSamples(samplesBox.value);
    return { ...evaluation.read(), samples: chosen.samples };
  };

  type AnyRequest = Request<'hessian'> | Request<'landscape'> | Request<'interpolate'>;
  const run = async (kind: string, request: () => AnyRequest, stagePlan: StagePlan[]) => {
    let req: AnyRequest;
    try {
      req = request();
    } catch (e) {
      hooks.show(e);
      return;
    }
    // The data set read with this request's preprocessing must still fit the model: said before a job.
    try {
      const { modelId, data, scale, mean, std, nhwc, inputsKey, targetsKey } = req;
      const fit = await host.api.checkData({ modelId, data, scale, mean, std, nhwc, inputsKey, targetsKey });
      // The engine names the data set by its file name (an upload keeps the user's).
      if (fit.problem) throw new Error(fit.problem);
    } catch (e) {
      hooks.show(e);
      return;
    }
    job = req.job;
    runId = null;
    plan = stagePlan;
    setBusy(true);
    hooks.clear();
    computedOn.replaceChildren();
    stage.textContent = 'waiting for the engine…';
    bar.removeAttribute('value');
    try {
      const result =
        kind === 'interpolate'
          ? await host.api.interpolate(req as Request<'interpolate'>)
          : kind === 'landscape'
            ? await host.api.landscape(req as Request<'landscape'>)
            : await host.api.hessian(req as Request<'hessian'>);
      runId = result.runId ?? runId;
      stage.textContent = `${kind} finished${runId ? `: run ${runId.slice(0, 8)}` : ''}.`;
      const line = computedOnLine(result.computedOn, 'analysis-backend');
      if (line) computedOn.replaceChildren(line);
    } catch (e) {
      // The user's own Cancel is a state, not an error; what the run finished is kept.
      if (isCancellation(e))
        stage.textContent = `${kind} cancelled${runId ? `: run ${runId.slice(0, 8)} keeps what it finished` : ''}.`;
      else {
        stage.textContent = '';
        hooks.show(e);
      }
    } finally {
      job = null;
      setBusy(false);
      if (runId) hooks.onRun(runId, true);
    }
  };

  const start = (kind: Kind) => {
    if (kind === 'hessian')
      void run(
        'hessian',
        () => hessianRequest(basis('hessian'), evaluationValues(), hessian.read()),
        (() => {
          try {
            const o = hessian.read() as unknown as Parameters<typeof hessianPlan>[0];
            return hessianPlan(o, store.get().model?.info.params.length ?? 1);
          } catch {
            return [];
          }
        })(),
      );
    else if (landscape.input('directions').value === 'interpolate')
      void run(
        'interpolate',
        () => interpolateRequest(basis('interpolate'), evaluationValues(), landscape.read(), checkpoints),
        [{ name: 'points', work: 1 }],
      );
    else
      void run('landscape', () => {
        const o = landscape.read();
        if (o.directions === 'file' && !directionsFile)
          throw new Error('Landscape options: choose a directions file (.npz with d1/<param>, d2/<param>).');
        return landscapeRequest(
          basis('landscape'),
          evaluationValues(),
          o,
          o.directions === 'file' ? { directionsFile } : {},
        );
      }, [{ name: 'points', work: 1 }]);
  };

  buttons.hessian.addEventListener('click', () => start('hessian'));
  buttons.landscape.addEventListener('click', () => start('landscape'));
  cancel.addEventListener('click', () => {
    if (job) void host.api.cancel({ job }).catch(hooks.show);
  });

  const element = h(
    'section',
    { class: 'card analysis', 'data-testid': 'analysis' },
    h('h2', {}, 'Analyze'),
    h(
      'p',
      {},
      h(
        'button',
        { type: 'button', class: 'secondary', onclick: () => dataInput.click(), 'data-testid': 'choose-data' },
        'Data set…',
      ),
      ' ',
      dataName,
      dataInput,
    ),
    samples.element,
    h('details', { class: 'options-group' }, h('summary', {}, 'Data and evaluation'), evaluation.element),
    h('details', { class: 'options-group' }, h('summary', {}, 'Spectrum options'), hessian.element),
    h(
      'details',
      { class: 'options-group' },
      h('summary', {}, 'Landscape options'),
      landscape.element,
      h('p', {}, dirName, dirInput, ckptInput),
    ),
    h('p', { class: 'actions' }, buttons.hessian, ' ', buttons.landscape, ' ', cancel),
    h('p', { class: 'job-line' }, bar, ' ', stage),
    computedOn,
  );
  setBusy(false);

  return {
    element,
    start,
    onEvent(event) {
      if (event.type !== 'progress' || event.job !== job) return;
      if (event.runId && event.runId !== runId) {
        runId = event.runId;
        hooks.onRun(runId, false);
      }
      bar.max = event.total;
      bar.value = event.done;
      const whole = jobEta(plan, event);
      const stages = whole.stages > 1 ? ` · stage ${whole.stage} of ${whole.stages}` : '';
      const eta = whole.seconds !== null && whole.seconds > 0 ? ` · about ${formatSeconds(whole.seconds)} left` : '';
      stage.textContent = `${event.stage} ${event.done}/${event.total}${stages}${eta}`;
    },
    landscapeAlong(from, labels) {
      void run(
        'landscape',
        () =>
          landscapeRequest(
            basis('landscape'),
            evaluationValues(),
            // Unit eigenvectors, as computed: the axis is the distance along them.
            { ...landscape.read(), dims: String(labels.length), norm: 'none', directions: 'eigenvectors' },
            { eigenvectors: { run: from, vectors: labels } },
          ),
        [{ name: 'points', work: 1 }],
      );
    },
  };
}
