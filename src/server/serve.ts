/**
 * `saddle serve`: the built renderer and the API over HTTP, progress over WebSocket.
 *
 * Security model (as Jupyter's): loopback by default; a random token in the printed URL. The first
 * page load with `?token=` sets an HttpOnly, SameSite=Strict cookie so the page's own requests carry
 * it. Every request must present the token (cookie, `Authorization: Bearer`, or `?token=`), and any
 * request that names a different Origin, or a Host other than the one we listen on, is refused
 * (that stops cross-site requests and DNS rebinding).
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, extname, join, normalize, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { type WebSocket, WebSocketServer } from 'ws';
import type { EngineEvent } from '../api/contract';
import { dispatch } from '../api/dispatch';
import { SaddleService } from '../api/service';
import { rendererDir } from '../resources';
import { RunStore } from '../store/store';

export interface ServeOptions {
  port: number;
  host: string;
  requireToken?: boolean;
  /** Folder of the built renderer; defaults to out/renderer in the package. */
  staticDir?: string;
  /** Largest accepted upload, in bytes. */
  maxUploadBytes?: number;
  /** The runs database analyses are recorded in (none: not recorded). */
  db?: string;
}

export interface RunningServer {
  url: string;
  token: string;
  port: number;
  close(): Promise<void>;
}

const COOKIE = 'saddle_token';
const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
};
// connect-src 'self' covers the page's WebSocket to this same host (CSP 3: Chrome 71, Firefox,
// Safari 16); naming ws: or wss: would let a script reach any host.
const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

export async function startServer(opts: ServeOptions): Promise<RunningServer> {
  const token = randomBytes(24).toString('hex');
  const requireToken = opts.requireToken !== false;
  const staticDir = opts.staticDir ?? rendererDir();
  const uploadDir = await mkdtemp(join(tmpdir(), 'saddle-uploads-'));
  const maxUpload = opts.maxUploadBytes ?? 8 * 2 ** 30;
  const sockets = new Set<WebSocket>();
  const broadcast = (event: EngineEvent) => {
    const text = JSON.stringify(event);
    for (const ws of sockets) ws.send(text);
  };
  const store = opts.db ? new RunStore(opts.db) : null;
  const service = new SaddleService('serve', broadcast, store);
  let boundPort = opts.port;

  const allowedHosts = () =>
    new Set([`${opts.host}:${boundPort}`, `localhost:${boundPort}`, `127.0.0.1:${boundPort}`, `[::1]:${boundPort}`]);

  const checkRequest = (req: IncomingMessage): string | null => {
    const host = req.headers.host ?? '';
    if (!allowedHosts().has(host)) return `Host '${host}' is not this server.`;
    const origin = req.headers.origin;
    if (origin && origin !== `http://${host}`) return `Requests from origin '${origin}' are not allowed.`;
    if (requireToken && !hasToken(req, token))
      return 'A valid access token is required; open the URL that `saddle serve` printed.';
    return null;
  };

  const server = createServer(async (req, res) => {
    try {
      const refused = checkRequest(req);
      if (refused) return sendJson(res, 403, { ok: false, error: { kind: 'forbidden', message: refused } });
      const url = new URL(req.url ?? '/', 'http://localhost');
      if (url.pathname.startsWith('/api/')) return await handleApi(req, res, url);
      if (req.method !== 'GET' && req.method !== 'HEAD')
        return sendJson(res, 405, { ok: false, error: { kind: 'method', message: 'Only GET is served here.' } });
      const cookie =
        url.searchParams.get('token') === token ? `${COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/` : null;
      return await serveStatic(res, staticDir, url.pathname, cookie);
    } catch (e) {
      sendJson(res, 500, {
        ok: false,
        error: { kind: 'internal', message: e instanceof Error ? e.message : String(e) },
      });
    }
  });

  async function handleApi(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    if (req.method !== 'POST')
      return sendJson(res, 405, { ok: false, error: { kind: 'method', message: 'API calls use POST.' } });
    const method = url.pathname.slice('/api/'.length);
    if (method === 'upload') return await handleUpload(req, res, url);
    let payload: unknown;
    try {
      payload = JSON.parse((await readBody(req, 1 << 20)) || '{}');
    } catch (e) {
      return sendJson(res, 400, {
        ok: false,
        error: { kind: 'bad-request', message: `The request body is not JSON (${(e as Error).message}).` },
      });
    }
    const result = await dispatch(service, method, payload);
    sendJson(res, result.ok ? 200 : result.error.kind === 'bad-request' ? 400 : 422, result);
  }

  /** A browser cannot give a path: the dropped file's bytes come here and are saved to a temp folder. */
  async function handleUpload(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const name =
      basename(url.searchParams.get('name') ?? 'upload')
        .replace(/[^\w.-]+/g, '_')
        .slice(0, 200) || 'upload';
    const declared = Number(req.headers['content-length'] ?? Number.NaN);
    if (declared > maxUpload)
      return sendJson(res, 413, {
        ok: false,
        error: {
          kind: 'too-large',
          message: `'${name}' is ${declared} bytes, over the ${maxUpload}-byte upload limit.`,
        },
      });
    const dir = await mkdtemp(join(uploadDir, 'f-'));
    const path = join(dir, name);
    let received = 0;
    req.on('data', (chunk: Buffer) => {
      received += chunk.length;
      if (received > maxUpload) req.destroy(new Error(`'${name}' exceeds the ${maxUpload}-byte upload limit.`));
    });
    try {
      await pipeline(req, createWriteStream(path));
    } catch (e) {
      await rm(dir, { recursive: true, force: true });
      return sendJson(res, 413, { ok: false, error: { kind: 'upload', message: (e as Error).message } });
    }
    sendJson(res, 200, { ok: true, result: { path, bytes: received } });
  }

  const wss = new WebSocketServer({ noServer: true });
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const refused = checkRequest(req);
    if (refused || url.pathname !== '/api/events') {
      socket.end('HTTP/1.1 403 Forbidden\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      sockets.add(ws);
      ws.on('close', () => sockets.delete(ws));
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => resolve());
  });
  boundPort = (server.address() as AddressInfo).port;
  const hostInUrl = opts.host.includes(':') ? `[${opts.host}]` : opts.host;
  const url = `http://${hostInUrl}:${boundPort}/${requireToken ? `?token=${token}` : ''}`;
  return {
    url,
    token,
    port: boundPort,
    close: async () => {
      for (const ws of sockets) ws.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(uploadDir, { recursive: true, force: true });
      store?.close();
    },
  };
}

