/**
 * The app's checkpoint series: checked whole before it is queued (every mismatch in one error), then
 * one job of the engine's queue that computes the members in order, each a recorded run of the
 * series, with progress events tagged by the member's run. Asking again for the same series resumes it.
 */
import type { JobQueue } from '../runs/queue';
import {
  openRecordedSeries,
  prepareSeries,
  runSeriesMembers,
  type SeriesOptions,
  seriesMembers,
  seriesSpec,
} from '../runs/series-run';
import { seriesView } from '../runs/series-view';
import type { RunStore } from '../store/store';
import type { EngineEvent, Request, SeriesView } from './contract';

export async function startSeries(
  request: Request<'series'>,
  modelPath: string,
  host: { store: RunStore; queue: JobQueue; emit: (e: EngineEvent) => void; threads: number },
): Promise<SeriesView> {
  const seed = request.options.seed ?? 0;
  const options: SeriesOptions = {
    loss: {
      loss: 'auto',
      batchSize: request.batchSize,
      samples: request.samples,
      seed,
      bn: 'eval',
      threads: host.threads,
      backend: request.backend ?? 'auto',
    },
    hessian: { ...request.options, seed },
  };
  const spec = seriesSpec(modelPath, request.checkpoints, request.data, options);
  const bound = await prepareSeries(modelPath, spec, options);
  const series = await openRecordedSeries(host.store, spec);
  const members = seriesMembers(spec.checkpoints, spec.data);
  try {
    await host.queue.submit(request.job, (signal) =>
      runSeriesMembers(
        {
          modelPath,
          options,
          bound,
          store: host.store,
          series,
          signal,
          onProgress: (p) => {
            // The member's run now exists (running): lists show it from its first event.
            if (p.stage === 'loss' && p.done === 0) host.emit({ type: 'runs-changed' });
            host.emit({
              type: 'progress',
              job: request.job,
              stage: `${p.member.index + 1}/${p.members} ${p.stage}`,
              done: p.done,
              total: p.total,
              message: p.message,
              etaSeconds: p.etaSeconds,
              runId: p.runId,
              partial: { seriesId: series.id, member: p.member.index, ritz: p.ritz },
            });
          },
          onMember: () => host.emit({ type: 'runs-changed' }),
        },
        members,
      ),
    );
  } finally {
    host.emit({ type: 'runs-changed' });
  }
  return seriesView(host.store, series.id);
}
