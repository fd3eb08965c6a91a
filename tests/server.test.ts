import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { type RunningServer, startServer } from '../src/server/serve';
import { fixture, ROOT } from './helpers';

let server: RunningServer;
let base: string;

beforeAll(async () => {
  server = await startServer({ port: 0, host: '127.0.0.1', staticDir: `${ROOT}/renderer` });
  base = `http://127.0.0.1:${server.port}`;
});
afterAll(() => server.close());

// biome-ignore lint/suspicious/noExplicitAny: the tests read JSON answers field by field.
const body = async (r: globalThis.Response): Promise<any> => r.json();
const auth = () => ({ authorization: `Bearer ${server.token}` });
/** A browser tab: its own client id on the WebSocket and on every API call. */
const asClient = (client: string) => ({ ...auth(), 'x-saddle-client': client });
const listen = async (client?: string) => {
  const ws = new WebSocket(`ws://127.0.0.1:${server.port}/api/events${client ? `?client=${client}` : ''}`, {
    headers: auth(),
  });
  // biome-ignore lint/suspicious/noExplicitAny: events are read field by field.
  const received: any[] = [];
  ws.on('message', (m) => received.push(JSON.parse(String(m))));
  await new Promise((resolve) => ws.once('open', resolve));
  return { ws, received };
};
const call = (method: string, body: unknown, headers: Record<string, string> = auth()) =>
  fetch(`${base}/api/${method}`, {
    method: 'POST',
    body: JSON.stringify(body),
    headers: { 'content-type': 'application/json', ...headers },
  });

