/**
 * A run's duration is the time it computed: a resumed run adds the time of its earlier parts and
 * this one's, never the hours between a cancel and its resume, nor a queued job's wait.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RunRecorder, recorded } from '../src/runs/recorder';
import { RunStore } from '../src/store/store';

describe('run duration', () => {
  it('counts computing time across a resume, not the time since the run started', async () => {
    const store = new RunStore(join(mkdtempSync(join(tmpdir(), 'saddle-duration-')), 'runs.db'));
    const spec = { kind: 'loss', options: {} };
    // A run that computed 5 s, was cancelled an hour ago, and is resumed now.
    const id = store.createRun(spec);
    store.finish(id, 'cancelled', 'The analysis was cancelled.', 5);
    store.db
      .prepare('UPDATE runs SET started_at = ? WHERE id = ?')
      .run(new Date(Date.now() - 3600e3).toISOString(), id);
    await recorded(store, spec, async () => new Promise((r) => setTimeout(r, 200)), id);
    const seconds = store.findRun(id)?.seconds ?? 0;
    expect(seconds).toBeGreaterThanOrEqual(5.2);
    expect(seconds).toBeLessThan(60);

    // A job that waited in the queue: its time starts when it is taken up.
    const queued = await RunRecorder.createPending(store, spec);
    store.db
      .prepare('UPDATE runs SET created_at = ? WHERE id = ?')
      .run(new Date(Date.now() - 3600e3).toISOString(), queued);
    await recorded(store, spec, async () => {}, queued);
    expect(store.findRun(queued)?.seconds).toBeLessThan(60);
    store.close();
  });
});