function hasToken(req: IncomingMessage, token: string): boolean {
  const candidates: string[] = [];
  const auth = req.headers.authorization;
  if (auth?.startsWith('Bearer ')) candidates.push(auth.slice(7));
  const cookie = req.headers.cookie ?? '';
  for (const part of cookie.split(';')) {
    const [k, v] = part.trim().split('=');
    if (k === COOKIE && v) candidates.push(v);
  }
  const query = new URL(req.url ?? '/', 'http://localhost').searchParams.get('token');
  if (query) candidates.push(query);
  const want = Buffer.from(token);
  return candidates.some((c) => {
    const got = Buffer.from(c);
    return got.length === want.length && timingSafeEqual(got, want);
  });
}

async function serveStatic(res: ServerResponse, root: string, pathname: string, cookie: string | null): Promise<void> {
  const rel = pathname === '/' ? 'index.html' : decodeURIComponent(pathname).replace(/^\/+/, '');
  const full = normalize(join(root, rel));
  if (!full.startsWith(normalize(root) + sep))
    return sendJson(res, 404, { ok: false, error: { kind: 'not-found', message: 'Not found.' } });
  let body: Buffer;
  try {
    body = await readFile(full);
  } catch {
    const message = rel === 'index.html' ? 'The UI is not built; run `npm run build` first.' : `Not found: ${rel}`;
    return sendJson(res, 404, { ok: false, error: { kind: 'not-found', message } });
  }
  const headers: Record<string, string> = {
    'content-type': MIME[extname(full)] ?? 'application/octet-stream',
    'content-security-policy': CSP,
    'x-content-type-options': 'nosniff',
    'cache-control': 'no-store',
  };
  if (cookie) headers['set-cookie'] = cookie;
  res.writeHead(200, headers).end(body);
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res
    .writeHead(status, { 'content-type': 'application/json', 'x-content-type-options': 'nosniff' })
    .end(JSON.stringify(body));
}

async function readBody(req: IncomingMessage, limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new Error(`the body is over ${limit} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}
