/**
 * The `saddle://app/` scheme the window loads the UI from, instead of `file://`: a file:// page may
 * read any local file and gets no response headers, so its CSP could only come from a <meta> tag.
 * Here every response carries the CSP as a header and only files inside the renderer build folder
 * are served. Pure functions (no `electron` import), so a test can call them directly.
 */
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import { uiFileType } from '../src/util/mime';
import { APP_HOST, APP_SCHEME, CONTENT_SECURITY_POLICY } from './security';

/**
 * Registered before `ready`. `standard` gives the scheme a real origin (relative URLs, storage,
 * same-origin module scripts); `secure` makes it a secure context like https. Nothing more: no
 * `bypassCSP`, and no `corsEnabled` (which would let other origins read our files).
 * `supportFetchAPI` lets the page fetch its own files, as Vite's module preloading may.
 */
export const APP_SCHEME_PRIVILEGES = { standard: true, secure: true, supportFetchAPI: true } as const;

export type AppFile = { ok: true; file: string } | { ok: false; status: 400 | 404; reason: string };

/**
 * The file under `rootDir` that `url` names, or why none is served: another scheme or host, a
 * malformed %-escape, a NUL or backslash, or a path that would leave the folder.
 */
export function resolveAppFile(url: string, rootDir: string): AppFile {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { ok: false, status: 400, reason: `'${url}' is not a URL.` };
  }
  if (parsed.protocol !== `${APP_SCHEME}:` || parsed.host !== APP_HOST || parsed.username || parsed.password) {
    return { ok: false, status: 404, reason: `'${url}' is not a page of this app.` };
  }
  let path: string;
  try {
    path = decodeURIComponent(parsed.pathname);
  } catch {
    return { ok: false, status: 400, reason: `'${parsed.pathname}' has a malformed %-escape.` };
  }
  if (path.includes('\0') || path.includes('\\')) {
    return { ok: false, status: 400, reason: `'${parsed.pathname}' has a NUL or a backslash.` };
  }
  const rel = path === '/' || path === '' ? 'index.html' : path.replace(/^\/+/, '');
  const root = normalize(rootDir);
  const file = normalize(join(root, rel));
  if (!file.startsWith(root.endsWith(sep) ? root : root + sep)) {
    return { ok: false, status: 404, reason: `'${parsed.pathname}' is outside the app.` };
  }
  return { ok: true, file };
}

/** The headers of every file the scheme serves: its type, the CSP, and no MIME sniffing. */
export function appResponseHeaders(file: string): Record<string, string> {
  return {
    'Content-Type': uiFileType(extname(file)),
    'Content-Security-Policy': CONTENT_SECURITY_POLICY,
    'X-Content-Type-Options': 'nosniff',
  };
}

/** The `protocol.handle` handler: GET only, files from `rootDir` only, the CSP on every answer. */
export async function serveAppRequest(request: Request, rootDir: string): Promise<Response> {
  const refuse = (status: number, text: string) =>
    new Response(text, { status, headers: { ...appResponseHeaders('.txt'), 'Content-Type': 'text/plain' } });
  if (request.method !== 'GET' && request.method !== 'HEAD') return refuse(405, 'Only GET and HEAD are served.');
  const target = resolveAppFile(request.url, rootDir);
  if (!target.ok) return refuse(target.status, target.reason);
  let body: Buffer;
  try {
    body = await readFile(target.file);
  } catch {
    return refuse(404, `Not found: ${new URL(request.url).pathname}`);
  }
  const init = { status: 200, headers: appResponseHeaders(target.file) };
  return new Response(request.method === 'HEAD' ? null : new Uint8Array(body), init);
}
