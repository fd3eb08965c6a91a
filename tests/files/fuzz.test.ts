/**
 * Fuzzing the readers: seeded mutations (byte flips, truncations, zero runs, random splices) of each
 * format's fixtures. Every case must end in a result or a FileFormatError within 2 s, with no other
 * exception and no allocation beyond a small multiple of the file size. SADDLE_FUZZ=N runs N per format
 * (slow readers a share of N unless SADDLE_FUZZ_FULL=1).
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readLiH5 } from '../../src/export/hdf5';
import { openCheckpoint } from '../../src/formats/checkpoint';
import { FileFormatError, UnsupportedError } from '../../src/formats/errors';
import { readNpz } from '../../src/formats/numpy';
import { tensorValues } from '../../src/formats/onnx/tensor-data';
import { loadOnnxFile } from '../../src/model/open';
import { summarizeOnnx } from '../../src/model/summary';
import { mergeRuns } from '../../src/store/merge';
import { RunStore } from '../../src/store/store';
import { Rng } from '../../src/util/rng';
import { fixture } from '../helpers';

const PER_FORMAT = Number(process.env.SADDLE_FUZZ ?? 500);
/** SADDLE_FUZZ_FULL=1: every reader runs PER_FORMAT cases, the slow ones too (the long local run). */
const FULL = process.env.SADDLE_FUZZ_FULL === '1';
const dir = mkdtempSync(join(tmpdir(), 'saddle-fuzz-'));

function mutate(src: Uint8Array, rng: Rng): Uint8Array {
  const b = src.slice();
  const kind = rng.nextU32() % 5;
  const at = rng.nextU32() % Math.max(1, b.length);
  if (kind === 0) {
    for (let k = 0; k < 1 + (rng.nextU32() % 8); k++) b[rng.nextU32() % b.length] ^= 1 << (rng.nextU32() % 8);
    return b;
  }
  if (kind === 1) return b.subarray(0, at);
  if (kind === 2) {
    b.fill(0, at, Math.min(b.length, at + 1 + (rng.nextU32() % 64)));
    return b;
  }
  if (kind === 3) {
    for (let k = 0; k < 4; k++) b[(at + k) % b.length] = 0xff;
    return b;
  }
  const other = rng.nextU32() % Math.max(1, b.length);
  const len = rng.nextU32() % 32;
  b.copyWithin(at, other, other + len);
  return b;
}

/** Open a checkpoint and read every tensor in it. */
function readCheckpoint(path: string): void {
  const c = openCheckpoint(path);
  try {
    for (const t of c.tensors.values()) t.read();
  } finally {
    c.close();
  }
}

/** `share`: the fraction of PER_FORMAT a reader runs (HDF5 reads each file in a fresh worker: about 0.25 s). */
const readers: Record<string, { file: string; open: (path: string, bytes: Uint8Array) => unknown; share?: number }> = {
  'PyTorch zip': {
    file: fixture('files', 'cnn_bn-zip.pt'),
    open: readCheckpoint,
  },
  'PyTorch legacy': {
    file: fixture('files', 'cnn_bn-legacy.pt'),
    open: readCheckpoint,
  },
  safetensors: {
    file: fixture('files', 'cnn_bn-bf16.safetensors'),
    open: readCheckpoint,
  },
  npz: { file: fixture('engine', 'mlp_tanh-data.npz'), open: (path, bytes) => void readNpz(bytes, path) },
  'Li HDF5 surface': { file: fixture('li', 'surface_5x3.h5'), open: (path) => readLiH5(path), share: 0.1 },
  'runs database': {
    file: fixture('store', 'v1.db'),
    open: async (path) => {
      const target = new RunStore(':memory:');
      try {
        await mergeRuns(target, path);
      } finally {
        target.close();
      }
    },
  },
  ONNX: {
    file: fixture('engine', 'mlp_tanh.onnx'),
    // Through the file opener, so the sniff and the framing check are fuzzed along with the decoder.
    open: async (path) => {
      const m = await loadOnnxFile(path);
      summarizeOnnx(m);
      for (const t of m.graph.initializers.values()) tensorValues(t, path);
    },
  },
};

describe('reader fuzzing', () => {
  it.each(Object.keys(readers))(
    '%s: every mutation ends in a result or a typed error',
    async (name) => {
      const { file, open, share = 1 } = readers[name];
      const cases = Math.ceil(PER_FORMAT * (FULL ? 1 : share));
      const original = new Uint8Array(readFileSync(file));
      const rng = new Rng(1234);
      const path = join(dir, `${name.replace(/\W/g, '_')}.bin`);
      const failures: string[] = [];
      let typed = 0;
      for (let k = 0; k < cases; k++) {
        const bytes = mutate(original, rng);
        writeFileSync(path, bytes);
        const heapBefore = process.memoryUsage().arrayBuffers;
        const t0 = performance.now();
        try {
          await open(path, bytes);
        } catch (e) {
          if (e instanceof FileFormatError || e instanceof UnsupportedError) typed++;
          else failures.push(`mutation ${k}: ${(e as Error).name}: ${(e as Error).message}`);
        }
        const ms = performance.now() - t0;
        if (ms > 2000) failures.push(`mutation ${k} took ${ms.toFixed(0)} ms`);
        const grew = process.memoryUsage().arrayBuffers - heapBefore;
        if (grew > 64 * original.length + 2 ** 24) failures.push(`mutation ${k} allocated ${grew} bytes`);
      }
      expect(failures.slice(0, 10)).toEqual([]);
      expect(typed).toBeGreaterThan(cases / 10);
    },
    Math.max(600_000, PER_FORMAT * 1000),
  );
});
