/**
 * Write a file so that it is either the old or the new content, never half of one: a temporary file
 * in the same folder, then a rename. A crash or Ctrl-C mid-write leaves the user's file as it was.
 */
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

export function tempPathBeside(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
}

export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  const tmp = tempPathBeside(path);
  try {
    writeFileSync(tmp, data);
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}

/** Let `write` produce the file at a temporary path, then move it into place. */
export async function produceFileAtomic(path: string, write: (tmp: string) => Promise<void> | void): Promise<void> {
  const tmp = tempPathBeside(path);
  try {
    await write(tmp);
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}
