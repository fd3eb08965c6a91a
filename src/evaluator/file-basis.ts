/**
 * A Krylov basis in a temporary file, for networks whose basis does not fit the memory budget: a
 * ResNet-50's 25.6M parameters take 205 MB per float64 vector, and a hundred Lanczos steps 20 GB.
 * Memory holds only the last two members (the three-term recurrence reads them every step) and one
 * read buffer; Lanczos reads the file only when its orthogonality estimates ask for it
 * (../analysis/lanczos-omega). Members are stored in float64, so what is read back is exactly what
 * was written, and the arithmetic is HostBasis's.
 *
 * On POSIX the file is unlinked as soon as it is open: a crash or a kill leaves nothing on disk.
 */
import { closeSync, mkdtempSync, openSync, readSync, rmSync, unlinkSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HostMembersBasis, HostVector, host } from './host-vector';
import type { Vector } from './vectors';

export class FileBasis extends HostMembersBasis {
  readonly storage = 'disk';
  private readonly dir: string;
  private readonly path: string;
  private fd: number | null;
  private count = 0;
  /** The last members written, oldest first (the caller's arrays, never changed after push). */
  private recent: Float64Array[] = [];
  private buffer: Float64Array | null = null;

  constructor(
    private readonly n: number,
    parent = tmpdir(),
  ) {
    super();
    this.dir = mkdtempSync(join(parent, 'saddle-krylov-'));
    this.path = join(this.dir, 'basis.f64');
    this.fd = openSync(this.path, 'w+', 0o600);
    if (process.platform !== 'win32') this.removeFiles();
  }

  get size() {
    return this.count;
  }
  /** Bytes on disk. */
  get bytes() {
    return this.count * this.n * 8;
  }

  push(q: Vector) {
    const d = host(q);
    const data = d instanceof Float64Array ? d : Float64Array.from(d);
    const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    const at = this.count * this.n * 8;
    try {
      for (let done = 0; done < bytes.length; )
        done += writeSync(this.open(), bytes, done, bytes.length - done, at + done);
    } catch (e) {
      throw new Error(
        `The Lanczos basis could not grow in ${this.dir}: writing vector ${this.count + 1} (${(bytes.length / 2 ** 20).toFixed(0)} MiB at ${(at / 2 ** 30).toFixed(2)} GiB) failed: ${e instanceof Error ? e.message : String(e)}. Free space there, or set TMPDIR to a larger disk.`,
      );
    }
    this.count++;
    this.recent = [...this.recent, data].slice(-2);
  }

  /** Member k's values: from memory for the last two, else read into the shared buffer. */
  protected data(k: number): Float64Array {
    const fromRecent = k - (this.count - this.recent.length);
    if (fromRecent >= 0) return this.recent[fromRecent];
    this.buffer ??= new Float64Array(this.n);
    const bytes = new Uint8Array(this.buffer.buffer);
    const at = k * this.n * 8;
    for (let done = 0; done < bytes.length; ) {
      const got = readSync(this.open(), bytes, done, bytes.length - done, at + done);
      if (got === 0) throw new Error(`internal: the Lanczos basis file ${this.path} ends before vector ${k + 1}`);
      done += got;
    }
    return this.buffer;
  }

  member(k: number): Vector {
    return new HostVector(Float64Array.from(this.data(k)));
  }

  dispose() {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
    this.removeFiles();
    this.recent = [];
    this.buffer = null;
    this.count = 0;
  }

  private open(): number {
    if (this.fd === null) throw new Error('internal: the Lanczos basis was released');
    return this.fd;
  }

  private removeFiles() {
    try {
      unlinkSync(this.path);
    } catch {
      // Already gone.
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}
