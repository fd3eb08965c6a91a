import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openModelFile } from '../src/model/open';
import { fixture } from './helpers';

const dir = mkdtempSync(join(tmpdir(), 'saddle-bad-'));
const demo = readFileSync(fixture('demo', 'demo.onnx'));
const write = (name: string, bytes: Uint8Array | string) => {
  const p = join(dir, name);
  writeFileSync(p, bytes);
  return p;
};

/** Each bad file and the words its error must contain (besides the file name and the reader). */
const cases: Array<[string, Uint8Array | string, RegExp]> = [
  ['empty.onnx', new Uint8Array(0), /the file is an empty file, not an ONNX model/],
  ['elf.onnx', new Uint8Array([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]), /an ELF executable/],
  ['page.onnx', '<!DOCTYPE html><html></html>', /an HTML or XML document/],
  ['zip.onnx', new Uint8Array([0x50, 0x4b, 3, 4, 0, 0, 0, 0]), /a zip archive/],
  [
    'truncated.onnx',
    demo.subarray(0, Math.floor(demo.length / 2)),
    /expected \d+ more bytes after byte \d+; the file might be truncated/,
  ],
  ['zeros.onnx', new Uint8Array(1000), /not a valid ONNX protobuf|not an ONNX model/],
  ['text.onnx', 'hello world, this is not a model', /not a valid ONNX protobuf|not an ONNX model/],
];

describe('bad model files are refused with a sentence', () => {
  it.each(cases)('%s', async (name, bytes, words) => {
    const path = write(name, bytes);
    const error = await openModelFile(path).then(
      () => null,
      (e: Error) => e,
    );
    expect(error?.message).toMatch(words);
    expect(error?.message).toContain('ONNX reader');
    expect(error?.message).toContain(path);
  });

  it('a missing file names the path', async () => {
    await expect(openModelFile(join(dir, 'nope.onnx'))).rejects.toThrow(/cannot be opened \(ENOENT\).*nope\.onnx/);
  });

  it('a folder is not a file', async () => {
    await expect(openModelFile(dir)).rejects.toThrow(/not a regular file/);
  });
});
