/**
 * `npm run bench`: Saddle's forward+loss, gradient and one H·v over 256 samples against PyTorch on
 * the CPU with the same model, data, batch size and thread count, in the same run; a 21×21 landscape
 * of each model; the top-5 eigenvalues against PyTorch; and the peak RSS of `saddle hessian --top-k 5`
 * on a 25M-parameter model (torchvision's ResNet-50 at 32×32 inputs, exported by PyTorch).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { evaluateGrid, linspace } from '../src/analysis/landscape';
import { analyzeHessian } from '../src/analysis/spectrum';
import type { Dataset } from '../src/data/dataset';
import { loadNativeKernels } from '../src/evaluator/native';
import { Objective } from '../src/evaluator/objective';
import { createEvaluator } from '../src/evaluator/parallel';
import { loadOnnxFile } from '../src/model/open';
import { packageRoot } from '../src/resources';
import { Rng } from '../src/util/rng';

const PYTHON = '/usr/bin/python3';
const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 256);
const BATCH = Number(process.env.BENCH_BATCH ?? 128);
const REPS = Number(process.env.BENCH_REPS ?? 3);
const THREADS = Number(process.env.BENCH_THREADS ?? availableParallelism());

const MODELS: Record<string, number[]> = { resnet20: [3, 32, 32], transformer: [32, 64] };
/** Sections to run: BENCH_ONLY=calls,eigen,grid,rss (all by default). */
const ONLY = new Set((process.env.BENCH_ONLY ?? 'calls,eigen,grid,rss').split(','));

/** The bench's synthetic data: deterministic inputs and cyclic labels, identical in Saddle and PyTorch. */
function benchData(n: number, shape: number[]): { data: Dataset; inputs: Float32Array } {
  const per = shape.reduce((a, b) => a * b, 1);
  const inputs = Float32Array.from({ length: n * per }, (_v, i) => Math.sin(0.37 * i + 0.11) * 1.2);
  const data: Dataset = {
    inputs: { shape: [n, ...shape], data: inputs },
    targets: { shape: [n], data: Float32Array.from({ length: n }, (_v, i) => i % 10), kind: 'indices' },
    source: 'bench',
  };
  return { data, inputs };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function time(fn: () => Promise<unknown>, reps: number): Promise<number> {
  await fn(); // warm-up: compiles the plan
  const ts: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t = performance.now();
    await fn();
    ts.push((performance.now() - t) / 1000);
  }
  return median(ts);
}

function hasTorch(): boolean {
  return existsSync(PYTHON) && spawnSync(PYTHON, ['-c', 'import torch'], { encoding: 'utf8' }).status === 0;
}

