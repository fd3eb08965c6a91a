/**
 * The bad-file manifest: each case is a file made here from the fixtures (truncated, zero-filled,
 * bit-flipped, wrong dtype, hostile) and the error text it must produce, naming the file and reader.
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openCheckpoint } from '../../src/formats/checkpoint';
import { fixture } from '../helpers';

const dir = mkdtempSync(join(tmpdir(), 'saddle-manifest-'));
const bytes = (name: string) => new Uint8Array(readFileSync(fixture('files', name)));

function safetensorsWith(header: Record<string, unknown>, data = new Uint8Array(16)): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

function flip(b: Uint8Array, at: number): Uint8Array {
  const c = b.slice();
  c[at] ^= 0xff;
  return c;
}

interface Case {
  name: string;
  make: () => Uint8Array;
  /** 'ok' with a tensor count, or the error words. */
  expect: { tensors: number } | RegExp;
}

const zip = bytes('cnn_bn-zip.pt');
const st = bytes('cnn_bn-f32.safetensors');
const CASES: Case[] = [
  { name: 'ok-zip.pt', make: () => zip, expect: { tensors: 16 } },
  { name: 'ok.safetensors', make: () => st, expect: { tensors: 16 } },
  {
    name: 'empty.pt',
    make: () => new Uint8Array(0),
    expect: /checkpoint reader: the file is an empty file, not a checkpoint/,
  },
  {
    name: 'elf.pt',
    make: () => new Uint8Array([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0, 0, 0]),
    expect: /the file is an ELF executable, not a checkpoint/,
  },
  {
    name: 'page.pt',
    make: () => new TextEncoder().encode('<html><body>404</body></html>'),
    expect: /an HTML or XML document, not a checkpoint/,
  },
  {
    name: 'zeros.pt',
    make: () => new Uint8Array(zip.length),
    expect: /not a PyTorch, safetensors or NumPy checkpoint/,
  },
  {
    name: 'truncated-zip.pt',
    make: () => zip.subarray(0, zip.length >> 1),
    expect: /zip reader: no end-of-central-directory record: not a zip archive, or truncated/,
  },
  {
    name: 'empty-zip.pt',
    make: () => new Uint8Array([0x50, 0x4b, 5, 6, ...new Array(18).fill(0)]),
    expect: /the zip archive holds no data\.pkl/,
  },
  {
    name: 'truncated.safetensors',
    make: () => st.subarray(0, st.length - 100),
    expect: /safetensors reader: tensor '.*' ends at byte \d+ of a \d+-byte file: expected \d+ more bytes/,
  },
  {
    name: 'bitflip-header.safetensors',
    make: () => flip(st, 9),
    expect: /safetensors reader: the header is not JSON \(/,
  },
  {
    name: 'huge-header.safetensors',
    make: () => {
      const c = st.slice();
      new DataView(c.buffer).setBigUint64(0, 1n << 40n, true);
      return c;
    },
    expect: /not a PyTorch, safetensors or NumPy checkpoint|declares \d+ bytes but only/,
  },
  {
    name: 'fp8.safetensors',
    make: () => safetensorsWith({ 'fc.weight': { dtype: 'F8_E4M3', shape: [4], data_offsets: [0, 4] } }),
    expect: /safetensors reader: unsupported data type 'F8_E4M3' in tensor 'fc\.weight'/,
  },
  {
    name: 'bad-offsets.safetensors',
    make: () => safetensorsWith({ w: { dtype: 'F32', shape: [8], data_offsets: [0, 16] } }),
    expect: /tensor 'w' of shape \[8\] float32 needs 32 bytes but data_offsets give 16/,
  },
  {
    name: 'past-end.safetensors',
    make: () => safetensorsWith({ w: { dtype: 'F32', shape: [100], data_offsets: [0, 400] } }),
    expect: /tensor 'w' ends at byte \d+ .*expected 384 more bytes/,
  },
  {
    name: 'hostile-os-system.pt',
    make: () => bytes('hostile-os-system.pt'),
    expect:
      /PyTorch reader: the pickle refers to the global 'posix\.system', which a tensor checkpoint never needs; it was not loaded/,
  },
  {
    name: 'hostile-subprocess.pt',
    make: () => bytes('hostile-subprocess.pt'),
    expect: /the global '(subprocess|commands)\.call'/,
  },
  {
    name: 'hostile-eval.pt',
    make: () => bytes('hostile-eval.pt'),
    expect: /the global '(builtins|__builtin__)\.eval'/,
  },
  {
    name: 'hostile-getattr.pt',
    make: () => bytes('hostile-getattr.pt'),
    expect: /the global '(builtins|__builtin__)\.getattr'/,
  },
  { name: 'hostile-legacy.pt', make: () => bytes('hostile-legacy.pt'), expect: /the global 'posix\.system'/ },
];

describe('checkpoint manifest', () => {
  it.each(CASES.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const path = join(dir, c.name);
    writeFileSync(path, c.make());
    if (c.expect instanceof RegExp) {
      let message = '';
      try {
        openCheckpoint(path).close();
      } catch (e) {
        expect((e as Error).name).toBe('FileFormatError');
        message = (e as Error).message;
      }
      expect(message).toMatch(c.expect);
      expect(message).toContain(path);
    } else {
      const ckpt = openCheckpoint(path);
      expect(ckpt.tensors.size).toBe(c.expect.tensors);
      ckpt.close();
    }
  });

  it('hostile pickles had no side effect', () => {
    expect(existsSync('/tmp/saddle-hostile-marker')).toBe(false);
  });
});
