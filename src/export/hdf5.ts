/**
 * Li et al.'s HDF5 surface files, written and read with h5wasm (HDF5 compiled to WebAssembly).
 * Layout: `xcoordinates`, `ycoordinates` (2-D only), `train_loss` and `train_acc` (percent, as Li's
 * evaluation returns it). Li fills its array in numpy meshgrid order (y slow, x fast) whatever its
 * declared shape, and plots it against meshgrid(x, y); so Saddle writes shape (ny, nx) holding
 * Z[y][x], which is Li's file exactly for square grids, and reads any file in that flat order.
 */
import { readFileSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import h5wasm from 'h5wasm/node';
import { FileFormatError } from '../formats/errors';
import { produceFileAtomic } from '../util/atomic-write';
import { completeGrid, type RunData } from './run-data';

const READER = 'HDF5 surface (Li et al.)';

/**
 * h5wasm, with HDF5 errors thrown as JS exceptions instead of printed to stderr. The deepest line of
 * HDF5's error stack says what is wrong ("truncated file: eof = 3413, ..."): that is what we show.
 */
async function hdf5() {
  const module = await h5wasm.ready;
  module.activate_throwing_error_handler();
  return h5wasm;
}

/** From an Error or, from the reading worker, its message. */
function hdf5Reason(e: unknown): string {
  const lines = String((e as Error)?.message ?? e).match(/in \w+\(\): [^\n]+/g);
  return lines ? (lines[lines.length - 1].split('(): ')[1] ?? lines[lines.length - 1]) : String(e);
}
const SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];
/** 10⁸ points: a 10,000 × 10,000 surface, far beyond any landscape anyone computes. */
const MAX_VALUES = 1e8;

export async function writeLiH5(data: RunData, path: string): Promise<void> {
  const g = completeGrid(data, 'HDF5', false);
  await hdf5();
  const nx = g.x.length;
  const ny = g.y?.length ?? 1;
  const yMajor = (v: Float64Array) => {
    const out = new Float64Array(nx * ny);
    for (let i = 0; i < nx; i++) for (let j = 0; j < ny; j++) out[j * nx + i] = v[i * ny + j];
    return out;
  };
  const shape = g.y ? [ny, nx] : [nx];
  await produceFileAtomic(path, (tmp) => {
    const f = new h5wasm.File(tmp, 'w');
    try {
      f.create_dataset({ name: 'xcoordinates', data: Float64Array.from(g.x) });
      if (g.y) f.create_dataset({ name: 'ycoordinates', data: Float64Array.from(g.y) });
      f.create_dataset({ name: 'train_loss', data: yMajor(g.loss), shape });
      if (g.accuracy) f.create_dataset({ name: 'train_acc', data: yMajor(g.accuracy).map((a) => 100 * a), shape });
      f.create_attribute('saddle_run', data.run.id);
      f.create_attribute('saddle_version', data.run.version);
    } finally {
      f.close();
    }
  });
}

export interface LiSurface {
  x: number[];
  y: number[] | null;
  /** x-major, NaN where Li left -1 (never computed). */
  loss: Float64Array;
  accuracy: Float64Array | null;
  missing: number;
}

/**
 * HDF5 is a C library; compiled to WebAssembly it is memory-safe, but a hostile file can still make
 * it abort or corrupt its own heap, and every later call in that instance would fail. So reading a
 * user's file happens in a short-lived worker with its own instance, and returns only plain arrays.
 */
// Dynamic imports only: the Electron build would take a require call for CommonJS and shim the bundle.
const READ_IN_WORKER = `
(async () => {
  const { parentPort, workerData } = await import('node:worker_threads');
  const h5wasm = (await import(workerData.module)).default;
  const Module = await h5wasm.ready;
  Module.activate_throwing_error_handler();
  const f = new h5wasm.File(workerData.path, 'r');
  const datasets = {};
  let keys = [];
  try {
    for (const name of workerData.names) {
      const ds = f.get(name);
      if (!ds) { datasets[name] = null; continue; }
      if (!(ds instanceof h5wasm.Dataset)) { datasets[name] = { group: true }; continue; }
      const shape = ds.shape || [];
      const count = shape.reduce((a, b) => a * b, 1);
      if (!(count <= workerData.max)) { datasets[name] = { count }; continue; }
      const v = ds.value;
      const numeric = ArrayBuffer.isView(v) && !(v instanceof DataView) && typeof v[0] !== 'bigint';
      datasets[name] = { count, values: numeric ? Float64Array.from(v) : null };
    }
    keys = f.keys();
  } finally {
    try { f.close(); } catch {}
  }
  parentPort.postMessage({ datasets, keys });
})().catch(async (e) => {
  const { parentPort } = await import('node:worker_threads');
  parentPort.postMessage({ error: String((e && e.message) || e) });
});
`;

