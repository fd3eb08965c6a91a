/**
 * From a series to its checkpoints' landscapes, one click each: the PCA trajectory surface of the
 * series' checkpoints (in its order, the last the origin) and the line between two chosen ones, both
 * on the reference data set, computed by the engine as recorded runs and opened in the run detail.
 */
import { isCancellation, type ProgressEvent, type SeriesView } from '../../../../src/api/contract';
import type { Host } from '../../api';
import { h } from '../../dom';

export interface CheckpointGrids {
  element: HTMLElement;
  update(view: SeriesView): void;
  /** Progress of a job this row started: shown here. True when it was one. */
  onProgress(e: ProgressEvent): boolean;
}

const fileName = (p: string) => p.split(/[\\/]/).pop() ?? p;

export function checkpointGrids(
  host: Host,
  onError: (e: unknown) => void,
  openRun: (runId: string) => Promise<void>,
): CheckpointGrids {
  const trajectory = h(
    'button',
    { type: 'button', class: 'secondary', 'data-testid': 'series-trajectory', disabled: true },
    'Trajectory (PCA)',
  );
  const from = h('select', { 'aria-label': 'interpolate from', 'data-testid': 'series-from' });
  const to = h('select', { 'aria-label': 'interpolate to', 'data-testid': 'series-to' });
  const interpolate = h(
    'button',
    { type: 'button', class: 'secondary', 'data-testid': 'series-interpolate', disabled: true },
    'Interpolate',
  );
  const stage = h('span', { class: 'muted', 'data-testid': 'series-grid-stage' });
  let view: SeriesView | null = null;
  let job: string | null = null;

  const update = (v: SeriesView) => {
    view = v;
    const options = () => v.checkpoints.map((c, k) => h('option', { value: String(k) }, `${k + 1}. ${fileName(c)}`));
    from.replaceChildren(...options());
    to.replaceChildren(...options());
    from.value = '0';
    to.value = String(v.checkpoints.length - 1);
    trajectory.disabled = job !== null || v.checkpoints.length < 3;
    trajectory.title = v.checkpoints.length < 3 ? 'A trajectory needs at least 3 checkpoints.' : '';
    interpolate.disabled = job !== null || v.checkpoints.length < 2;
  };

  /** Run one grid job on the series' model and reference data set, then open its run. */
  const start = async (kind: 'trajectory' | 'interpolate') => {
    if (!view) return;
    const v = view;
    job = `${kind}-${Date.now().toString(36)}`;
    trajectory.disabled = interpolate.disabled = true;
    stage.textContent = `${kind}: opening the model…`;
    try {
      const { modelId } = await host.api.openModel({ path: v.model });
      // The series' own subset of the data, so the surfaces are of the loss its timeline shows.
      const samples = typeof v.options.samples === 'number' ? { samples: v.options.samples } : {};
      const base = { job, modelId, data: v.data[0], batchSize: 128, options: {}, ...samples };
      const result =
        kind === 'trajectory'
          ? await host.api.trajectory({ ...base, checkpoints: v.checkpoints })
          : await host.api.interpolate({
              ...base,
              options: {
                from: v.checkpoints[Number(from.value)],
                to: v.checkpoints[Number(to.value)],
                steps: 21,
                range: '-0.5:1.5',
              },
            });
      stage.textContent = `${kind} finished.`;
      if (typeof result.runId === 'string') await openRun(result.runId);
    } catch (e) {
      if (isCancellation(e)) stage.textContent = `${kind} cancelled.`;
      else {
        stage.textContent = '';
        throw e;
      }
    } finally {
      job = null;
      update(v);
    }
  };
  trajectory.addEventListener('click', () => void start('trajectory').catch(onError));
  interpolate.addEventListener('click', () => void start('interpolate').catch(onError));

  const element = h(
    'p',
    { class: 'series-grids' },
    trajectory,
    ' ',
    h('label', {}, 'from ', from),
    ' ',
    h('label', {}, 'to ', to),
    ' ',
    interpolate,
    ' ',
    stage,
  );
  return {
    element,
    update,
    onProgress(e) {
      if (!job || e.job !== job) return false;
      const eta = e.etaSeconds ? `, about ${Math.ceil(e.etaSeconds)} s left` : '';
      stage.textContent = `${job.split('-')[0]}: ${e.stage} ${e.done}/${e.total}${eta}`;
      return true;
    },
  };
}
