/** `saddle runs …` reads a runs database; without one it says so and creates nothing. */
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runsDelete, runsExport, runsList, runsShow } from '../src/cli/runs';

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
