import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readNpz } from '../src/formats/numpy';
import { RunStore } from '../src/store/store';
import { fixture, ROOT } from './helpers';

const saddle = (...args: string[]) =>
  spawnSync(process.execPath, [`${ROOT}/bin/saddle.mjs`, ...args], { encoding: 'utf8' });

describe('the saddle CLI (built bundle)', () => {
  it('prints its version and help', () => {
    const pkg = JSON.parse(
      execFileSync('node', ['-p', 'JSON.stringify(require("./package.json"))'], { cwd: ROOT, encoding: 'utf8' }),
    );
    expect(saddle('--version').stdout.trim()).toBe(pkg.version);
    const help = saddle('--help').stdout;
    for (const cmd of ['info', 'serve', 'demo']) expect(help).toContain(cmd);
  });

  it('info --json gives the documented shape', () => {
    const r = saddle('info', fixture('demo', 'demo.onnx'), '--json');
    expect(r.status).toBe(0);
    const info = JSON.parse(r.stdout);
    expect(Object.keys(info).slice(0, 8)).toEqual([
      'format',
      'irVersion',
      'opset',
      'inputs',
      'outputs',
      'ops',
      'params',
      'nParams',
    ]);
    expect(info).toMatchObject({ format: 'onnx', irVersion: 8, opset: 17, nParams: 2324 });
    expect(info.params[0]).toEqual({ name: 'conv1.weight', shape: [8, 1, 3, 3], size: 72 });
  });

  it('info prints a readable table', () => {
    const out = saddle('info', fixture('demo', 'demo.onnx')).stdout;
    expect(out).toMatch(/conv2\.weight\s+\[16, 8, 3, 3\]\s+1,152/);
    expect(out).toContain('2,324 trainable parameters in 10 tensors');
  });

  it('a bad file exits 1 with the sentence on stderr', () => {
    const r = saddle('info', `${ROOT}/package.json`);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(
      /^saddle: ONNX reader: the file is a JSON document, not an ONNX model \(in '.*package\.json'\)/,
    );
  });

  it('loss --json matches the PyTorch float64 reference at any batch size', () => {
    const ref = JSON.parse(readFileSync(fixture('demo', 'demo.json'), 'utf8'));
    for (const batch of ['256', '37']) {
      const r = saddle(
        'loss',
        fixture('demo', 'demo.onnx'),
        '--data',
        fixture('demo', 'demo-data.npz'),
        '--batch-size',
        batch,
        '--json',
      );
      expect(r.status).toBe(0);
      const out = JSON.parse(r.stdout);
      expect(Object.keys(out)).toEqual(['loss', 'accuracy', 'gradNorm', 'samples']);
      expect(Math.abs(out.loss - ref.loss) / ref.loss).toBeLessThan(1e-5);
      expect(Math.abs(out.gradNorm - ref.gradNorm) / ref.gradNorm).toBeLessThan(1e-4);
      expect(out.accuracy).toBe(ref.accuracy);
      expect(out.samples).toBe(256);
    }
  });

  it('loss refuses data that does not fit the model, naming both shapes', () => {
    const r = saddle('loss', fixture('demo', 'demo.onnx'), '--data', fixture('engine', 'mlp_tanh-data.npz'));
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/samples of shape \[8\] but the model input 'input' expects \[batch, 1, 16, 16\]/);
  });

  it('hessian --json has the documented keys, repeats exactly for a seed, and saves eigenvectors', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'saddle-cli-')), 'eig.npz');
    const args = [
      'hessian',
      fixture('demo', 'demo.onnx'),
      '--data',
      fixture('demo', 'demo-data.npz'),
      '--top-k',
      '2',
      '--bottom-k',
      '1',
    ];
    const run = (...extra: string[]) =>
      saddle(...args, '--iterations', '40', '--trace', '--density', '--runs', '2', '--json', '--seed', '3', ...extra);
    const a = run('--save-eigenvectors', out);
    expect(a.status, a.stderr).toBe(0);
    const r = JSON.parse(a.stdout);
    expect(Object.keys(r)).toEqual([
      'topEigenvalues',
      'bottomEigenvalues',
      'residuals',
      'trace',
      'density',
      'criteria',
      'lanczos',
      'hvps',
      'seconds',
    ]);
    // Lanczos says how it stored its basis, so a user can see the memory it took.
    expect(r.lanczos).toMatchObject({ basisPrecision: 'float64' });
    expect(r.topEigenvalues[0]).toBeGreaterThan(r.topEigenvalues[1]);
    expect(r.criteria.hesdType).toBe('MP');
    expect(r.density.runs).toHaveLength(2);
    expect(a.stderr).toMatch(/hessian eigenvalues \d+\/40/);
    const b = JSON.parse(run().stdout);
    expect({ ...b, seconds: 0 }).toEqual({ ...r, seconds: 0 });
    const arrays = readNpz(new Uint8Array(readFileSync(out)), out);
    expect([...arrays.keys()].slice(0, 2)).toEqual(['v1/conv1.weight', 'v1/conv1.bias']);
    const v1 = [...arrays.entries()].filter(([k]) => k.startsWith('v1/')).flatMap(([, a]) => Array.from(a.data));
    expect(v1).toHaveLength(2324);
    expect(Math.sqrt(v1.reduce((s, x) => s + x * x, 0))).toBeCloseTo(1, 5);
    const biggest = v1.reduce((m, x) => (Math.abs(x) > Math.abs(m) ? x : m), 0);
    expect(biggest).toBeGreaterThan(0);
    expect(Array.from(arrays.get('eigenvalues')?.data ?? [])).toHaveLength(3);
    // With no memory for the basis it goes to a temporary file, read only when partial
    // reorthogonalization asks; the eigenvalues and eigenvectors are those of the basis in memory.
    const onDisk = saddle(
      ...args,
      '--iterations',
      '40',
      '--json',
      '--seed',
      '3',
      '--basis-memory',
      '0',
      '--save-eigenvectors',
      `${out}.disk.npz`,
    );
    expect(onDisk.status, onDisk.stderr).toBe(0);
    const d = JSON.parse(onDisk.stdout);
    expect(d.lanczos).toMatchObject({ basisStorage: 'disk', basisPrecision: 'float64' });
    expect(d.lanczos.reorthogonalizations).toBeGreaterThan(0);
    expect(d.lanczos.reorthogonalizations).toBeLessThan(d.lanczos.steps);
    expect(r.lanczos).toMatchObject({ basisStorage: 'memory' });
    const lmax = r.topEigenvalues[0];
    for (const [got, want] of [
      [d.topEigenvalues, r.topEigenvalues],
      [d.bottomEigenvalues, r.bottomEigenvalues],
    ])
      got.forEach((x: number, i: number) => expect(Math.abs(x - want[i])).toBeLessThan(1e-6 * lmax));
    const v1d = [...readNpz(new Uint8Array(readFileSync(`${out}.disk.npz`)), out).entries()]
      .filter(([k]) => k.startsWith('v1/'))
      .flatMap(([, a]) => Array.from(a.data));
    expect(Math.abs(v1d.reduce((s, x, i) => s + x * v1[i], 0))).toBeGreaterThan(1 - 1e-4);
    const text = saddle(...args, '--iterations', '40', '--basis-memory', '0');
    expect(text.stdout).toMatch(/^Lanczos basis: 0\.\d\d GiB in a temporary file, read \d+ times in \d+ steps/m);
    expect(saddle(...args, '--basis-memory', 'lots').stderr).toContain("'lots' is not a number of zero or more.");
  });

  it('landscape --json gives the documented shape with the centre at the loss', () => {
    const r = saddle(
      'landscape',
      fixture('demo', 'demo.onnx'),
      '--data',
      fixture('demo', 'demo-data.npz'),
      '--steps',
      '3',
      '--x',
      '-1:1:3',
      '--y',
      '0:0.5:2',
      '--json',
    );
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(Object.keys(out)).toEqual(['x', 'y', 'loss', 'accuracy', 'directions']);
    expect(out.x).toEqual([-1, 0, 1]);
    expect(out.y).toEqual([0, 0.5]);
    expect(out.loss).toHaveLength(3);
    expect(out.loss[0]).toHaveLength(2);
    const ref = JSON.parse(readFileSync(fixture('demo', 'demo.json'), 'utf8'));
    expect(Math.abs(out.loss[1][0] - ref.loss) / ref.loss).toBeLessThan(1e-5);
    expect(out.directions).toEqual({ kind: 'random', normalization: 'filter', oneD: 'zero', seed: 0 });
  });

  it('interpolate reproduces both checkpoints’ PyTorch losses at α = 0 and 1', () => {
    const ref = JSON.parse(readFileSync(fixture('files', 'reference.json'), 'utf8'));
    const r = saddle(
      'interpolate',
      fixture('engine', 'cnn_bn.onnx'),
      '--data',
      fixture('engine', 'cnn_bn-data.npz'),
      '--from',
      fixture('files', 'cnn_bn-zip.pt'),
      '--to',
      fixture('files', 'cnn_bn-bf16.safetensors'),
      '--range',
      '0:1',
      '--steps',
      '3',
      '--json',
    );
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.y).toBeNull();
    expect(Math.abs(out.loss[0] - ref['cnn_bn-zip.pt']) / ref['cnn_bn-zip.pt']).toBeLessThan(1e-5);
    expect(Math.abs(out.loss[2] - ref['cnn_bn-bf16.safetensors']) / ref['cnn_bn-bf16.safetensors']).toBeLessThan(1e-5);
  });

  it('interpolate --third gives the plane through three checkpoints, each at its corner', () => {
    const ref = JSON.parse(readFileSync(fixture('files', 'reference.json'), 'utf8'));
    const f = (n: string) => fixture('files', n);
    const r = saddle(
      'interpolate',
      fixture('engine', 'cnn_bn.onnx'),
      '--data',
      fixture('engine', 'cnn_bn-data.npz'),
      '--from',
      f('cnn_bn-zip.pt'),
      '--to',
      f('cnn_bn-bf16.safetensors'),
      '--third',
      f('cnn_bn-f16.safetensors'),
      '--range',
      '0:1',
      '--steps',
      '2',
      '--json',
    );
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.directions.kind).toBe('plane');
    const rel = (x: number, y: number) => Math.abs(x - y) / y;
    expect(rel(out.loss[0][0], ref['cnn_bn-zip.pt'])).toBeLessThan(1e-5);
    expect(rel(out.loss[1][0], ref['cnn_bn-bf16.safetensors'])).toBeLessThan(1e-5);
    expect(rel(out.loss[0][1], ref['cnn_bn-f16.safetensors'])).toBeLessThan(1e-5);
  });

  it('trajectory reports the PCA plane, explained variance and path', () => {
    const f = (n: string) => fixture('files', n);
    const r = saddle(
      'trajectory',
      fixture('engine', 'cnn_bn.onnx'),
      '--data',
      fixture('engine', 'cnn_bn-data.npz'),
      '--checkpoints',
      [f('cnn_bn-f16.safetensors'), f('cnn_bn-bf16.safetensors'), f('cnn_bn-zip.pt')].join(','),
      '--steps',
      '3',
      '--json',
    );
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.directions.kind).toBe('pca');
    expect(out.directions.explainedVariance[0] + out.directions.explainedVariance[1]).toBeCloseTo(1, 9);
    expect(out.path).toHaveLength(3);
    expect(out.path[2]).toEqual([0, 0]);
    expect(out.loss).toHaveLength(3);
  });

  it('demo analyzes the bundled model headlessly into a runs database and writes a report', () => {
    const tmp = mkdtempSync(join(tmpdir(), 'saddle-demo-'));
    const out = join(tmp, 'report.html');
    const db = join(tmp, 'demo.db');
    const r = saddle('demo', '--json', '--out', out, '--db', db, '--steps', '7');
    expect(r.status, r.stderr).toBe(0);
    const summary = JSON.parse(r.stdout);
    const ref = JSON.parse(readFileSync(fixture('demo', 'demo.json'), 'utf8'));
    expect(summary.nParams).toBe(2324);
    expect(Math.abs(summary.loss - ref.loss) / ref.loss).toBeLessThan(1e-5);
    expect(summary.topEigenvalues).toHaveLength(5);
    // Against the dense float64 PyTorch Hessian of the demo (fixtures/gen_demo_spectrum.py).
    const dense = JSON.parse(readFileSync(fixture('demo', 'demo-spectrum.json'), 'utf8'));
    const eig: number[] = dense.eigenvalues;
    const lmax = eig[eig.length - 1];
    eig
      .slice(-5)
      .reverse()
      .forEach((l, k) => {
        expect(Math.abs(summary.topEigenvalues[k] - l)).toBeLessThan(1e-3 * Math.abs(l) + 1e-4 * lmax);
      });
    eig.slice(0, 3).forEach((l, k) => {
      expect(Math.abs(summary.bottomEigenvalues[k] - l)).toBeLessThan(1e-3 * Math.abs(l) + 1e-4 * lmax);
    });
    expect(Math.abs(summary.trace.estimate - dense.trace)).toBeLessThan(3 * summary.trace.stderr);
    expect(summary.criteria.hesdType).toBe('MP');
    const html = readFileSync(out, 'utf8');
    expect(html).toContain('Hessian spectral density');
    // Density, contours and the 3-D surface.
    expect(html.match(/<svg /g)).toHaveLength(3);
    const store = new RunStore(db);
    expect(
      store
        .listRuns()
        .map((run) => [run.kind, run.state])
        .sort(),
    ).toEqual([
      ['hessian', 'finished'],
      ['landscape', 'finished'],
      ['loss', 'finished'],
    ]);
    // The landscape's centre is the model itself: exactly the recorded loss, in float32.
    const grid = store.getGrid(summary.runs[2]);
    expect(grid?.loss[3 * 7 + 3]).toBe(Math.fround(summary.loss));
    expect(store.getRun(summary.runs[1])?.results.spectrum).toMatchObject({ topEigenvalues: summary.topEigenvalues });
    // The demo's Hessian goes through the same orchestration as the CLI and the app: Ritz values as
    // they came, and which stages it finished.
    const hessianResults = store.getRun(summary.runs[1])?.results;
    expect((hessianResults?.partial as { top: number[] } | undefined)?.top[0]).toBeGreaterThan(0);
    expect(hessianResults?.stages).toEqual({
      planned: ['eigenvalues', 'trace', 'density'],
      done: ['eigenvalues', 'trace', 'density'],
    });
    store.close();
  });
});
