import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const ROOT = join(import.meta.dirname, '..');
export const fixture = (...parts: string[]) => join(ROOT, 'fixtures', ...parts);
export const readJson = <T>(path: string): T => JSON.parse(readFileSync(path, 'utf8')) as T;

/**
 * Whether an optional system dependency is present. Locally a missing one skips its tests; under
 * CI=true it fails them, because .ci/run installs every one.
 */
export function requireSystemPath(path: string, what: string): boolean {
  if (existsSync(path)) return true;
  if (process.env.CI === 'true') throw new Error(`${what} is missing at ${path}; .ci/run should have installed it.`);
  return false;
}
