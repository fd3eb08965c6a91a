/** Data readers: .npy pairs, MNIST IDX (plain and gzip), CIFAR-10/100 batches, preprocessing. */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync, unzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { loadDataset } from '../../src/data/load';
import { fixture } from '../helpers';

const dir = mkdtempSync(join(tmpdir(), 'saddle-data-'));
const write = (name: string, b: Uint8Array) => {
  const p = join(dir, name);
  writeFileSync(p, b);
  return p;
};

function idx(shape: number[], data: number[]): Uint8Array {
  const out = new Uint8Array(4 + 4 * shape.length + data.length);
  out.set([0, 0, 8, shape.length]);
  const dv = new DataView(out.buffer);
  shape.forEach((d, i) => dv.setUint32(4 + 4 * i, d, false));
  out.set(data, 4 + 4 * shape.length);
  return out;
}

describe('data sets', () => {
  it('a pair of .npy files equals the .npz they came from', async () => {
    const entries = unzipSync(new Uint8Array(readFileSync(fixture('demo', 'demo-data.npz'))));
    const x = write('x.npy', entries['inputs.npy']);
    const y = write('y.npy', entries['targets.npy']);
    const pair = await loadDataset(`${x},${y}`);
    const npz = await loadDataset(fixture('demo', 'demo-data.npz'));
    expect(pair.inputs.shape).toEqual([256, 1, 16, 16]);
    expect(pair.inputs.data).toEqual(npz.inputs.data);
    expect(pair.targets).toMatchObject({ kind: 'indices', shape: [256] });
    expect(pair.targets.data).toEqual(npz.targets.data);
  });

  it('reads MNIST IDX files, plain and gzipped, in either order, and scales them', async () => {
    const pixels = Array.from({ length: 2 * 3 * 4 }, (_v, i) => i * 10);
    const images = write('t10k-images-idx3-ubyte.gz', gzipSync(idx([2, 3, 4], pixels)));
    const labels = write('t10k-labels-idx1-ubyte', idx([2], [7, 3]));
    const d = await loadDataset(`${labels},${images}`, { scale: 255 });
    expect(d.inputs.shape).toEqual([2, 1, 3, 4]);
    expect(d.inputs.data[5]).toBeCloseTo(50 / 255, 7);
    expect(Array.from(d.targets.data)).toEqual([7, 3]);
    const short = write('bad-images-idx3-ubyte', idx([2, 3, 4], pixels).subarray(0, 30));
    await expect(loadDataset(`${short},${labels}`)).rejects.toThrow(
      /MNIST IDX reader: shape \[2, 3, 4\] needs 24 bytes of data: expected 10 more bytes \(in '.*bad-images-idx3-ubyte'\)/,
    );
  });

  it('reads CIFAR-10 and CIFAR-100 batches and normalizes per channel', async () => {
    const rec10 = new Uint8Array(2 * 3073);
    rec10[0] = 4;
    rec10[1] = 255; // red plane, first pixel
    rec10[3073] = 9;
    rec10[3073 + 1 + 1024] = 100; // green plane of the second image
    const c10 = await loadDataset(write('data_batch_1.bin', rec10), { mean: [0, 50, 0], std: [255, 2, 1] });
    expect(c10.inputs.shape).toEqual([2, 3, 32, 32]);
    expect(Array.from(c10.targets.data)).toEqual([4, 9]);
    expect(c10.inputs.data[0]).toBeCloseTo(1, 7);
    expect(c10.inputs.data[3072 + 1024]).toBeCloseTo(25, 7);
    const rec100 = new Uint8Array(3074);
    rec100[0] = 3; // coarse
    rec100[1] = 42; // fine
    const c100 = await loadDataset(write('test.bin', rec100));
    expect(Array.from(c100.targets.data)).toEqual([42]);
    await expect(loadDataset(write('cut.bin', rec10.subarray(0, 5000)))).rejects.toThrow(
      /CIFAR binary reader: 5000 bytes is not a whole number of 3073-byte records/,
    );
  });

  it('transposes channels-last inputs', async () => {
    const entries = unzipSync(new Uint8Array(readFileSync(fixture('demo', 'demo-data.npz'))));
    const base = await loadDataset(fixture('demo', 'demo-data.npz'));
    // demo inputs are [N,1,16,16]: as NHWC they are N×1×16 images of 16 channels.
    const t = await loadDataset(`${write('a.npy', entries['inputs.npy'])},${write('b.npy', entries['targets.npy'])}`, {
      nhwc: true,
    });
    expect(t.inputs.shape).toEqual([256, 16, 1, 16]);
    expect(t.inputs.data[16]).toBe(base.inputs.data[1]);
  });
});
