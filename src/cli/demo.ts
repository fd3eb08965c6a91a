/**
 * `saddle demo`: the bundled demo model analyzed headlessly (loss, Hessian spectrum with trace,
 * density and LLA criteria, a 1-D filter-normalized landscape), written as a self-contained HTML
 * report. The full runs store and report come with the runs issue.
 */
import { writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { gaussianDirection, normalizeDirection } from '../analysis/directions';
import { evaluateGrid, linspace } from '../analysis/landscape';
import { analyzeHessian } from '../analysis/spectrum';
import { openEvaluator } from '../model/evaluator';
import { openModelFile } from '../model/open';
import { lineChart } from '../report/svg';
import { demoPaths } from '../resources';
import { Rng } from '../util/rng';
import { SADDLE_VERSION } from '../version';
import { stderrProgress } from './progress';

export async function demoCommand(opts: { json?: boolean; out: string }): Promise<void> {
  const paths = demoPaths();
  const info = await openModelFile(paths.model);
  const ev = await openEvaluator(paths.model, {
    data: paths.data,
    loss: 'auto',
    batchSize: 128,
    seed: 0,
    bn: 'eval',
    threads: availableParallelism(),
  });
  const progress = stderrProgress('demo');
  try {
    const theta = ev.initialTheta();
    const loss = await ev.gradient(theta);
    const spectrum = await analyzeHessian(
      ev,
      theta,
      { topK: 5, bottomK: 3, iterations: 60, trace: true, density: true, runs: 3 },
      (p) => progress.update(p.stage, p.done, p.total, p.message, p.etaSeconds),
    );
    const d = normalizeDirection(gaussianDirection(ev.size, new Rng(0)), theta, ev.params, 'filter', 'zero');
    const xs = linspace('-1:1', 41);
    const curve = await evaluateGrid(ev, theta, d, null, {
      x: xs,
      y: null,
      onPoint: (_p, done, total) => progress.update('landscape', done, total, '', null),
    });
    progress.done();
    const summary = {
      model: info.file,
      nParams: info.nParams,
      loss: loss.loss,
      accuracy: loss.accuracy,
      gradNorm: Math.sqrt(loss.grad.reduce((a, x) => a + x * x, 0)),
      topEigenvalues: spectrum.topEigenvalues,
      bottomEigenvalues: spectrum.bottomEigenvalues,
      trace: spectrum.trace,
      criteria: spectrum.criteria,
      hvps: spectrum.hvps,
    };
    const out = resolve(opts.out);
    await writeFile(out, report(summary, spectrum.density, xs, curve.loss as number[]));
    if (opts.json) process.stdout.write(`${JSON.stringify({ ...summary, report: out })}\n`);
    else {
      const f = (x: number) => x.toPrecision(5);
      process.stdout.write(
        [
          `Saddle demo: ${info.nParams.toLocaleString('en-US')} parameters, loss ${f(loss.loss)}, accuracy ${((loss.accuracy ?? 0) * 100).toFixed(1)}%`,
          `top eigenvalues ${summary.topEigenvalues?.map(f).join(', ')}; bottom ${summary.bottomEigenvalues?.map(f).join(', ')}`,
          `trace ${f(summary.trace?.estimate ?? Number.NaN)} ± ${f(summary.trace?.stderr ?? Number.NaN)}; HESD type ${summary.criteria?.hesdType}`,
          `report: ${out}`,
        ].join('\n') + '\n',
      );
    }
  } finally {
    await ev.close();
  }
}

function report(
  summary: Record<string, unknown>,
  density: { grid: number[]; values: number[] } | undefined,
  xs: number[],
  losses: number[],
): string {
  const esc = (s: string) => s.replace(/[&<>]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;' })[c] as string);
  // Down-sample the 10,000-point density by the maximum of each bin, so narrow peaks survive.
  const bins = 1000;
  const gx: number[] = [];
  const gy: number[] = [];
  if (density) {
    const per = Math.ceil(density.grid.length / bins);
    for (let b = 0; b * per < density.grid.length; b++) {
      const part = density.values.slice(b * per, (b + 1) * per);
      gx.push(density.grid[b * per]);
      gy.push(Math.max(...part) + 1e-12);
    }
  }
  const densityChart = density
    ? lineChart(gx, gy, {
        title: 'Hessian spectral density (SLQ)',
        xLabel: 'eigenvalue',
        yLabel: 'density',
        logY: true,
      })
    : '';
  const curveChart = lineChart(xs, losses, {
    title: 'Loss along a filter-normalized random direction',
    xLabel: 'α',
    yLabel: 'loss',
  });
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Saddle demo report</title>
<style>body{font-family:system-ui,sans-serif;margin:24px;color:#1d1f21}pre{background:#f4f4f2;padding:12px;border-radius:6px}figure{display:inline-block;margin:8px}</style></head>
<body><h1>Saddle demo report</h1><p>Saddle ${esc(SADDLE_VERSION)}, ${new Date().toISOString()}</p>
<figure>${densityChart}</figure><figure>${curveChart}</figure>
<h2>Numbers</h2><pre>${esc(JSON.stringify(summary, null, 2))}</pre></body></html>`;
}