describe('saddle serve', () => {
  it('prints a loopback URL carrying a random token', () => {
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/?token=${server.token}`);
    expect(server.token).toMatch(/^[0-9a-f]{48}$/);
  });

  it('refuses requests without the token', async () => {
    const r = await call('version', {}, {});
    expect(r.status).toBe(403);
    expect((await body(r)).error.message).toMatch(/access token is required/);
    expect((await fetch(`${base}/`)).status).toBe(403);
  });

  it('refuses a wrong token and other origins', async () => {
    expect((await call('version', {}, { authorization: 'Bearer 00' })).status).toBe(403);
    const r = await call('version', {}, { ...auth(), origin: 'http://evil.example' });
    expect(r.status).toBe(403);
    expect((await body(r)).error.message).toMatch(/origin 'http:\/\/evil.example' are not allowed/);
  });

  it('refuses a foreign Host header (DNS rebinding)', async () => {
    const { request } = await import('node:http');
    const status = await new Promise<number>((resolve) => {
      request(
        {
          host: '127.0.0.1',
          port: server.port,
          path: '/api/version',
          method: 'POST',
          headers: { host: 'attacker.example', ...auth() },
        },
        (res) => resolve(res.statusCode ?? 0),
      ).end('{}');
    });
    expect(status).toBe(403);
  });

  it('sets the token cookie on the first page load and accepts it afterwards', async () => {
    const page = await fetch(`${base}/?token=${server.token}`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("default-src 'self'");
    // The page's WebSocket goes to this host, which 'self' covers; ws: or wss: would allow any host.
    expect(page.headers.get('content-security-policy')).toContain("connect-src 'self';");
    const cookie = page.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/saddle_token=[0-9a-f]+; HttpOnly; SameSite=Strict/);
    const r = await call('version', {}, { cookie: cookie.split(';')[0] });
    expect(r.status).toBe(200);
    expect((await body(r)).result.host).toBe('serve');
  });

  it('validates payloads against the contract', async () => {
    const r = await call('openModel', { path: 42 });
    expect(r.status).toBe(400);
    expect((await body(r)).error.message).toMatch(/Invalid openModel request: path/);
    expect((await call('deleteEverything', {})).status).toBe(400);
  });

  it('uploads a dropped file and opens it, streaming progress over the WebSocket', async () => {
    const { ws, received: events } = await listen('tab-a');
    const bytes = readFileSync(fixture('demo', 'demo.onnx'));
    const up = await fetch(`${base}/api/upload?name=${encodeURIComponent('../../evil name.onnx')}`, {
      method: 'POST',
      body: bytes,
      headers: auth(),
    });
    const uploaded = (await body(up)).result;
    expect(uploaded.bytes).toBe(bytes.length);
    expect(uploaded.path).toMatch(/saddle-uploads-.*[/\\][0-9a-f]{64}[/\\]evil name\.onnx$/);
    const opened = await body(await call('openModel', { path: uploaded.path }, asClient('tab-a')));
    expect(opened.result.info.nParams).toBe(2324);
    await new Promise((r) => setTimeout(r, 50));
    expect(events).toContainEqual(expect.objectContaining({ type: 'progress', stage: 'reading', done: 1, total: 1 }));
    ws.close();
  });

  it('runs a Hessian analysis as a job with progress events, and cancels one', async () => {
    const { ws, received: events } = await listen('tab-h');
    const opened = await body(await call('openDemo', {}));
    const modelId = opened.result.modelId;
    const data = fixture('demo', 'demo-data.npz');
    const r = await body(
      await call(
        'hessian',
        { job: 'job-1', modelId, data, samples: 64, options: { topK: 2, bottomK: 1, iterations: 20 } },
        asClient('tab-h'),
      ),
    );
    expect(r.ok, JSON.stringify(r.error)).toBe(true);
    expect(r.result.topEigenvalues).toHaveLength(2);
    expect(events.some((e) => e.job === 'job-1' && e.stage === 'eigenvalues' && e.done > 0)).toBe(true);

    const long = call(
      'hessian',
      { job: 'job-2', modelId, data, options: { topK: 1, bottomK: 0, iterations: 2000, density: true, runs: 50 } },
      asClient('tab-h'),
    );
    await new Promise<void>((resolve) => {
      const check = () => (events.some((e) => e.job === 'job-2') ? resolve() : setTimeout(check, 20));
      check();
    });
    expect((await body(await call('cancel', { job: 'job-2' }))).result).toEqual({ cancelled: true });
    const cancelled = await body(await long);
    expect(cancelled.ok).toBe(false);
    expect(cancelled.error).toEqual({ kind: 'CancelledError', message: 'The analysis was cancelled.' });
    expect((await body(await call('cancel', { job: 'job-2' }))).result).toEqual({ cancelled: false });
    ws.close();
  });

  it('refuses a WebSocket without the token', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/api/events`);
    const failed = await new Promise<boolean>((resolve) => {
      ws.once('open', () => resolve(false));
      ws.once('error', () => resolve(true));
    });
    expect(failed).toBe(true);
  });

  it('does not serve files outside the UI folder', async () => {
    const r = await fetch(`${base}/..%2Fpackage.json`, { headers: auth() });
    expect(r.status).toBe(404);
  });

  it("routes a job's events to the client that started it; the runs list changes for everyone", async () => {
    const a = await listen('tab-1');
    const b = await listen('tab-2');
    const up = await fetch(`${base}/api/upload?name=mine.onnx`, {
      method: 'POST',
      body: readFileSync(fixture('demo', 'demo.onnx')),
      headers: asClient('tab-1'),
    });
    const opened = await body(await call('openModel', { path: (await body(up)).result.path }, asClient('tab-1')));
    const r = await body(
      await call(
        'landscape',
        {
          job: 'tab-1-scan',
          modelId: opened.result.modelId,
          data: fixture('demo', 'demo-data.npz'),
          samples: 32,
          options: { dims: 1, steps: 3 },
        },
        asClient('tab-1'),
      ),
    );
    expect(r.ok, JSON.stringify(r.error)).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(a.received.filter((e) => e.type === 'progress' && e.stage === 'reading')).toHaveLength(2);
    expect(a.received.some((e) => e.job === 'tab-1-scan' && e.stage === 'points')).toBe(true);
    expect(b.received.filter((e) => e.type === 'progress')).toEqual([]);
    expect(JSON.stringify(b.received)).not.toContain('mine.onnx');
    expect(b.received).toContainEqual({ type: 'runs-changed' });
    a.ws.close();
    b.ws.close();
  });

  it('answers a malformed percent-encoded path with 400, not 500', async () => {
    const r = await fetch(`${base}/%E0%A4%A`, { headers: auth() });
    expect(r.status).toBe(400);
    expect((await body(r)).error.message).toMatch(/not valid percent-encoding/);
  });

  it('refuses an upload named .. with 400 and no server path', async () => {
    for (const name of ['..', '.', '../..']) {
      const r = await fetch(`${base}/api/upload?name=${encodeURIComponent(name)}`, {
        method: 'POST',
        body: 'x',
        headers: auth(),
      });
      expect(r.status).toBe(400);
      const message = (await body(r)).error.message;
      expect(message).toMatch(/is not a file name/);
      expect(message).not.toContain(server.uploadDir);
      expect(message).not.toContain('/tmp');
    }
  });

  it('keeps non-ASCII upload names', async () => {
    for (const name of ['données été.npz', '模型.onnx', 'Ωmega–ñ.pt']) {
      const r = await fetch(`${base}/api/upload?name=${encodeURIComponent(name)}`, {
        method: 'POST',
        body: name,
        headers: auth(),
      });
      const result = (await body(r)).result;
      expect(result.name).toBe(name);
      expect(result.path.endsWith(`/${name}`)).toBe(true);
      expect(readFileSync(result.path, 'utf8')).toBe(name);
    }
  });

  it('says a JSON body over 1 MiB is too large (413), not that it is not JSON', async () => {
    const r = await call('openModel', { path: 'x'.repeat(1.5 * 2 ** 20) });
    expect(r.status).toBe(413);
    expect((await body(r)).error.message).toMatch(/over the 1048576-byte limit/);
  });

  it('serves a favicon', async () => {
    const r = await fetch(`${base}/favicon.ico`, { headers: auth() });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('image/svg+xml');
    expect(await r.text()).toMatch(/^<svg /);
  });
});
