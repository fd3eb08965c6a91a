/**
 * The analyses give the same numbers on WebGPU as on the CPU (issue 11's "done means"): on the
 * spectra fixtures (fixtures/gen_spectra.py), `saddle hessian --backend webgpu --json` gives the top-5
 * and bottom-3 eigenvalues of `--backend cpu` within 1e-4 relative, and the trace and SLQ nodes too;
 * landscapes (runLandscape, directions from a file and along Hessian eigenvectors) agree within 1e-5
 * relative at every point. The CPU side is also held to the dense float64 spectrum, so both agreeing
 * on a wrong number would fail. On llvmpipe (CI) these are correctness checks only.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Grid } from '../../src/analysis/landscape';
import { analyzeHessian, type HessianOptions } from '../../src/analysis/spectrum';
import { loadDataset } from '../../src/data/load';
import { selectBackendWithNotice } from '../../src/engine/backends';
import { createEvaluator } from '../../src/evaluator/parallel';
import { loadOnnxFile } from '../../src/model/open';
import { type LandscapeRunOptions, runLandscape } from '../../src/runs/landscape-run';
import { RunStore } from '../../src/store/store';
import { openTestGpu } from '../engine/gpu-available';
import { fixture, ROOT, readJson } from '../helpers';

const gpu = await openTestGpu();

interface SpectrumJson {
  topEigenvalues: number[];
  bottomEigenvalues: number[];
  trace?: { estimate: number; stderr: number; matvecs: number };
  density?: { runs: Array<{ nodes: number[]; weights: number[] }> };
  lanczos: { basisPrecision: string };
  deviceMemory?: { peak: number; plans: number; arrays: number };
}

function hessianCli(name: string, backend: 'cpu' | 'webgpu', extra: string[]): SpectrumJson {
  const args = [
    `${ROOT}/bin/saddle.mjs`,
    'hessian',
    fixture('engine', `${name}.onnx`),
    '--data',
    fixture('engine', `${name}-data.npz`),
    '--backend',
    backend,
    '--threads',
    '1',
    '--batch-size',
    '64',
    '--seed',
    '7',
    '--json',
    ...extra,
  ];
  const r = spawnSync(process.execPath, args, {
    encoding: 'utf8',
    env: { ...process.env, EGL_PLATFORM: 'surfaceless', XDG_RUNTIME_DIR: process.env.XDG_RUNTIME_DIR ?? '/tmp' },
  });
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as SpectrumJson;
}

const rel = (got: number, want: number) => Math.abs(got - want) / Math.abs(want);

function expectClose(got: number[], want: number[], tol: number, what: string) {
  expect(got.length, what).toBe(want.length);
  got.forEach((x, i) => expect(rel(x, want[i]), `${what} ${i}: ${x} vs ${want[i]}`).toBeLessThanOrEqual(tol));
}

describe.skipIf(!gpu.backend)('analyses on webgpu agree with the CPU', () => {
  it.each([
    ['mlp_tanh', ['--iterations', '100', '--trace', '--density', '--runs', '2']],
    ['cnn_bn', ['--iterations', '250']],
  ])(
    'saddle hessian %s: top-5 and bottom-3 eigenvalues within 1e-4',
    (name, extra) => {
      const cpu = hessianCli(name, 'cpu', extra);
      const db = join(mkdtempSync(join(tmpdir(), 'saddle-agree-')), 'runs.db');
      const gpuRun = hessianCli(name, 'webgpu', [...extra, '--db', db]);
      // The CPU's numbers are the dense float64 spectrum's (as tests/analysis/spectra-reference checks).
      const eig = readJson<{ eigenvalues: number[] }>(fixture('engine', `${name}-spectrum.json`)).eigenvalues;
      expectClose(cpu.topEigenvalues, eig.slice(-5).reverse(), 1e-4, 'cpu top vs float64');
      expectClose(cpu.bottomEigenvalues, eig.slice(0, 3), 1e-4, 'cpu bottom vs float64');
      expectClose(gpuRun.topEigenvalues, cpu.topEigenvalues, 1e-4, 'top');
      expectClose(gpuRun.bottomEigenvalues, cpu.bottomEigenvalues, 1e-4, 'bottom');
      // The GPU run kept its Krylov basis in device memory (float32) and says how much it held.
      expect(cpu.lanczos.basisPrecision).toBe('float64');
      expect(gpuRun.lanczos.basisPrecision).toBe('float32');
      expect(cpu.deviceMemory).toBeUndefined();
      expect(gpuRun.deviceMemory?.peak).toBeGreaterThan(gpuRun.deviceMemory?.plans ?? Number.POSITIVE_INFINITY);
      // The run records where it was computed and the device memory it held.
      const store = new RunStore(db);
      try {
        const env = store.getRun(store.listRuns()[0].id)?.results.environment as Record<string, unknown>;
        expect(env.backend).toMatch(/^webgpu \(/);
        expect((env.deviceMemory as { peak: number }).peak).toBe(gpuRun.deviceMemory?.peak);
      } finally {
        store.close();
      }
      if (cpu.trace && gpuRun.trace) {
        // The same Rademacher probes: each zᵀHz agrees, so the estimates and their spread do too.
        expect(gpuRun.trace.matvecs).toBe(cpu.trace.matvecs);
        expect(rel(gpuRun.trace.estimate, cpu.trace.estimate)).toBeLessThanOrEqual(1e-4);
        expect(rel(gpuRun.trace.stderr, cpu.trace.stderr)).toBeLessThanOrEqual(1e-3);
      }
      if (cpu.density && gpuRun.density) {
        // SLQ's extreme nodes converge like Lanczos' extreme Ritz values; the run lengths match.
        cpu.density.runs.forEach((run, r) => {
          const g = gpuRun.density?.runs[r];
          expect(g?.nodes.length).toBe(run.nodes.length);
          const ends = (xs: number[]) => [xs[0], xs[xs.length - 1]];
          expectClose(ends(g?.nodes ?? []), ends(run.nodes), 1e-4, `SLQ run ${r} extreme nodes`);
        });
      }
    },
    300_000,
  );

  it('a shard draws the same probes on webgpu as on the CPU (Rng.forIndex per probe and SLQ run)', async () => {
    const model = await loadOnnxFile(fixture('engine', 'mlp_tanh.onnx'));
    const data = await loadDataset(fixture('engine', 'mlp_tanh-data.npz'));
    const o: Partial<HessianOptions> = {
      topK: 0,
      bottomK: 0,
      trace: true,
      traceProbes: 6,
      density: true,
      runs: 3,
      iterations: 20,
      seed: 7,
      shard: { index: 1, count: 2 },
    };
    const share = async (backendName: 'cpu' | 'webgpu') => {
      const { backend } = await selectBackendWithNotice(backendName);
      const ev = createEvaluator(model, data, { loss: 'cross-entropy', bn: 'eval', batchSize: 64, backend }, 1);
      try {
        const theta = ev.initialTheta();
        return (await analyzeHessian(ev, theta, o)).share;
      } finally {
        await ev.close();
      }
    };
    const cpu = await share('cpu');
    const onGpu = await share('webgpu');
    // Shard 1 of 2: probes 3..5 and SLQ run 2 (or as shareIndices splits them), the same on both.
    expect(onGpu?.trace?.indices).toEqual(cpu?.trace?.indices);
    expect(cpu?.trace?.indices.length).toBeGreaterThan(0);
    expectClose(onGpu?.trace?.values ?? [], cpu?.trace?.values ?? [], 1e-4, 'probe zᵀHz');
    expect(onGpu?.density?.indices).toEqual(cpu?.density?.indices);
    cpu?.density?.runs.forEach((run, r) => {
      const g = onGpu?.density?.runs[r];
      const ends = (xs: number[]) => [xs[0], xs[xs.length - 1]];
      expectClose(ends(g?.nodes ?? []), ends(run.nodes), 1e-4, `SLQ run ${r} extreme nodes`);
    });
  }, 300_000);

  async function landscape(backendName: 'cpu' | 'webgpu', o: LandscapeRunOptions): Promise<Grid> {
    const model = await loadOnnxFile(fixture('engine', 'cnn_bn.onnx'));
    const data = await loadDataset(fixture('engine', 'cnn_bn-data.npz'));
    const { backend } = await selectBackendWithNotice(backendName);
    const ev = createEvaluator(model, data, { loss: 'cross-entropy', bn: 'eval', batchSize: 24, backend }, 1);
    try {
      return (await runLandscape(ev, o, new AbortController().signal, null)).grid;
    } finally {
      await ev.close();
    }
  }

  it.each([
    ['directions from a file, filter-normalized', fixture('engine', 'cnn_bn-directions.npz'), 'filter'],
    ['the two largest Hessian eigenvectors', 'hessian', 'none'],
  ] as const)(
    'landscapes along %s agree within 1e-5',
    async (_what, directions, norm) => {
      const o: LandscapeRunOptions = {
        dims: 2,
        directions,
        norm,
        oneD: 'zero',
        seed: 0,
        steps: 4,
        range: '-0.5:0.5',
      };
      const cpu = await landscape('cpu', o);
      const onGpu = await landscape('webgpu', o);
      const want = (cpu.loss as number[][]).flat();
      const got = (onGpu.loss as number[][]).flat();
      expect(new Set(want).size).toBeGreaterThan(4);
      expectClose(got, want, 1e-5, 'loss');
    },
    300_000,
  );
});
