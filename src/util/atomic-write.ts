/**
 * Write a file so that it is either the old or the new content, never half of one: a temporary file
 * in the same folder, then a rename. A crash or Ctrl-C mid-write leaves the user's file as it was.
 */
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

export function tempPathBeside(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
}

/** A sentence naming the file, instead of a bare errno message with the temporary path in it. */
function cannotWrite(path: string, e: unknown): Error {
  const code = (e as NodeJS.ErrnoException).code;
  const why =
    code === 'EISDIR'
      ? 'it is a folder'
      : code === 'ENOENT'
        ? 'its folder does not exist'
        : code === 'EACCES' || code === 'EPERM'
          ? 'permission denied'
          : code === 'ENOSPC'
            ? 'the disk is full'
            : (e as Error).message;
  return new Error(`Cannot write '${path}': ${why}.`);
}

export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  const tmp = tempPathBeside(path);
  try {
    writeFileSync(tmp, data);
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw cannotWrite(path, e);
  }
}

/** Let `write` produce the file at a temporary path, then move it into place. */
export async function produceFileAtomic(path: string, write: (tmp: string) => Promise<void> | void): Promise<void> {
  const tmp = tempPathBeside(path);
  try {
    // Creating the file here first makes a missing or read-only folder fail with a clear sentence,
    // whatever library writes it next.
    writeFileSync(tmp, '');
  } catch (e) {
    throw cannotWrite(path, e);
  }
  try {
    await write(tmp);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw (e as NodeJS.ErrnoException).code ? cannotWrite(path, e) : e;
  }
  try {
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw cannotWrite(path, e);
  }
}