async function main(): Promise<void> {
  const root = packageRoot();
  const torchOk = hasTorch();
  const dir = mkdtempSync(join(tmpdir(), 'saddle-bench-'));
  const isa = loadNativeKernels();
  console.log(
    `Saddle bench: ${SAMPLES} samples, batch ${BATCH}, ${THREADS} thread(s), median of ${REPS}; kernels: ` +
      (isa
        ? `native (${isa})`
        : 'WebAssembly SIMD (no native build: npm run build:native; SADDLE_NATIVE=0 forces this)'),
  );
  if (!torchOk) console.log(`(no PyTorch at ${PYTHON}: printing Saddle's times only)`);
  const rows: string[][] = [];
  const flopNotes: string[] = [];
  for (const [name, shape] of Object.entries(MODELS)) {
    if (!ONLY.has('calls')) break;
    const { data, inputs } = benchData(SAMPLES, shape);
    const model = await loadOnnxFile(join(root, 'fixtures', 'bench', `${name}.onnx`));
    const options = { loss: 'cross-entropy' as const, bn: 'eval' as const, batchSize: BATCH };
    const obj = createEvaluator(model, data, options, THREADS);
    const theta = obj.initialTheta();
    const v = Float32Array.from({ length: obj.size }, (_x, j) => Math.sin(0.7 * j + 0.3));
    const ours = {
      forward: await time(() => obj.evaluate(theta), REPS),
      gradient: await time(() => obj.gradient(theta), REPS),
      hvp: await time(() => obj.hvp(theta, v), REPS),
    };
    await obj.close();
    const flops = await new Objective(model, data, options).flops(SAMPLES);
    let theirs: Record<string, number> | null = null;
    if (torchOk) {
      const bin = join(dir, `${name}.bin`);
      writeFileSync(bin, Buffer.from(inputs.buffer));
      const r = spawnSync(
        PYTHON,
        [
          join(root, 'scripts', 'bench_torch.py'),
          name,
          bin,
          String(SAMPLES),
          String(THREADS),
          String(BATCH),
          String(REPS),
        ],
        { encoding: 'utf8' },
      );
      if (r.status === 0) theirs = JSON.parse(r.stdout.trim().split('\n').pop() ?? '{}');
      else console.log(`PyTorch failed on ${name}: ${r.stderr.slice(-500)}`);
    }
    for (const key of ['forward', 'gradient', 'hvp'] as const) {
      const t = ours[key];
      const p = theirs?.[key];
      rows.push([
        name,
        key === 'forward' ? 'forward+loss' : key === 'hvp' ? 'H·v' : key,
        t.toFixed(3),
        p === undefined ? '-' : p.toFixed(3),
        p === undefined ? '-' : (t / p).toFixed(2),
        (flops[key] / t / 1e9).toFixed(2),
      ]);
    }
    console.log(`${name}: ${obj.size.toLocaleString('en-US')} parameters`);
    flopNotes.push(
      `${name}: one H·v is ${(flops.hvp / flops.forward).toFixed(2)} forward passes of FLOPs ` +
        `(${(flops.hvp / flops.gradient).toFixed(2)} gradients; a gradient is ${(flops.gradient / flops.forward).toFixed(2)} forward passes)`,
    );
  }
  if (ONLY.has('eigen')) await eigenBench(root, dir, torchOk);
  if (ONLY.has('grid')) for (const name of Object.keys(MODELS)) await gridBench(root, dir, torchOk, name);
  if (ONLY.has('rss')) rssBench(root, dir, torchOk);
  if (!rows.length) return;
  const head = ['model', 'call', 'saddle s', 'pytorch s', 'ratio', 'saddle GFLOP/s'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const fmt = (r: string[]) => r.map((c, i) => (i < 2 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  console.log([fmt(head), ...rows.map(fmt)].join('\n'));
  console.log(flopNotes.join('\n'));
  console.log('Targets (ResNet-20): forward and gradient ≤ 1.5 × PyTorch, H·v ≤ 0.75 ×, landscape ≤ 1.0 ×.');
}

/**
 * Peak RSS of `saddle hessian --top-k 5` on a 25M-parameter model: ResNet-50 exported by PyTorch
 * (scripts/bench_rss_model.py) at a small input size, run by the CLI in a child process so the RSS is
 * its own (worker threads included).
 */
function rssBench(root: string, dir: string, torchOk: boolean): void {
  if (!torchOk) {
    console.log('(peak RSS of the 25M-parameter model skipped: it is exported by PyTorch)');
    return;
  }
  const samples = process.env.BENCH_RSS_SAMPLES ?? '8';
  const size = process.env.BENCH_RSS_SIZE ?? '32';
  const made = spawnSync(PYTHON, [join(root, 'scripts', 'bench_rss_model.py'), dir, samples, size], {
    encoding: 'utf8',
  });
  if (made.status !== 0) {
    console.log(`The ResNet-50 export failed: ${made.stderr.slice(-400)}`);
    return;
  }
  const params = Number(made.stdout.trim().split('\n').pop());
  const args = [
    join(root, 'bin', 'saddle.mjs'),
    'hessian',
    join(dir, 'resnet50.onnx'),
    '--data',
    join(dir, 'data.npz'),
  ];
  args.push('--top-k', '5', '--batch-size', samples, '--threads', String(THREADS), '--json');
  // Lanczos steps are capped (BENCH_RSS_ITERATIONS, 30 by default) so the bench ends in minutes on a
  // CPU; the Krylov basis, and so the RSS, grows with the step count.
  const iterations = process.env.BENCH_RSS_ITERATIONS ?? '30';
  args.push('--iterations', iterations);
  // The child reports its own peak resident set when it exits.
  const probe = `process.on('exit',()=>process.stderr.write('\\nmaxrss '+process.resourceUsage().maxRSS+'\\n'));`;
  const t = performance.now();
  const r = spawnSync(process.execPath, ['--import', `data:text/javascript,${encodeURIComponent(probe)}`, ...args], {
    encoding: 'utf8',
    maxBuffer: 1 << 28,
  });
  const seconds = (performance.now() - t) / 1000;
  const rss = Number(/maxrss (\d+)/.exec(r.stderr)?.[1] ?? Number.NaN) * 1024;
  if (r.status !== 0) {
    console.log(`saddle hessian on ResNet-50 failed: ${r.stderr.slice(-400)}`);
    return;
  }
  const out = JSON.parse(r.stdout) as {
    topEigenvalues?: number[];
    hvps?: number;
    lanczos?: { steps: number; basisBytes: number; basisStorage?: string; reorthogonalizations?: number };
  };
  const lz = out.lanczos;
  const basis = lz
    ? `, Krylov basis ${(lz.basisBytes / 2 ** 30).toFixed(2)} GiB ${lz.basisStorage === 'disk' ? `on disk (read ${lz.reorthogonalizations} times in ${lz.steps} steps)` : 'in memory'}`
    : '';
  console.log(
    `saddle hessian --top-k 5, ResNet-50 (${params.toLocaleString('en-US')} parameters, ${samples} samples of 3×${size}×${size}, ` +
      `${THREADS} thread(s), at most ${iterations} Lanczos steps): peak RSS ${(rss / 2 ** 30).toFixed(2)} GiB (target ≤ 4 GB)${basis}, ${out.hvps} H·v in ${seconds.toFixed(0)} s, ` +
      `top eigenvalues ${(out.topEigenvalues ?? []).map((x) => x.toPrecision(4)).join(' ')}\n`,
  );
}

/** Top-5 eigenvalues of the ResNet-20 case: Saddle's Lanczos against PyHessian-style power iteration and scipy's eigsh. */
async function eigenBench(root: string, dir: string, torchOk: boolean): Promise<void> {
  const n = Number(process.env.BENCH_EIG_SAMPLES ?? 64);
  const batch = Number(process.env.BENCH_EIG_BATCH ?? 32);
  const shape = MODELS.resnet20;
  const { data, inputs } = benchData(n, shape);
  const model = await loadOnnxFile(join(root, 'fixtures', 'bench', 'resnet20.onnx'));
  const ev = createEvaluator(model, data, { loss: 'cross-entropy', bn: 'eval', batchSize: batch }, THREADS);
  const t = performance.now();
  const r = await analyzeHessian(ev, ev.initialTheta(), { topK: 5, bottomK: 0, iterations: 200, tol: 1e-3 });
  const ours = { seconds: (performance.now() - t) / 1000, hvps: r.hvps, eigenvalues: r.topEigenvalues ?? [] };
  await ev.close();
  const rows: string[][] = [
    [
      'saddle lanczos',
      ours.seconds.toFixed(1),
      String(ours.hvps),
      ours.eigenvalues.map((x) => x.toPrecision(5)).join(' '),
    ],
  ];
  if (torchOk) {
    const bin = join(dir, 'eig.bin');
    writeFileSync(bin, Buffer.from(inputs.buffer));
    const p = spawnSync(
      PYTHON,
      [join(root, 'scripts', 'bench_torch_eigs.py'), 'resnet20', bin, String(n), String(THREADS), String(batch)],
      { encoding: 'utf8' },
    );
    if (p.status === 0) {
      const theirs = JSON.parse(p.stdout.trim().split('\n').pop() ?? '{}') as Record<
        string,
        { seconds: number; hvps: number; eigenvalues: number[] }
      >;
      for (const [k, label] of [
        ['power', 'pytorch power iteration'],
        ['eigsh', 'pytorch + scipy eigsh'],
      ] as const) {
        const e = theirs[k];
        rows.push([label, e.seconds.toFixed(1), String(e.hvps), e.eigenvalues.map((x) => x.toPrecision(5)).join(' ')]);
      }
    } else console.log(`PyTorch eigen bench failed: ${p.stderr.slice(-400)}`);
  }
  console.log(
    `\nTop-5 Hessian eigenvalues, resnet20, ${n} samples, batch ${batch}, ${THREADS} thread(s), tolerance 1e-3:`,
  );
  const w = [24, 9, 6];
  console.log(`${'method'.padEnd(w[0])}${'seconds'.padStart(w[1])}${'H·v'.padStart(w[2])}  eigenvalues`);
  for (const r of rows) console.log(`${r[0].padEnd(w[0])}${r[1].padStart(w[1])}${r[2].padStart(w[2])}  ${r[3]}`);
  console.log('');
}

/** A 21×21 landscape of a bench model: Saddle's grid against the same loop in PyTorch. */
async function gridBench(root: string, dir: string, torchOk: boolean, name: string): Promise<void> {
  const n = Number(process.env.BENCH_GRID_SAMPLES ?? 32);
  const steps = Number(process.env.BENCH_GRID_STEPS ?? 21);
  const shape = MODELS[name];
  const { data, inputs } = benchData(n, shape);
  const model = await loadOnnxFile(join(root, 'fixtures', 'bench', `${name}.onnx`));
  const batch = Math.max(1, Math.ceil(n / THREADS));
  const ev = createEvaluator(model, data, { loss: 'cross-entropy', bn: 'eval', batchSize: batch }, THREADS);
  const theta = ev.initialTheta();
  const rng = new Rng(0);
  const d1 = rng.gaussianVector(ev.size);
  const d2 = rng.gaussianVector(ev.size);
  const coords = linspace('-1:1', steps);
  await ev.evaluate(theta); // compile
  const t = performance.now();
  await evaluateGrid(ev, theta, d1, d2, { x: coords, y: coords });
  const ours = (performance.now() - t) / 1000;
  await ev.close();
  let theirs: number | null = null;
  if (torchOk) {
    const bin = join(dir, 'grid.bin');
    writeFileSync(bin, Buffer.from(inputs.buffer));
    const p = spawnSync(
      PYTHON,
      [
        join(root, 'scripts', 'bench_torch_grid.py'),
        name,
        bin,
        String(n),
        String(THREADS),
        String(batch),
        String(steps),
      ],
      { encoding: 'utf8' },
    );
    if (p.status === 0) theirs = JSON.parse(p.stdout.trim().split('\n').pop() ?? '{}').seconds;
    else console.log(`PyTorch grid bench failed: ${p.stderr.slice(-400)}`);
  }
  console.log(
    `${steps}×${steps} landscape, ${name}, ${n} samples, batch ${batch}, ${THREADS} thread(s): saddle ${ours.toFixed(1)} s` +
      (theirs === null ? '' : `, pytorch ${theirs.toFixed(1)} s, ratio ${(ours / theirs).toFixed(2)}`) +
      '\n',
  );
}

await main();
