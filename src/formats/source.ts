/**
 * Random-access byte sources, so readers fetch only the ranges they need: a 5 GB checkpoint is never
 * read whole. Every read is bounds-checked and a short file says how many bytes were missing.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { FileFormatError } from './errors';

export interface ByteSource {
  readonly name: string;
  readonly size: number;
  /** Exactly `length` bytes at `offset`, or a 'truncated' error naming the reader. */
  read(offset: number, length: number, reader: string): Uint8Array;
  close(): void;
}

function checkRange(src: { name: string; size: number }, offset: number, length: number, reader: string): void {
  if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0) {
    throw new FileFormatError(src.name, reader, 'corrupt', `invalid byte range ${offset}+${length}`);
  }
  if (offset + length > src.size) {
    throw new FileFormatError(
      src.name,
      reader,
      'truncated',
      `expected ${offset + length - src.size} more bytes (a read of ${length} at ${offset} in a ${src.size}-byte file); the file might be truncated`,
    );
  }
}

export class BytesSource implements ByteSource {
  readonly size: number;
  constructor(
    readonly name: string,
    private readonly bytes: Uint8Array,
  ) {
    this.size = bytes.length;
  }
  read(offset: number, length: number, reader: string): Uint8Array {
    checkRange(this, offset, length, reader);
    return this.bytes.subarray(offset, offset + length);
  }
  close(): void {}
}

export class FileSource implements ByteSource {
  readonly size: number;
  private fd: number | null;
  /** `reader` names the reader in open errors ('ONNX', 'checkpoint'...). */
  constructor(
    readonly name: string,
    reader = 'file',
  ) {
    try {
      this.fd = openSync(name, 'r');
    } catch (e) {
      throw new FileFormatError(
        name,
        reader,
        'io',
        `the file cannot be opened (${(e as NodeJS.ErrnoException).code ?? 'error'})`,
      );
    }
    const st = fstatSync(this.fd);
    if (!st.isFile()) {
      closeSync(this.fd);
      throw new FileFormatError(name, reader, 'io', 'the path is not a regular file');
    }
    this.size = st.size;
  }
  read(offset: number, length: number, reader: string): Uint8Array {
    checkRange(this, offset, length, reader);
    if (this.fd === null) throw new Error(`'${this.name}' is closed`);
    const out = new Uint8Array(length);
    let done = 0;
    while (done < length) {
      const n = readSync(this.fd, out, done, length - done, offset + done);
      if (n === 0)
        throw new FileFormatError(this.name, reader, 'truncated', `the file ended ${length - done} bytes early`);
      done += n;
    }
    return out;
  }
  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }
}
