/**
 * The GPU bench (scripts/bench-gpu.sh runs it on an NVIDIA machine): forward+loss, gradient and H·v
 * of Saddle on WebGPU against PyTorch on CUDA, same model, data and batch size, in the same run,
 * then Saddle's top-5 Hessian eigenvalues of ResNet-20 on the GPU and their time.
 * Cases: ResNet-20 (CIFAR, the bench fixture's weights on both sides) × 1,024 images, and
 * torchvision's resnet18 at 224×224 × 64 images (the engine fixture's ONNX graph; PyTorch times its
 * own resnet18, as weights do not change the time).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyzeHessian } from '../src/analysis/spectrum';
import type { Dataset } from '../src/data/dataset';
import { selectBackendWithNotice } from '../src/engine/backends';
import { Objective } from '../src/evaluator/objective';
import { createEvaluator } from '../src/evaluator/parallel';
import { loadOnnxFile } from '../src/model/open';

const ROOT = process.env.SADDLE_RESOURCES ?? process.cwd();
const PYTHON = process.env.BENCH_PYTHON ?? 'python3';
const REPS = Number(process.env.BENCH_REPS ?? 3);
const SCALE = Number(process.env.BENCH_SCALE ?? 1); // < 1 shrinks the cases (a software adapter's smoke test)
/** Lanczos steps of the eigenvalue part (fewer for a smoke test), and the cases to run (comma-separated names). */
const ITERATIONS = Number(process.env.BENCH_ITERATIONS ?? 100);
const ONLY = process.env.BENCH_ONLY?.split(',') ?? null;

const CASES = [
  { name: 'resnet20', file: 'fixtures/bench/resnet20.onnx', shape: [3, 32, 32], n: 1024, batch: 256 },
  { name: 'resnet18', file: 'fixtures/engine/resnet18.onnx', shape: [3, 224, 224], n: 64, batch: 32 },
];

function data(n: number, shape: number[]): { data: Dataset; inputs: Float32Array } {
  const per = shape.reduce((a, b) => a * b, 1);
  const inputs = Float32Array.from({ length: n * per }, (_v, i) => Math.sin(0.37 * i + 0.11) * 1.2);
  return {
    inputs,
    data: {
      inputs: { shape: [n, ...shape], data: inputs },
      targets: { shape: [n], data: Float32Array.from({ length: n }, (_v, i) => i % 10), kind: 'indices' },
      source: 'bench',
    },
  };
}

async function time(fn: () => Promise<unknown>): Promise<number> {
  await fn();
  const ts: number[] = [];
  for (let i = 0; i < REPS; i++) {
    const t = performance.now();
    await fn();
    ts.push((performance.now() - t) / 1000);
  }
  return ts.sort((a, b) => a - b)[Math.floor(ts.length / 2)];
}

