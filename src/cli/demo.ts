/**
 * `saddle demo`: the bundled demo model analyzed headlessly and recorded in a runs database: its loss,
 * Hessian spectrum (extremes, trace, SLQ density, LLA criteria) and a 2-D filter-normalized landscape,
 * then the self-contained HTML report of those runs. For machines without a display.
 */
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { type LossOptions, openEvaluator } from '../evaluator/open';
import { htmlReport } from '../export/report';
import { loadRunData } from '../export/run-data';
import { demoPaths } from '../resources';
import { runHessian, spectrumJson } from '../runs/hessian-run';
import { runLandscape } from '../runs/landscape-run';
import { recorded } from '../runs/recorder';
import { RunStore } from '../store/store';
import { writeFileAtomic } from '../util/atomic-write';
import type { LandscapeCliOptions } from './landscape';
import { runSpec, stderrProgress, withCancel } from './progress';

export interface DemoOptions {
  json?: boolean;
  out: string;
  db: string;
  /** Points per axis of the landscape. */
  steps: number;
}

export async function demoCommand(opts: DemoOptions): Promise<void> {
  const paths = demoPaths();
  const lossOptions: LossOptions = {
    data: paths.data,
    loss: 'auto',
    batchSize: 128,
    seed: 0,
    bn: 'eval',
    threads: availableParallelism(),
  };
  const ev = await openEvaluator(paths.model, lossOptions);
  const store = new RunStore(opts.db);
  const progress = stderrProgress('demo');
  const ids: string[] = [];
  try {
    const theta = ev.initialTheta();
    const loss = await recorded(store, runSpec('loss', paths.model, lossOptions), async (rec) => {
      ids.push(rec?.id ?? '');
      const r = await ev.gradient(theta);
      const value = {
        loss: r.loss,
        accuracy: r.accuracy,
        gradNorm: Math.sqrt(r.grad.reduce((a, x) => a + x * x, 0)),
        samples: r.samples,
      };
      rec?.result('loss', value);
      return value;
    });
    const hessianOptions = { topK: 5, bottomK: 3, iterations: 60, trace: true, density: true, runs: 3 };
    const spectrum = await withCancel((signal) =>
      recorded(store, runSpec('hessian', paths.model, { ...lossOptions, ...hessianOptions }), async (rec) => {
        ids.push(rec?.id ?? '');
        return runHessian(ev, hessianOptions, {
          signal,
          rec,
          onProgress: (p) => progress.update(p.stage, p.done, p.total, p.message, p.etaSeconds),
        });
      }),
    );
    // The same options through the same code as `saddle landscape`, so the CLI reproduces this surface.
    const landscapeOptions: LandscapeCliOptions = {
      ...lossOptions,
      dims: 2,
      steps: opts.steps,
      range: '-1:1',
      directions: 'random',
      norm: 'filter',
      oneD: 'zero',
    };
    await withCancel((signal) =>
      recorded(store, runSpec('landscape', paths.model, landscapeOptions), async (rec) => {
        ids.push(rec?.id ?? '');
        return runLandscape(ev, landscapeOptions, signal, rec, (p) =>
          progress.update('landscape', p.done, p.total, `loss ${p.point.loss.toPrecision(6)}`, p.etaSeconds),
        );
      }),
    );
    progress.done();
    const out = resolve(opts.out);
    writeFileAtomic(
      out,
      htmlReport(
        ids.map((id) => loadRunData(store, id)),
        'Saddle demo report',
      ),
    );
    const s = spectrumJson(spectrum);
    if (opts.json)
      process.stdout.write(
        `${JSON.stringify({ nParams: ev.size, ...loss, ...s, density: undefined, runs: ids, report: out, db: resolve(opts.db) })}\n`,
      );
    else {
      const f = (x: number) => x.toPrecision(5);
      const lines = [
        `Saddle demo: ${ev.size.toLocaleString('en-US')} parameters, loss ${f(loss.loss)}, accuracy ${((loss.accuracy ?? 0) * 100).toFixed(1)}%`,
        `top eigenvalues ${spectrum.topEigenvalues?.map(f).join(', ')}; bottom ${spectrum.bottomEigenvalues?.map(f).join(', ')}`,
        `trace ${f(spectrum.trace?.estimate ?? Number.NaN)} ± ${f(spectrum.trace?.stderr ?? Number.NaN)}; HESD type ${spectrum.criteria?.hesdType}`,
        `runs ${ids.map((id) => id.slice(0, 8)).join(', ')} in ${resolve(opts.db)}`,
        `report: ${out}`,
      ];
      process.stdout.write(`${lines.join('\n')}\n`);
    }
  } finally {
    progress.done();
    store.close();
    await ev.close();
  }
}
