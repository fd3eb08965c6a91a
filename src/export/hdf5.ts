/**
 * Li et al.'s HDF5 surface files, written and read with h5wasm (HDF5 compiled to WebAssembly).
 * Layout: `xcoordinates`, `ycoordinates` (2-D only), `train_loss` and `train_acc` (percent, as Li's
 * evaluation returns it). Li fills its array in numpy meshgrid order (y slow, x fast) whatever its
 * declared shape, and plots it against meshgrid(x, y); so Saddle writes shape (ny, nx) holding
 * Z[y][x], which is Li's file exactly for square grids, and reads any file in that flat order.
 */
import { readFileSync } from 'node:fs';
import h5wasm, { type File as H5File } from 'h5wasm/node';
import { FileFormatError } from '../formats/errors';
import { produceFileAtomic } from '../util/atomic-write';
import { mainGrid, type RunData } from './run-data';

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

function hdf5Reason(e: unknown): string {
  const lines = String((e as Error)?.message ?? e).match(/in \w+\(\): [^\n]+/g);
  return lines ? (lines[lines.length - 1].split('(): ')[1] ?? lines[lines.length - 1]) : String(e);
}
const SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];

export async function writeLiH5(data: RunData, path: string): Promise<void> {
  const g = mainGrid(data, 'HDF5');
  if (!g.complete)
    throw new Error(`Run ${data.run.id.slice(0, 8)} is ${data.run.state} with points missing; resume it first.`);
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

export async function readLiH5(path: string): Promise<LiSurface> {
  let head: Uint8Array;
  try {
    head = readFileSync(path).subarray(0, 8);
  } catch (e) {
    throw new FileFormatError(path, READER, 'io', `the file cannot be opened (${(e as NodeJS.ErrnoException).code})`);
  }
  if (head.length < 8 || SIGNATURE.some((b, k) => head[k] !== b))
    throw new FileFormatError(path, READER, 'not-a-model', 'the file does not start with the HDF5 signature');
  await hdf5();
  let f: H5File;
  try {
    f = new h5wasm.File(path, 'r');
  } catch (e) {
    throw new FileFormatError(path, READER, 'corrupt', `HDF5 cannot open the file: ${hdf5Reason(e)}`);
  }
  try {
    const read = (name: string, required: boolean): Float64Array | null => {
      let ds: ReturnType<H5File['get']>;
      try {
        ds = f.get(name);
      } catch (e) {
        throw new FileFormatError(path, READER, 'corrupt', `'${name}' cannot be opened: ${hdf5Reason(e)}`);
      }
      if (!ds) {
        if (required)
          throw new FileFormatError(
            path,
            READER,
            'mismatch',
            `there is no '${name}' dataset (keys: ${f.keys().join(', ')})`,
          );
        return null;
      }
      if (!(ds instanceof h5wasm.Dataset))
        throw new FileFormatError(path, READER, 'mismatch', `'${name}' is a group, not a dataset`);
      let value: unknown;
      try {
        value = ds.value;
      } catch (e) {
        throw new FileFormatError(path, READER, 'corrupt', `'${name}' cannot be read: ${hdf5Reason(e)}`);
      }
      if (!ArrayBuffer.isView(value) || value instanceof DataView || typeof (value as Float64Array)[0] === 'bigint')
        throw new FileFormatError(path, READER, 'mismatch', `'${name}' is not an array of floating-point numbers`);
      return Float64Array.from(value as Float64Array);
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
  } finally {
    f.close();
  }
}
