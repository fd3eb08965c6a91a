/**
 * A lazy zip reader: parses the central directory (with ZIP64 sizes) and reads an entry only when
 * asked. Stored and deflated entries. Spec: PKWARE APPNOTE.TXT §4.3.
 */
import { inflateSync } from 'fflate';
import { FileFormatError } from './errors';
import type { ByteSource } from './source';

const READER = 'zip';

export interface ZipEntry {
  name: string;
  method: number;
  compressedSize: number;
  size: number;
  localHeaderOffset: number;
}

export class ZipArchive {
  readonly entries = new Map<string, ZipEntry>();

  constructor(
    readonly source: ByteSource,
    private readonly reader = READER,
  ) {
    this.readDirectory();
  }

  private fail(kind: 'corrupt' | 'unsupported' | 'not-a-model', detail: string): FileFormatError {
    return new FileFormatError(this.source.name, this.reader, kind, detail);
  }

  private readDirectory(): void {
    const src = this.source;
    // The end-of-central-directory record is in the last 22 + 65535 bytes.
    const tailLen = Math.min(src.size, 22 + 65535);
    const tail = src.read(src.size - tailLen, tailLen, this.reader);
    let eocd = -1;
    for (let i = tail.length - 22; i >= 0; i--) {
      if (tail[i] === 0x50 && tail[i + 1] === 0x4b && tail[i + 2] === 0x05 && tail[i + 3] === 0x06) {
        eocd = i;
        break;
      }
    }
    if (eocd < 0) throw this.fail('corrupt', 'no end-of-central-directory record: not a zip archive, or truncated');
    const dv = new DataView(tail.buffer, tail.byteOffset, tail.byteLength);
    let count = dv.getUint16(eocd + 10, true);
    let dirSize = dv.getUint32(eocd + 12, true);
    let dirOffset = dv.getUint32(eocd + 16, true);
    if (dirOffset === 0xffffffff || count === 0xffff) {
      // ZIP64: the locator sits just before the EOCD record.
      const loc = eocd - 20;
      if (loc < 0 || dv.getUint32(loc, true) !== 0x07064b50) throw this.fail('corrupt', 'ZIP64 locator missing');
      const recOffset = Number(dv.getBigUint64(loc + 8, true));
      const rec = src.read(recOffset, 56, this.reader);
      const rv = new DataView(rec.buffer, rec.byteOffset, rec.byteLength);
      if (rv.getUint32(0, true) !== 0x06064b50) throw this.fail('corrupt', 'ZIP64 end record missing');
      count = Number(rv.getBigUint64(32, true));
      dirSize = Number(rv.getBigUint64(40, true));
      dirOffset = Number(rv.getBigUint64(48, true));
    }
    if (dirOffset + dirSize > src.size)
      throw this.fail(
        'corrupt',
        `the central directory (${dirSize} bytes at ${dirOffset}) lies past the end of the ${src.size}-byte file`,
      );
    if (count > dirSize / 46)
      throw this.fail('corrupt', `${count} entries cannot fit a ${dirSize}-byte central directory`);
    const dir = src.read(dirOffset, dirSize, this.reader);
    const d = new DataView(dir.buffer, dir.byteOffset, dir.byteLength);
    let p = 0;
    for (let i = 0; i < count; i++) {
      if (p + 46 > dir.length || d.getUint32(p, true) !== 0x02014b50)
        throw this.fail('corrupt', `central directory entry ${i} is damaged`);
      const method = d.getUint16(p + 10, true);
      let compressedSize = d.getUint32(p + 20, true);
      let size = d.getUint32(p + 24, true);
      const nameLen = d.getUint16(p + 28, true);
      const extraLen = d.getUint16(p + 30, true);
      const commentLen = d.getUint16(p + 32, true);
      let localHeaderOffset = d.getUint32(p + 42, true);
      if (p + 46 + nameLen + extraLen > dir.length)
        throw this.fail('corrupt', `central directory entry ${i} runs past the directory`);
      const name = new TextDecoder().decode(dir.subarray(p + 46, p + 46 + nameLen));
      // ZIP64 extended information: 64-bit values for the fields that are 0xffffffff.
      let e = p + 46 + nameLen;
      const extraEnd = e + extraLen;
      while (e + 4 <= extraEnd) {
        const id = d.getUint16(e, true);
        const len = d.getUint16(e + 2, true);
        if (id === 0x0001) {
          // The 64-bit fields appear in this order, each only when its 32-bit field is saturated.
          let q = e + 4;
          const next = (): number => {
            if (q + 8 > e + 4 + len) throw this.fail('corrupt', `the ZIP64 field of '${name}' is too short`);
            q += 8;
            return Number(d.getBigUint64(q - 8, true));
          };
          if (size === 0xffffffff) size = next();
          if (compressedSize === 0xffffffff) compressedSize = next();
          if (localHeaderOffset === 0xffffffff) localHeaderOffset = next();
        }
        e += 4 + len;
      }
      if (localHeaderOffset + 30 + compressedSize > src.size) {
        throw this.fail(
          'corrupt',
          `entry '${name}' (${compressedSize} bytes at ${localHeaderOffset}) lies past the end of the ${src.size}-byte file`,
        );
      }
      this.entries.set(name, { name, method, compressedSize, size, localHeaderOffset });
      p += 46 + nameLen + extraLen + commentLen;
    }
  }

  /** Byte offset of an entry's data (after its local header). */
  dataOffset(entry: ZipEntry): number {
    const h = this.source.read(entry.localHeaderOffset, 30, this.reader);
    const dv = new DataView(h.buffer, h.byteOffset, 30);
    if (dv.getUint32(0, true) !== 0x04034b50)
      throw this.fail('corrupt', `the local header of '${entry.name}' is damaged`);
    return entry.localHeaderOffset + 30 + dv.getUint16(26, true) + dv.getUint16(28, true);
  }

  /** The entry's bytes (inflated). `limit` guards against zip bombs. */
  read(name: string, limit = 2 ** 31): Uint8Array {
    const entry = this.entries.get(name);
    if (!entry) throw this.fail('corrupt', `the archive has no entry '${name}'`);
    if (entry.size > limit)
      throw this.fail('unsupported', `entry '${name}' declares ${entry.size} bytes, over the ${limit}-byte limit`);
    // Deflate cannot expand more than ~1032:1; a larger declared size is a lie (or a bomb).
    if (entry.method === 8 && entry.size > entry.compressedSize * 1032 + 64) {
      throw this.fail(
        'corrupt',
        `entry '${name}' declares ${entry.size} bytes from ${entry.compressedSize} compressed, more than deflate can produce`,
      );
    }
    if (entry.method === 0 && entry.size !== entry.compressedSize)
      throw this.fail('corrupt', `stored entry '${name}' has sizes ${entry.size} and ${entry.compressedSize}`);
    const raw = this.source.read(this.dataOffset(entry), entry.compressedSize, this.reader);
    if (entry.method === 0) return raw;
    if (entry.method !== 8) throw this.fail('unsupported', `entry '${name}' uses compression method ${entry.method}`);
    let out: Uint8Array;
    try {
      out = inflateSync(raw, { out: new Uint8Array(entry.size) });
    } catch (e) {
      throw this.fail('corrupt', `entry '${name}' does not inflate (${(e as Error).message})`);
    }
    if (out.length !== entry.size)
      throw this.fail('corrupt', `entry '${name}' inflates to ${out.length} bytes, not the declared ${entry.size}`);
    return out;
  }
}
