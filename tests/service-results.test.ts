/**
 * Typed results across the contract: a Hessian job's answer, its recorded run (getRun) and its
 * progress partials parse with the results schemas; the data check refuses a data set whose samples
 * do not fit the model before anything is queued; a landscape along a stored eigenvector has, at its
 * centre, the curvature of that eigenvalue (a second difference of the loss, an independent check).
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  type EngineEvent,
  HessianResultSchema,
  LandscapeResultSchema,
  methods,
  RitzPartialSchema,
  RunViewSchema,
} from '../src/api/contract';
import { dispatch } from '../src/api/dispatch';
import { SaddleService } from '../src/api/service';
import { RunStore } from '../src/store/store';
import { fixture } from './helpers';

describe('typed results through the service', () => {
  it('records a spectrum with eigenvectors and follows one in a landscape', async () => {
    const store = new RunStore(join(mkdtempSync(join(tmpdir(), 'saddle-results-')), 'runs.db'));
    const events: EngineEvent[] = [];
    const service = new SaddleService('serve', (e) => events.push(e), store);
    const call = async (method: string, payload: unknown) => {
      const r = await dispatch(service, method, payload);
      if (!r.ok) throw new Error(r.error.message);
      return r.result;
    };
    const { modelId } = (await call('openDemo', {})) as { modelId: string };
    const data = fixture('demo', 'demo-data.npz');

    const check = methods.checkData.response.parse(await call('checkData', { modelId, data }));
    expect(check).toEqual({
      samples: 256,
      inputShape: [1, 16, 16],
      targets: 'indices',
      modelInput: [1, 16, 16],
      problem: null,
    });
    // Read as channels-last, its samples become [16, 1, 16]: refused with both shapes, before a job.
    const wrong = methods.checkData.response.parse(await call('checkData', { modelId, data, nhwc: true }));
    expect(wrong.problem).toBe(
      "The data set 'demo-data.npz' has samples of shape [16, 1, 16], but the model's input 'input' takes [1, 16, 16] after its batch axis.",
    );
    await expect(call('hessian', { job: 'refused', modelId, data, nhwc: true })).rejects.toThrow(wrong.problem ?? '');
    expect(store.listRuns()).toHaveLength(0);

    const spectrum = HessianResultSchema.parse(
      await call('hessian', {
        job: 'spectrum',
        modelId,
        data,
        samples: 64,
        options: {
          topK: 2,
          bottomK: 1,
          iterations: 40,
          trace: true,
          traceProbes: 8,
          density: true,
          runs: 2,
          eigenvectors: true,
        },
      }),
    );
    const ritz = events.filter((e) => e.type === 'progress' && e.job === 'spectrum' && e.stage === 'eigenvalues');
    expect(ritz.length).toBeGreaterThan(2);
    for (const e of ritz) if (e.type === 'progress') RitzPartialSchema.parse(e.partial);
    const view = RunViewSchema.parse(await call('getRun', { id: spectrum.runId }));
    expect(view.results.spectrum?.topEigenvalues).toEqual(spectrum.topEigenvalues);
    expect(view.results.spectrum?.criteria?.hesdType).toMatch(/^M[PN]$/);
    expect(view.results.stages?.done).toEqual(['eigenvalues', 'trace', 'density']);
    expect(view.eigenvectors.map((v) => v.label)).toEqual(['top1', 'top2', 'bottom1']);
    expect(view.eigenvectors[0].eigenvalue).toBeCloseTo(spectrum.topEigenvalues?.[0] ?? Number.NaN, 4);

    // Along the top eigenvector (unit norm, not rescaled), L(h) + L(-h) - 2 L(0) = λ h² + O(h⁴). The
    // demo's ReLUs and max-pools make the loss only piecewise smooth: kinks crossed within ±h leave a
    // percent or so between the second difference and the Hessian's quadratic form (1.3% measured),
    // while the next eigenvalue is far (a wrong vector would be off by tens of percent).
    const h = 0.004;
    const curve = LandscapeResultSchema.parse(
      await call('landscape', {
        job: 'along',
        modelId,
        data,
        samples: 64,
        options: {
          dims: 1,
          steps: 3,
          range: `${-h}:${h}`,
          directions: 'eigenvectors',
          eigenvectors: { run: spectrum.runId, vectors: ['top1'] },
          norm: 'none',
        },
      }),
    );
    expect(curve.directions).toMatchObject({ kind: 'eigenvectors', run: spectrum.runId, vectors: ['top1'] });
    expect(curve.directions.lambda1).toBeCloseTo(spectrum.topEigenvalues?.[0] ?? Number.NaN, 4);
    const [lm, l0, lp] = curve.loss as number[];
    const lambda = spectrum.topEigenvalues?.[0] ?? Number.NaN;
    expect(Math.abs((lm + lp - 2 * l0) / h ** 2 - lambda) / lambda).toBeLessThan(0.03);
    expect(Math.abs((spectrum.topEigenvalues?.[1] ?? 0) - lambda) / lambda).toBeGreaterThan(0.1);

    // A 2-D landscape needs two eigenvectors, said before a job is queued.
    await expect(
      call('landscape', {
        job: 'plane',
        modelId,
        data,
        options: { dims: 2, directions: 'eigenvectors', eigenvectors: { run: spectrum.runId, vectors: ['top1'] } },
      }),
    ).rejects.toThrow('A 2-D landscape needs 2 eigenvector(s); 1 were picked.');
    store.close();
  }, 120_000);

  it('interpolates between checkpoints as a job, each end at its PyTorch loss', async () => {
    const store = new RunStore(join(mkdtempSync(join(tmpdir(), 'saddle-interp-')), 'runs.db'));
    const service = new SaddleService('serve', () => {}, store);
    const call = async (method: string, payload: unknown) => {
      const r = await dispatch(service, method, payload);
      if (!r.ok) throw new Error(r.error.message);
      return r.result;
    };
    const ref = JSON.parse(readFileSync(fixture('files', 'reference.json'), 'utf8'));
    const { modelId } = (await call('openModel', { path: fixture('engine', 'cnn_bn.onnx') })) as { modelId: string };
    const out = LandscapeResultSchema.parse(
      await call('interpolate', {
        job: 'interp',
        modelId,
        data: fixture('engine', 'cnn_bn-data.npz'),
        options: {
          from: fixture('files', 'cnn_bn-zip.pt'),
          to: fixture('files', 'cnn_bn-bf16.safetensors'),
          steps: 3,
          range: '0:1',
        },
      }),
    );
    const loss = out.loss as number[];
    expect(Math.abs(loss[0] - ref['cnn_bn-zip.pt']) / ref['cnn_bn-zip.pt']).toBeLessThan(1e-5);
    expect(Math.abs(loss[2] - ref['cnn_bn-bf16.safetensors']) / ref['cnn_bn-bf16.safetensors']).toBeLessThan(1e-5);
    const view = RunViewSchema.parse(await call('getRun', { id: out.runId }));
    expect(view.run.kind).toBe('interpolate');
    expect(view.grids[0].meta.directions?.kind).toBe('interpolation');
    store.close();
  }, 60_000);
});
