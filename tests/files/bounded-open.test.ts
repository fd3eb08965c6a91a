/**
 * A wrong file opened as a model or data set is refused from its first bytes, not read whole: the
 * 1.9 GB files here are sparse (cheap to make) and the reader's peak memory is measured.
 */
import { closeSync, mkdtempSync, openSync, rmSync, truncateSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadDataset } from '../../src/data/load';
import { openModelFile } from '../../src/model/open';

const dir = mkdtempSync(join(tmpdir(), 'saddle-bounded-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SIZE = 1.9e9;

/** A sparse file of SIZE bytes that starts with `head`. */
function bigFile(name: string, head: Uint8Array): string {
  const path = join(dir, name);
  const fd = openSync(path, 'w');
  writeSync(fd, head);
  closeSync(fd);
  truncateSync(path, SIZE);
  return path;
}

/** The error `open` throws, how long it took, and how far it raised this process's peak memory. */
async function refusal(open: () => Promise<unknown>) {
  const peakBefore = process.resourceUsage().maxRSS * 1024;
  const start = performance.now();
  const error = await open().then(
    () => null,
    (e: Error) => e,
  );
  return {
    error,
    seconds: (performance.now() - start) / 1000,
    peakRise: process.resourceUsage().maxRSS * 1024 - peakBefore,
  };
}

const text = new TextEncoder();

describe('opening a large file that is not what it should be', () => {
  const cases: Array<[string, Uint8Array, RegExp]> = [
    ['zeros.onnx', new Uint8Array(16), /field number 0; this is not an ONNX model/],
    [
      'movie.onnx',
      text.encode('a movie subtitle, or any text: '.repeat(20)),
      /at byte \d+ .*; this is not an ONNX model/,
    ],
    ['video.onnx', Uint8Array.from([0x1a, 0x45, 0xdf, 0xa3, 0x01, 0, 0, 0]), /not an ONNX model/],
  ];
  for (const [name, head, message] of cases) {
    it(`refuses a 1.9 GB ${name} as a model within a second and 200 MB`, async () => {
      const r = await refusal(() => openModelFile(bigFile(name, head)));
      expect(r.error?.message).toMatch(message);
      expect(r.error?.message).toContain(name);
      expect(r.seconds).toBeLessThan(1);
      expect(r.peakRise).toBeLessThan(200e6);
    });
  }

  it('refuses a 1.9 GB file that is not a zip as an .npz data set within a second and 200 MB', async () => {
    const r = await refusal(() => loadDataset(bigFile('data.npz', new Uint8Array(16))));
    expect(r.error?.message).toMatch(/NumPy \.npz reader: the file is not a zip archive, not an \.npz.*data\.npz/);
    expect(r.seconds).toBeLessThan(1);
    expect(r.peakRise).toBeLessThan(200e6);
  });

  it('refuses a 1.9 GB zip-looking file with no zip directory without reading it', async () => {
    const r = await refusal(() => loadDataset(bigFile('fake.npz', Uint8Array.from([0x50, 0x4b, 3, 4]))));
    expect(r.error?.message).toMatch(/no end-of-central-directory record/);
    expect(r.peakRise).toBeLessThan(200e6);
  });

  it('refuses 1.9 GB files that are not .npy or IDX as data sets within a second and 200 MB', async () => {
    const npy = await refusal(() =>
      loadDataset(`${bigFile('x.npy', new Uint8Array(16))},${bigFile('y.npy', new Uint8Array(16))}`),
    );
    expect(npy.error?.message).toMatch(/NumPy \.npy reader: the file is not a NumPy array, not an \.npy.*x\.npy/);
    const idx = await refusal(() =>
      loadDataset(
        `${bigFile('img-idx3-ubyte', text.encode('<html>'))},${bigFile('lab-idx1-ubyte', new Uint8Array(8))}`,
      ),
    );
    expect(idx.error?.message).toMatch(/MNIST IDX reader: the file is an HTML or XML document: it does not start/);
    for (const r of [npy, idx]) {
      expect(r.seconds).toBeLessThan(1);
      expect(r.peakRise).toBeLessThan(200e6);
    }
  });
});