async function main(): Promise<void> {
  const { backend, notice } = await selectBackendWithNotice(process.env.BENCH_ALLOW_SOFTWARE ? 'webgpu' : 'auto');
  // The reason matters on a machine reached once: which API was tried and what it said.
  if (backend.name !== 'webgpu') throw new Error(`No hardware GPU adapter (${notice}): the GPU bench needs one.`);
  console.log(`Saddle GPU bench on ${backend.description}, median of ${REPS}`);
  const dir = mkdtempSync(join(tmpdir(), 'saddle-gpu-bench-'));
  const rows: string[][] = [];
  for (const c of CASES.filter((k) => !ONLY || ONLY.includes(k.name))) {
    const n = Math.max(2, Math.round(c.n * SCALE));
    const batch = Math.max(1, Math.min(n, Math.round(c.batch * SCALE)));
    const model = await loadOnnxFile(join(ROOT, c.file));
    // The engine fixture declares 32×32; its graph (adaptive pooling) runs at any size.
    const input = model.graph.inputs.find((i) => !model.graph.initializers.has(i.name));
    if (input?.shape) input.shape = input.shape.map((d, i) => (i < 2 ? d : c.shape[i - 1]));
    const { data: ds, inputs } = data(n, c.shape);
    const obj = new Objective(model, ds, { loss: 'cross-entropy', bn: 'eval', batchSize: batch, backend });
    const theta = obj.initialTheta();
    const v = Float32Array.from({ length: obj.size }, (_x, j) => Math.sin(0.7 * j + 0.3));
    // H·v as Lanczos calls it: θ, v and the result on the device, one scalar read back (as
    // PyTorch's .item()) so the time covers the GPU's work.
    const ops = backend.vectors;
    if (!ops) throw new Error('The WebGPU backend has no vector kernels.');
    const [thetaD, vD] = [ops.zeros(obj.size), ops.zeros(obj.size)];
    thetaD.write(theta);
    vD.write(v);
    const ours = {
      forward: await time(() => obj.evaluate(theta)),
      gradient: await time(() => obj.gradient(theta)),
      hvp: await time(async () => {
        const hv = await obj.hvpOnDevice(thetaD, vD);
        await ops.dot(hv, hv);
        hv.dispose();
      }),
    };
    thetaD.dispose();
    vD.dispose();
    obj.dispose();
    const bin = join(dir, `${c.name}.bin`);
    writeFileSync(bin, Buffer.from(inputs.buffer));
    const r = spawnSync(
      PYTHON,
      [join(ROOT, 'scripts', 'bench_gpu_torch.py'), c.name, bin, String(n), String(batch), String(REPS)],
      { encoding: 'utf8' },
    );
    const theirs: Record<string, number> | null =
      r.status === 0 ? JSON.parse(r.stdout.trim().split('\n').pop() ?? '{}') : null;
    if (!theirs) console.log(`PyTorch failed on ${c.name}: ${(r.stderr ?? r.error?.message ?? '').slice(-600)}`);
    for (const key of ['forward', 'gradient', 'hvp'] as const) {
      const label = key === 'forward' ? 'forward+loss' : key === 'hvp' ? 'H·v' : key;
      const fmt = (x: number | undefined) => (x === undefined ? '-' : x.toFixed(4));
      const ratio = (p: number | undefined) => (p === undefined ? '-' : (ours[key] / p).toFixed(2));
      rows.push([
        `${c.name} ×${n}`,
        label,
        fmt(ours[key]),
        fmt(theirs?.[`${key}_tf32`]),
        ratio(theirs?.[`${key}_tf32`]),
        fmt(theirs?.[`${key}_fp32`]),
        ratio(theirs?.[`${key}_fp32`]),
      ]);
    }
    if (theirs) console.log(`${c.name}: PyTorch ${theirs.torch} on ${theirs.device}`);
  }
  const head = ['model', 'call', 'saddle-webgpu s', 'cuda tf32 s', 'ratio', 'cuda fp32 s', 'ratio'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const fmt = (r: string[]) => r.map((c, i) => (i < 2 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  console.log([fmt(head), ...rows.map(fmt)].join('\n'));

  const c = CASES[0];
  const n = Math.max(2, Math.round(c.n * SCALE));
  const model = await loadOnnxFile(join(ROOT, c.file));
  const ev = createEvaluator(
    model,
    data(n, c.shape).data,
    { loss: 'cross-entropy', bn: 'eval', batchSize: Math.min(n, c.batch), backend },
    1,
  );
  const t = performance.now();
  ev.resetDevicePeak();
  const rep = await analyzeHessian(ev, ev.initialTheta(), {
    topK: 5,
    bottomK: 0,
    iterations: ITERATIONS,
    tol: 1e-4,
  });
  const seconds = (performance.now() - t) / 1000;
  const peak = ev.deviceMemory()?.peak ?? 0;
  await ev.close();
  console.log(
    `\nTop-5 Hessian eigenvalues, resnet20 ×${n} on WebGPU: ${(rep.topEigenvalues ?? []).map((x) => x.toPrecision(6)).join(' ')} (${seconds.toFixed(1)} s, ${rep.hvps} H·v, Krylov basis on the device, ${(peak / 2 ** 20).toFixed(1)} MiB of GPU memory at most)`,
  );
  backend.dispose();
}

await main();
