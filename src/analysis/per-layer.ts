/**
 * Curvature of each parameter tensor and each module (tensors sharing a name prefix): the top
 * eigenvalue and the trace of the diagonal Hessian block H_BB, through M·H·M·v with M the 0/1 mask
 * of the block (LLA's block product M·H·v is not symmetric; this is).
 */
import { Rng } from '../util/rng';
import { lanczos, type MatVec, throwIfAborted } from './lanczos';
import { dot } from './vec';

export interface Block {
  name: string;
  /** [offset, size] ranges of the flat parameter vector. */
  ranges: Array<[number, number]>;
}

export interface BlockCurvature {
  name: string;
  kind: 'tensor' | 'module';
  size: number;
  topEigenvalue: number;
  trace: number;
  traceStderr: number;
  matvecs: number;
}

export interface PerLayerOptions {
  steps: number;
  probes: number;
  /** Blocks up to this size get an exact trace from unit vectors. */
  exactTraceUpTo: number;
  seed: number;
  signal?: AbortSignal;
  onBlock?: (done: number, total: number, name: string) => void;
}

/** One block per tensor, plus one per module prefix that holds more than one tensor. */
export function blocksOf(
  params: Array<{ name: string; offset: number; size: number }>,
): Array<Block & { kind: 'tensor' | 'module' }> {
  const tensors = params.map((p) => ({
    name: p.name,
    kind: 'tensor' as const,
    ranges: [[p.offset, p.size]] as Array<[number, number]>,
  }));
  const modules = new Map<string, Array<[number, number]>>();
  for (const p of params) {
    const dot = p.name.lastIndexOf('.');
    if (dot <= 0) continue;
    const prefix = p.name.slice(0, dot);
    modules.set(prefix, [...(modules.get(prefix) ?? []), [p.offset, p.size]]);
  }
  const grouped = [...modules.entries()]
    .filter(([, r]) => r.length > 1)
    .map(([name, ranges]) => ({ name, kind: 'module' as const, ranges }));
  return [...tensors, ...grouped];
}

async function blockCurvature(
  matvec: MatVec,
  P: number,
  block: Block,
  opts: PerLayerOptions,
  rng: Rng,
  traceKnown: { trace: number; stderr: number } | null,
) {
  const n = block.ranges.reduce((a, [, s]) => a + s, 0);
  const embed = (u: ArrayLike<number>) => {
    const v = new Float64Array(P);
    let k = 0;
    for (const [off, s] of block.ranges) for (let i = 0; i < s; i++) v[off + i] = u[k++];
    return v;
  };
  const restrict = (v: Float64Array) => {
    const u = new Float64Array(n);
    let k = 0;
    for (const [off, s] of block.ranges) for (let i = 0; i < s; i++) u[k++] = v[off + i];
    return u;
  };
  const blockMatvec: MatVec = async (u) => restrict(await matvec(embed(u)));
  const lz = await lanczos(blockMatvec, rng.gaussianVector(n), { steps: Math.min(opts.steps, n), signal: opts.signal });
  let matvecs = lz.matvecs;
  let trace = 0;
  let traceStderr = 0;
  if (traceKnown) {
    // A module's block trace is the sum of its tensors' block traces: no estimate needed.
    trace = traceKnown.trace;
    traceStderr = traceKnown.stderr;
  } else if (n <= opts.exactTraceUpTo) {
    for (let i = 0; i < n; i++) {
      throwIfAborted(opts.signal);
      const e = new Float64Array(n);
      e[i] = 1;
      trace += (await blockMatvec(e))[i];
      matvecs++;
    }
  } else {
    const xs: number[] = [];
    for (let t = 0; t < opts.probes; t++) {
      throwIfAborted(opts.signal);
      const z = rng.rademacherVector(n);
      xs.push(dot(z, await blockMatvec(z)));
      matvecs++;
    }
    trace = xs.reduce((a, b) => a + b, 0) / xs.length;
    traceStderr = Math.sqrt(xs.reduce((a, x) => a + (x - trace) ** 2, 0) / Math.max(1, xs.length - 1) / xs.length);
  }
  return { size: n, topEigenvalue: lz.eig.values[lz.eig.values.length - 1], trace, traceStderr, matvecs };
}

export async function perLayerCurvature(
  matvec: MatVec,
  P: number,
  params: Array<{ name: string; offset: number; size: number }>,
  opts: PerLayerOptions,
): Promise<BlockCurvature[]> {
  const rng = new Rng(opts.seed);
  const blocks = blocksOf(params);
  const out: BlockCurvature[] = [];
  const byOffset = new Map<number, BlockCurvature>();
  for (const [i, b] of blocks.entries()) {
    opts.onBlock?.(i, blocks.length, b.name);
    let known: { trace: number; stderr: number } | null = null;
    if (b.kind === 'module') {
      const parts = b.ranges.map(([off]) => byOffset.get(off) as BlockCurvature);
      known = {
        trace: parts.reduce((a, p) => a + p.trace, 0),
        stderr: Math.sqrt(parts.reduce((a, p) => a + p.traceStderr ** 2, 0)),
      };
    }
    const result: BlockCurvature = {
      name: b.name,
      kind: b.kind,
      ...(await blockCurvature(matvec, P, b, opts, rng, known)),
    };
    if (b.kind === 'tensor') byOffset.set(b.ranges[0][0], result);
    out.push(result);
  }
  opts.onBlock?.(blocks.length, blocks.length, '');
  return out;
}
