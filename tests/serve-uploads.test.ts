/**
 * Uploads outlive the server: kept by content hash beside the runs database, so a run started from
 * a browser upload resumes and exports after a restart, and shows the user's file names.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { type RunningServer, startServer } from '../src/server/serve';
import { fixture, ROOT } from './helpers';

// biome-ignore lint/suspicious/noExplicitAny: the tests read JSON answers field by field.
type Json = any;

function client(server: RunningServer, id = 'tab') {
  const base = `http://127.0.0.1:${server.port}`;
  const headers = { authorization: `Bearer ${server.token}`, 'x-saddle-client': id };
  const call = async (method: string, payload: unknown): Promise<Json> =>
    (
      await fetch(`${base}/api/${method}`, {
        method: 'POST',
        body: JSON.stringify(payload),
        headers: { ...headers, 'content-type': 'application/json' },
      })
    ).json();
  const upload = async (name: string, bytes: Uint8Array): Promise<{ status: number; json: Json }> => {
    const r = await fetch(`${base}/api/upload?name=${encodeURIComponent(name)}`, {
      method: 'POST',
      body: bytes,
      headers,
    });
    return { status: r.status, json: await r.json() };
  };
  return { call, upload, headers };
}

const serve = (db: string, more: { uploadQuotaBytes?: number; maxUploadBytes?: number } = {}) =>
  startServer({ port: 0, host: '127.0.0.1', staticDir: `${ROOT}/renderer`, db, ...more });

describe('uploads kept beside the runs database', () => {
  it('a run started from uploads resumes and exports after a server restart, naming the uploaded files', async () => {
    const db = join(mkdtempSync(join(tmpdir(), 'saddle-uploads-test-')), 'runs.db');
    const first = await serve(db);
    const tab = client(first);
    const model = await tab.upload('my model.onnx', readFileSync(fixture('demo', 'demo.onnx')));
    const data = await tab.upload('données.npz', readFileSync(fixture('demo', 'demo-data.npz')));
    expect(model.json.result.path.startsWith(`${db}.uploads`)).toBe(true);
    const { result: opened } = await tab.call('openModel', { path: model.json.result.path });

    // Cancel the landscape after a few points, as a user closing the tab might.
    const ws = new WebSocket(`ws://127.0.0.1:${first.port}/api/events?client=tab`, { headers: tab.headers });
    await new Promise((resolve) => ws.once('open', resolve));
    let points = 0;
    ws.on('message', (m) => {
      const e = JSON.parse(String(m));
      if (e.type === 'progress' && e.job === 'cut' && e.partial && ++points === 5)
        void tab.call('cancel', { job: 'cut' });
    });
    const cut = await tab.call('landscape', {
      job: 'cut',
      modelId: opened.modelId,
      data: data.json.result.path,
      samples: 64,
      options: { dims: 2, steps: 7, seed: 3 },
    });
    expect(cut.error?.message).toMatch(/cancelled/);
    ws.close();
    const [run] = (await tab.call('listRuns', {})).result;
    expect(run.state).toBe('cancelled');
    expect(run.name).toBe('landscape my model.onnx');
    await first.close();

    const second = await serve(db);
    const again = client(second);
    const resumed = await again.call('resumeRun', { job: 'again', id: run.id });
    expect(resumed.ok, JSON.stringify(resumed.error)).toBe(true);
    const view = (await again.call('getRun', { id: run.id })).result;
    expect(view.run.state).toBe('finished');
    expect(view.run.model).toBe('my model.onnx');
    expect(view.run.data).toBe('données.npz');
    expect(JSON.stringify(view)).not.toContain(second.uploadDir);
    const csv = (await again.call('exportRun', { id: run.id, format: 'csv' })).result;
    expect(csv.content.split('\r\n')).toHaveLength(1 + 49 + 1);
    const report = (await again.call('exportRun', { id: run.id, format: 'html' })).result.content as string;
    expect(report).toContain('my model.onnx');
    expect(report).toContain('données.npz');
    expect(report).not.toContain(second.uploadDir);
    await second.close();
  }, 120_000);

  it('keeps one copy per content, removes what no run uses at startup, and holds to the quota', async () => {
    const db = join(mkdtempSync(join(tmpdir(), 'saddle-uploads-test-')), 'runs.db');
    const model = readFileSync(fixture('demo', 'demo.onnx'));
    const first = await serve(db, { uploadQuotaBytes: model.length + 1000 });
    const tab = client(first);
    const a = await tab.upload('a.onnx', model);
    const b = await tab.upload('b.onnx', model);
    expect(a.status).toBe(200);
    expect(b.status).toBe(200);
    expect(readdirSync(first.uploadDir).filter((f) => /^[0-9a-f]{64}$/.test(f))).toHaveLength(1);
    // Other content does not fit the quota, and the message names no server folder.
    const other = await tab.upload('other.onnx', new Uint8Array(2000));
    expect(other.status).toBe(413);
    expect(other.json.error.message).toMatch(/does not fit the \d+-byte upload quota.*--upload-quota/);
    expect(other.json.error.message).not.toContain(first.uploadDir);
    await first.close();

    // No run used them: the next server removes them, and the quota has room again.
    const second = await serve(db, { uploadQuotaBytes: model.length + 1000 });
    expect(existsSync(a.json.result.path)).toBe(false);
    expect((await client(second).upload('other.onnx', new Uint8Array(2000))).status).toBe(200);
    await second.close();
  });

  it('refuses a file over --max-upload', async () => {
    const db = join(mkdtempSync(join(tmpdir(), 'saddle-uploads-test-')), 'runs.db');
    const server = await serve(db, { maxUploadBytes: 1000 });
    const r = await client(server).upload('big.onnx', new Uint8Array(5000));
    expect(r.status).toBe(413);
    expect(r.json.error.message).toBe("'big.onnx' is 5000 bytes, over the 1000-byte upload limit.");
    await server.close();
  });

  it("names the user's file, not the server's folder, in a data error", async () => {
    const db = join(mkdtempSync(join(tmpdir(), 'saddle-uploads-test-')), 'runs.db');
    const server = await serve(db);
    const tab = client(server);
    const model = await tab.upload('demo.onnx', readFileSync(fixture('demo', 'demo.onnx')));
    const data = await tab.upload('my data.npz', new TextEncoder().encode('not a zip at all'));
    const { result: opened } = await tab.call('openModel', { path: model.json.result.path });
    const r = await tab.call('landscape', { job: 'bad', modelId: opened.modelId, data: data.json.result.path });
    expect(r.ok).toBe(false);
    expect(r.error.message).toMatch(/NumPy \.npz reader: .*\(in 'my data\.npz'\)/);
    expect(r.error.message).not.toContain(server.uploadDir);
    await server.close();
  });

  it("sends a run's progress to a client that watches it, as well as to the one that started it", async () => {
    const db = join(mkdtempSync(join(tmpdir(), 'saddle-uploads-test-')), 'runs.db');
    const server = await serve(db);
    const starter = client(server, 'starter');
    const socket = async (id: string) => {
      const ws = new WebSocket(`ws://127.0.0.1:${server.port}/api/events?client=${id}`, { headers: starter.headers });
      const got: Json[] = [];
      ws.on('message', (m) => got.push(JSON.parse(String(m))));
      await new Promise((resolve) => ws.once('open', resolve));
      return { ws, got };
    };
    const watcher = await socket('watcher');
    const other = await socket('other');
    // The watcher learns the run id from the runs list, then asks for its events.
    watcher.ws.on('message', (m) => {
      const e = JSON.parse(String(m));
      if (e.type === 'runs-changed')
        starter.call('listRuns', {}).then(
          (r) => {
            for (const run of r.result) watcher.ws.send(JSON.stringify({ watch: run.id }));
          },
          () => {}, // the server closed at the end of the test
        );
    });
    const { result: opened } = await starter.call('openDemo', {});
    const r = await starter.call('landscape', {
      job: 'watched',
      modelId: opened.modelId,
      data: fixture('demo', 'demo-data.npz'),
      samples: 64,
      options: { dims: 2, steps: 9 },
    });
    expect(r.ok).toBe(true);
    expect(watcher.got.filter((e) => e.job === 'watched').length).toBeGreaterThan(0);
    expect(other.got.filter((e) => e.type === 'progress')).toEqual([]);
    watcher.ws.close();
    other.ws.close();
    await server.close();
  }, 60_000);
});
