/**
 * Files a browser uploads (models, weights, data sets), kept by content hash in a folder beside the
 * runs database: `<db>.uploads/<sha256>/<the user's file name>`. Runs record these paths, so a run
 * started from an upload resumes and exports after a restart, and the path's last part is the name
 * the user knows. Files no run references are removed at startup and when the quota needs room.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { link, mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

export class UploadError extends Error {
  constructor(
    readonly status: 400 | 413,
    message: string,
  ) {
    super(message);
  }
}

export interface UploadLimits {
  /** Largest accepted file, in bytes. */
  maxFileBytes: number;
  /** Largest total of the store, in bytes. */
  quotaBytes: number;
}

export interface SavedUpload {
  path: string;
  bytes: number;
  sha256: string;
}

const HASH_DIR = /^[0-9a-f]{64}$/;
/** Characters no file system (Windows included) accepts in a name, and control characters. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this removes.
const UNSAFE = /[<>:"/\\|?*\u0000-\u001f\u007f]/g;

/**
 * The user's file name, kept (accents, CJK and all) but safe to create: no folders, no characters a
 * file system refuses, at most 200 bytes of UTF-8 (cut before the extension). `.` and `..` are refused.
 */
export function safeUploadName(raw: string): string {
  const last = raw.normalize('NFC').split(/[/\\]/).pop() ?? '';
  const cleaned = last.replace(UNSAFE, '_').trim();
  if (cleaned === '.' || cleaned === '..' || /^\.+$/.test(cleaned))
    throw new UploadError(400, `The upload name '${cleaned}' is not a file name.`);
  if (!cleaned) return 'upload';
  const dot = cleaned.lastIndexOf('.');
  const ext = dot > 0 && cleaned.length - dot <= 16 ? cleaned.slice(dot) : '';
  let stem = cleaned.slice(0, cleaned.length - ext.length);
  while (Buffer.byteLength(stem + ext) > 200) stem = Array.from(stem).slice(0, -1).join('');
  return stem + ext;
}

export class UploadStore {
  /** Uploaded while this server runs: kept even before a run references them (a model just opened). */
  private readonly session = new Set<string>();
  /** Every stored path and the user's name for it (the path's last part). */
  private readonly known = new Map<string, string>();

  constructor(
    readonly dir: string,
    private readonly limits: UploadLimits,
  ) {}

  /** Sizes of every stored file, by hash folder. */
  private async entries(): Promise<Array<{ hash: string; files: string[]; bytes: number }>> {
    await mkdir(this.dir, { recursive: true });
    const out = [];
    for (const hash of await readdir(this.dir)) {
      if (!HASH_DIR.test(hash)) continue;
      const files = await readdir(join(this.dir, hash)).catch(() => [] as string[]);
      // Hard links of one content count once.
      const bytes = files.length ? (await stat(join(this.dir, hash, files[0]))).size : 0;
      out.push({ hash, files: files.map((f) => join(this.dir, hash, f)), bytes });
    }
    return out;
  }

  /** Learn what an earlier server stored, then remove what no run references. */
  async open(referenced: Set<string>): Promise<void> {
    await this.cleanup(referenced);
  }

  async totalBytes(): Promise<number> {
    return (await this.entries()).reduce((s, e) => s + e.bytes, 0);
  }

  /**
   * Remove stored files that no run references and that were not uploaded in this session.
   * `referenced` holds the paths runs record. Returns the bytes freed.
   */
  async cleanup(referenced: Set<string>): Promise<number> {
    let freed = 0;
    for (const e of await this.entries()) {
      if (e.files.some((f) => referenced.has(f) || this.session.has(f))) {
        for (const f of e.files) this.known.set(f, f.slice(join(this.dir, e.hash).length + 1));
        continue;
      }
      await rm(join(this.dir, e.hash), { recursive: true, force: true });
      for (const f of e.files) this.known.delete(f);
      freed += e.bytes;
    }
    return freed;
  }

  /**
   * Stream an upload into the store under `name`, hashing it as it arrives. Refuses (413) a file over
   * the per-file cap, or new content the quota has no room for after freeing what no run references
   * (while it arrives, one upload may hold up to the per-file cap beyond the quota).
   */
  async save(body: Readable, name: string, declared: number, referenced: () => Set<string>): Promise<SavedUpload> {
    const { maxFileBytes, quotaBytes } = this.limits;
    if (declared > maxFileBytes)
      throw new UploadError(413, `'${name}' is ${declared} bytes, over the ${maxFileBytes}-byte upload limit.`);
    if (declared > quotaBytes) throw this.quotaError(name, declared, await this.totalBytes());
    const incoming = join(this.dir, `.incoming-${randomBytes(8).toString('hex')}`);
    const hash = createHash('sha256');
    let received = 0;
    body.on('data', (chunk: Buffer) => {
      received += chunk.length;
      hash.update(chunk);
      if (received > maxFileBytes)
        body.destroy(new UploadError(413, `'${name}' exceeds the ${maxFileBytes}-byte upload limit.`));
    });
    try {
      await pipeline(body, createWriteStream(incoming));
    } catch (e) {
      await rm(incoming, { force: true });
      if (e instanceof UploadError) throw e;
      throw new UploadError(413, `The upload of '${name}' failed (${(e as Error).message}).`);
    }
    const sha256 = hash.digest('hex');
    const folder = join(this.dir, sha256);
    const path = join(folder, name);
    if (!(await stat(folder).catch(() => null))) {
      // New content: it must fit the quota, after what no run uses is removed. (Known content is free.)
      let used = await this.totalBytes();
      if (used + received > quotaBytes) used -= await this.cleanup(referenced());
      if (used + received > quotaBytes) {
        await rm(incoming, { force: true });
        throw this.quotaError(name, received, used);
      }
    }
    await mkdir(folder, { recursive: true });
    const existing = (await readdir(folder)).filter((f) => f !== name);
    if ((await stat(path).catch(() => null)) !== null) await rm(incoming, { force: true });
    else if (existing.length > 0) {
      // The same content under another name: one more name for the stored bytes.
      await link(join(folder, existing[0]), path);
      await rm(incoming, { force: true });
    } else await rename(incoming, path);
    this.session.add(path);
    this.known.set(path, name);
    return { path, bytes: received, sha256 };
  }

  private quotaError(name: string, bytes: number, used: number): UploadError {
    return new UploadError(
      413,
      `'${name}' (${bytes} bytes) does not fit the ${this.limits.quotaBytes}-byte upload quota: ` +
        `${used} bytes are kept for runs. Delete runs you no longer need, or start saddle serve with a larger --upload-quota.`,
    );
  }

  /** `text` with every stored path replaced by the user's name for that file (JSON-escaped forms too). */
  displayText(text: string): string {
    let out = text;
    for (const [path, name] of this.known) {
      out = out.replaceAll(path, name);
      const escaped = JSON.stringify(path).slice(1, -1);
      if (escaped !== path) out = out.replaceAll(escaped, JSON.stringify(name).slice(1, -1));
    }
    return out;
  }
}
