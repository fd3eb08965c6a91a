/** Small HTTP pieces of `saddle serve`: JSON answers, bounded bodies, static files, the token check. */
import { timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';
import { UI_FILE_TYPES, uiFileType } from '../util/mime';

export const COOKIE = 'saddle_token';

export const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

/** The saddle-surface mark, served at /favicon.ico and /favicon.svg (browsers ask for it). */
export const FAVICON_SVG =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="6" fill="#1d3557"/>' +
  '<path d="M4 12 Q16 26 28 12 M4 22 Q16 8 28 22" fill="none" stroke="#f1faee" stroke-width="2.5" stroke-linecap="round"/></svg>';

/** An error answer: status, a class for the UI, and a sentence. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly kind: string,
    message: string,
  ) {
    super(message);
  }
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res
    .writeHead(status, { 'content-type': 'application/json', 'x-content-type-options': 'nosniff' })
    .end(JSON.stringify(body));
}

export function sendError(res: ServerResponse, e: HttpError): void {
  sendJson(res, e.status, { ok: false, error: { kind: e.kind, message: e.message } });
}

/** The request body as text; a body over `limit` bytes is refused with 413 before it is all read. */
export async function readBody(req: IncomingMessage, limit: number): Promise<string> {
  const tooLarge = () =>
    new HttpError(413, 'too-large', `The request body is over the ${limit}-byte limit for API calls.`);
  if (Number(req.headers['content-length'] ?? 0) > limit) throw tooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw tooLarge();
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export function hasToken(req: IncomingMessage, token: string): boolean {
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

export async function serveStatic(
  res: ServerResponse,
  root: string,
  pathname: string,
  cookie: string | null,
): Promise<void> {
  const headers: Record<string, string> = {
    'content-security-policy': CSP,
    'x-content-type-options': 'nosniff',
    'cache-control': 'no-store',
  };
  if (cookie) headers['set-cookie'] = cookie;
  if (pathname === '/favicon.ico' || pathname === '/favicon.svg') {
    res.writeHead(200, { ...headers, 'content-type': UI_FILE_TYPES['.svg'] }).end(FAVICON_SVG);
    return;
  }
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    throw new HttpError(400, 'bad-request', 'The path is not valid percent-encoding.');
  }
  const rel = pathname === '/' ? 'index.html' : decoded.replace(/^\/+/, '');
  const full = normalize(join(root, rel));
  if (!full.startsWith(normalize(root) + sep)) throw new HttpError(404, 'not-found', 'Not found.');
  let body: Buffer;
  try {
    body = await readFile(full);
  } catch {
    const message = rel === 'index.html' ? 'The UI is not built; run `npm run build` first.' : `Not found: ${rel}`;
    throw new HttpError(404, 'not-found', message);
  }
  res.writeHead(200, { ...headers, 'content-type': uiFileType(extname(full)) }).end(body);
}
