/**
 * `saddle serve`: the built renderer and the API over HTTP, progress over WebSocket.
 *
 * Security model (as Jupyter's): loopback by default; a random token in the printed URL. The first
 * page load with `?token=` sets an HttpOnly, SameSite=Strict cookie so the page's own requests carry
 * it. Every request must present the token (cookie, `Authorization: Bearer`, or `?token=`), and any
 * request that names a different Origin, or a Host other than the one we listen on, is refused
 * (that stops cross-site requests and DNS rebinding).
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { WebSocketServer } from 'ws';
import type { ApiResult, EngineEvent } from '../api/contract';
import { dispatch } from '../api/dispatch';
import { SaddleService } from '../api/service';
import { rendererDir } from '../resources';
import { RunStore } from '../store/store';
import { CLIENT_HEADER, CLIENT_ID, EventRouter } from './events';
import { COOKIE, HttpError, hasToken, readBody, sendError, sendJson, serveStatic } from './http';
import { safeUploadName, UploadError, UploadStore } from './uploads';

export interface ServeOptions {
  port: number;
  host: string;
  requireToken?: boolean;
  /** Folder of the built renderer; defaults to out/renderer in the package. */
  staticDir?: string;
  /** Largest accepted upload, in bytes. */
  maxUploadBytes?: number;
  /** Largest total of kept uploads, in bytes. */
  uploadQuotaBytes?: number;
  /** The runs database analyses are recorded in (none: not recorded, uploads kept only while serving). */
  db?: string;
}

export interface RunningServer {
  url: string;
  token: string;
  port: number;
  /** Where uploads are kept: `<db>.uploads` beside the runs database, or a temporary folder. */
  uploadDir: string;
  close(): Promise<void>;
}

export const DEFAULT_MAX_UPLOAD = 8 * 2 ** 30;
export const DEFAULT_UPLOAD_QUOTA = 32 * 2 ** 30;
const API_BODY_LIMIT = 1 << 20;

/** Every file path a recorded run needs to resume or export: its model, data and weights. */
function referencedPaths(store: RunStore | null): Set<string> {
  const paths = new Set<string>();
  for (const run of store?.listRuns() ?? []) {
    const model = (JSON.parse(run.options) as { model?: unknown }).model;
    if (typeof model === 'string') paths.add(model);
    for (const p of [run.data_path, run.weights_path]) for (const f of p?.split(',') ?? []) paths.add(f.trim());
  }
  return paths;
}

export async function startServer(opts: ServeOptions): Promise<RunningServer> {
  const token = randomBytes(24).toString('hex');
  const requireToken = opts.requireToken !== false;
  const staticDir = opts.staticDir ?? rendererDir();
  const store = opts.db ? new RunStore(opts.db) : null;
  const uploadDir = opts.db ? `${resolve(opts.db)}.uploads` : await mkdtemp(join(tmpdir(), 'saddle-uploads-'));
  const uploads = new UploadStore(uploadDir, {
    maxFileBytes: opts.maxUploadBytes ?? DEFAULT_MAX_UPLOAD,
    quotaBytes: opts.uploadQuotaBytes ?? DEFAULT_UPLOAD_QUOTA,
  });
  await uploads.open(referencedPaths(store));
  const events = new EventRouter();
  // Event messages name files: the user's names, not where the server keeps them.
  const emit = (event: EngineEvent) =>
    events.send(
      event.type === 'progress' && event.message ? { ...event, message: uploads.displayText(event.message) } : event,
    );
  const service = new SaddleService('serve', emit, store);
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
      if (refused) throw new HttpError(403, 'forbidden', refused);
      const url = new URL(req.url ?? '/', 'http://localhost');
      if (url.pathname.startsWith('/api/')) return await handleApi(req, res, url);
      if (req.method !== 'GET' && req.method !== 'HEAD') throw new HttpError(405, 'method', 'Only GET is served here.');
      const cookie =
        url.searchParams.get('token') === token ? `${COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/` : null;
      return await serveStatic(res, staticDir, url.pathname, cookie);
    } catch (e) {
      if (e instanceof HttpError) return sendError(res, e);
      const message = uploads.displayText(e instanceof Error ? e.message : String(e));
      sendError(res, new HttpError(500, 'internal', message));
    }
  });

  async function handleApi(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    if (req.method !== 'POST') throw new HttpError(405, 'method', 'API calls use POST.');
    const method = url.pathname.slice('/api/'.length);
    if (method === 'upload') return await handleUpload(req, res, url);
    const text = await readBody(req, API_BODY_LIMIT);
    let payload: unknown;
    try {
      payload = JSON.parse(text || '{}');
    } catch (e) {
      throw new HttpError(400, 'bad-request', `The request body is not JSON (${(e as Error).message}).`);
    }
    const header = req.headers[CLIENT_HEADER];
    const client = typeof header === 'string' && CLIENT_ID.test(header) ? header : null;
    const job = (payload as { job?: unknown } | null)?.job;
    const result = await events.asCaller(client, typeof job === 'string' ? job : undefined, () =>
      dispatch(service, method, payload),
    );
    sendJson(res, result.ok ? 200 : result.error.kind === 'bad-request' ? 400 : 422, forTheUser(method, result));
  }

  /**
   * What the browser sees names the user's files, not the upload folder: errors, run views and text
   * exports. (Results the UI passes back, such as an opened model's path, keep the real path.)
   */
  function forTheUser(method: string, result: ApiResult<unknown>): ApiResult<unknown> {
    if (!result.ok)
      return { ok: false, error: { ...result.error, message: uploads.displayText(result.error.message) } };
    const text = method === 'getRun' || method === 'listRuns' || method === 'exportRun';
    const utf8 = (result.result as { encoding?: string }).encoding !== 'base64';
    return text && utf8 ? (JSON.parse(uploads.displayText(JSON.stringify(result))) as ApiResult<unknown>) : result;
  }

  /** A browser cannot give a path: the dropped file's bytes come here and are kept in the upload store. */
  async function handleUpload(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    try {
      const name = safeUploadName(url.searchParams.get('name') ?? 'upload');
      const declared = Number(req.headers['content-length'] ?? Number.NaN);
      const saved = await uploads.save(req, name, declared, () => referencedPaths(store));
      sendJson(res, 200, { ok: true, result: { path: saved.path, bytes: saved.bytes, name } });
    } catch (e) {
      if (!(e instanceof UploadError)) throw e;
      // The rest of a refused body is not wanted: close the connection once the answer is sent.
      res.setHeader('connection', 'close');
      sendError(res, new HttpError(e.status, e.status === 400 ? 'bad-request' : 'too-large', e.message));
    }
  }

  const wss = new WebSocketServer({ noServer: true });
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const refused = checkRequest(req);
    if (refused || url.pathname !== '/api/events') {
      socket.end('HTTP/1.1 403 Forbidden\r\n\r\n');
      return;
    }
    const client = url.searchParams.get('client');
    wss.handleUpgrade(req, socket, head, (ws) => events.add(ws, client && CLIENT_ID.test(client) ? client : null));
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
    uploadDir,
    close: async () => {
      events.closeAll();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      if (!opts.db) await rm(uploadDir, { recursive: true, force: true });
      store?.close();
    },
  };
}
