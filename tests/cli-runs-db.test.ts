/** `saddle runs …` reads a runs database; without one it says so and creates nothing. */
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runsDelete, runsExport, runsList, runsShow } from '../src/cli/runs';
import { parseBytes } from '../src/cli/serve';

describe('saddle runs without a database', () => {
  it('says none exists and does not create an empty one', async () => {
    const db = join(mkdtempSync(join(tmpdir(), 'saddle-nodb-')), 'saddle.db');
    const message = /No runs database at '.*saddle\.db': nothing was recorded there/;
    expect(() => runsList({ db })).toThrow(message);
    expect(() => runsShow('abcd', { db })).toThrow(message);
    expect(() => runsDelete('abcd', { db })).toThrow(message);
    await expect(runsExport('abcd', { db, format: 'json' })).rejects.toThrow(message);
    expect(existsSync(db)).toBe(false);
  });
});

describe('saddle serve sizes (--max-upload, --upload-quota)', () => {
  it('reads K, M, G, T as powers of 1024 and refuses what is not a size', () => {
    expect(parseBytes('8G')).toBe(8 * 2 ** 30);
    expect(parseBytes('500M')).toBe(500 * 2 ** 20);
    expect(parseBytes('2.5GiB')).toBe(2.5 * 2 ** 30);
    expect(parseBytes('1048576')).toBe(2 ** 20);
    for (const bad of ['', '0', '-1G', 'lots', '5X']) expect(() => parseBytes(bad)).toThrow(/is not a size/);
  });
});