type RawDataset = null | { group: true } | { count: number; values?: Float64Array | null };

function readInWorker(
  path: string,
  names: string[],
): Promise<{ datasets: Record<string, RawDataset>; keys: string[] }> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(READ_IN_WORKER, {
      eval: true,
      workerData: { module: import.meta.resolve('h5wasm/node'), path, names, max: MAX_VALUES },
    });
    const fail = (why: string) => reject(new FileFormatError(path, READER, 'corrupt', why));
    const timer = setTimeout(() => {
      void worker.terminate();
      fail(`HDF5 did not finish reading it in ${READ_TIMEOUT_MS / 1000} s`);
    }, READ_TIMEOUT_MS);
    worker.once('message', (m: { error?: string; datasets: Record<string, RawDataset>; keys: string[] }) => {
      clearTimeout(timer);
      void worker.terminate();
      if (m.error !== undefined) fail(`HDF5 cannot read the file: ${hdf5Reason(m.error)}`);
      else resolve(m);
    });
    // An abort or a trap inside HDF5 (a corrupt file can cause either) ends the worker, not Saddle.
    worker.once('error', (e) => {
      clearTimeout(timer);
      fail(`HDF5 failed on the file (${e.message.split('\n')[0]})`);
    });
    worker.once('exit', () => {
      clearTimeout(timer);
      fail('HDF5 stopped while reading the file');
    });
  });
}

const READ_TIMEOUT_MS = 30_000;

export async function readLiH5(path: string): Promise<LiSurface> {
  let head: Uint8Array;
  try {
    head = readFileSync(path).subarray(0, 8);
  } catch (e) {
    throw new FileFormatError(path, READER, 'io', `the file cannot be opened (${(e as NodeJS.ErrnoException).code})`);
  }
  if (head.length < 8 || SIGNATURE.some((b, k) => head[k] !== b))
    throw new FileFormatError(path, READER, 'not-a-model', 'the file does not start with the HDF5 signature');
  const raw = await readInWorker(path, ['xcoordinates', 'ycoordinates', 'train_loss', 'train_acc']);
  const read = (name: string, required: boolean): Float64Array | null => {
    const ds = raw.datasets[name];
    if (!ds) {
      if (!required) return null;
      throw new FileFormatError(
        path,
        READER,
        'mismatch',
        `there is no '${name}' dataset (keys: ${raw.keys.join(', ')})`,
      );
    }
    if ('group' in ds) throw new FileFormatError(path, READER, 'mismatch', `'${name}' is a group, not a dataset`);
    if (ds.values === undefined)
      throw new FileFormatError(
        path,
        READER,
        'unsupported',
        `'${name}' declares ${ds.count} values, over the ${MAX_VALUES} a surface may have`,
      );
    if (ds.values === null)
      throw new FileFormatError(path, READER, 'mismatch', `'${name}' is not an array of floating-point numbers`);
    return ds.values;
  };
  const x = read('xcoordinates', true) as Float64Array;
  const y = read('ycoordinates', false);
  const lossFlat = read('train_loss', true) as Float64Array;
  const accFlat = read('train_acc', false);
  const nx = x.length;
  const ny = y?.length ?? 1;
  for (const [name, arr] of [
    ['train_loss', lossFlat],
    ['train_acc', accFlat],
  ] as const)
    if (arr && arr.length !== nx * ny)
      throw new FileFormatError(
        path,
        READER,
        'mismatch',
        `'${name}' has ${arr.length} values; ${nx} x-coordinates × ${ny} y-coordinates need ${nx * ny}`,
      );
  // Li marks points not yet computed with -1.
  let missing = 0;
  const xMajor = (v: Float64Array, scale: number) => {
    const out = new Float64Array(nx * ny);
    for (let j = 0; j < ny; j++)
      for (let i = 0; i < nx; i++) {
        const value = v[j * nx + i];
        out[i * ny + j] = value === -1 || !Number.isFinite(value) ? Number.NaN : value * scale;
      }
    return out;
  };
  const loss = xMajor(lossFlat, 1);
  for (const v of loss) if (Number.isNaN(v)) missing++;
  return {
    x: Array.from(x),
    y: y ? Array.from(y) : null,
    loss,
    accuracy: accFlat ? xMajor(accFlat, 0.01) : null,
    missing,
  };
}
