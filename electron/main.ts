/**
 * Electron main process: one hardened window, the engine in a utilityProcess, and IPC handlers that
 * validate every payload and sender before forwarding to the engine. Kept thin on purpose.
 */
import { join } from 'node:path';
import {
  app,
  BrowserWindow,
  ipcMain,
  MessageChannelMain,
  protocol,
  session,
  shell,
  utilityProcess,
  type WebContents,
} from 'electron';
import { methodNames } from '../src/api/contract';
import { checkIpcCall } from './ipc';
import { savePdf } from './pdf';
import { APP_SCHEME_PRIVILEGES, serveAppRequest } from './protocol';
import {
  APP_SCHEME,
  CHANNEL_PREFIX,
  ENGINE_RESTARTED_CHANNEL,
  EVENTS_PORT_CHANNEL,
  isAllowedExternalUrl,
  isPermissionAllowed,
  rendererEntryUrl,
  secureWebPreferences,
  trustedDevServerUrl,
} from './security';

type Outcome = { ok: boolean; result?: unknown; error?: { kind: string; message: string } };
type Engine = { process: Electron.UtilityProcess; pending: Map<number, (o: Outcome) => void> };

// The dev server is honoured only in an unpackaged app (see trustedDevServerUrl).
const devServerUrl = trustedDevServerUrl(app.isPackaged, process.env.ELECTRON_RENDERER_URL);
const rendererDir = join(import.meta.dirname, '../renderer');
let engine: Engine | null = null;
let nextId = 1;
let window: BrowserWindow | null = null;

function startEngine(): Engine {
  // Runs live in the OS's app-data folder (e.g. ~/.config/Saddle on Linux), shared across restarts.
  const db = join(app.getPath('userData'), 'saddle.db');
  const child = utilityProcess.fork(join(import.meta.dirname, 'engine.js'), [`--db=${db}`], {
    serviceName: 'Saddle engine',
  });
  const started: Engine = { process: child, pending: new Map() };
  child.on('message', (m: { id: number; outcome: Outcome }) => {
    started.pending.get(m.id)?.(m.outcome);
    started.pending.delete(m.id);
  });
  child.on('exit', (code) => {
    if (engine !== started) return;
    const message = `The analysis engine stopped unexpectedly (exit code ${code}); it has been restarted and unfinished work was lost.`;
    for (const resolve of started.pending.values()) resolve({ ok: false, error: { kind: 'engine-crashed', message } });
    engine = startEngine();
    connectEvents();
    window?.webContents.send(ENGINE_RESTARTED_CHANNEL, message);
  });
  return started;
}

/** A fresh MessagePort pair: one end to the engine, the other to the renderer. */
function connectEvents(): void {
  if (!engine || !window) return;
  const { port1, port2 } = new MessageChannelMain();
  engine.process.postMessage({ type: 'events-port' }, [port1]);
  window.webContents.postMessage(EVENTS_PORT_CHANNEL, null, [port2]);
}

function callEngine(method: string, payload: unknown): Promise<Outcome> {
  if (!engine) engine = startEngine();
  const current = engine;
  const id = nextId++;
  return new Promise((resolve) => {
    current.pending.set(id, resolve);
    current.process.postMessage({ type: 'call', id, method, payload });
  });
}

function registerHandlers(): void {
  for (const method of methodNames) {
    ipcMain.handle(CHANNEL_PREFIX + method, async (event, payload: unknown) => {
      const frame = event.senderFrame;
      const sender = frame ? { url: frame.url, isTopFrame: frame.parent === null } : null;
      const checked = checkIpcCall(method, sender, payload, devServerUrl);
      if (!checked.ok) return checked;
      if (method === 'exportPdf') return exportPdf(checked.request as { id: string });
      return callEngine(method, checked.request);
    });
  }
}

/** The engine writes the HTML report; this process prints it to PDF (only Chromium can). */
async function exportPdf(request: { id: string }): Promise<Outcome> {
  const html = await callEngine('exportRun', { id: request.id, format: 'html' });
  if (!html.ok) return html;
  const file = html.result as { fileName: string; content: string };
  try {
    const saved = await savePdf(window, file.fileName.replace(/\.html$/, '.pdf'), file.content);
    return { ok: true, result: { file: saved } };
  } catch (e) {
    return { ok: false, error: { kind: 'pdf', message: `The PDF could not be written: ${(e as Error).message}` } };
  }
}

function createWindow(): void {
  window = new BrowserWindow({
    width: 1200,
    height: 860,
    title: 'Saddle',
    webPreferences: secureWebPreferences(join(import.meta.dirname, '../preload/index.cjs')),
  });
  window.webContents.on('did-finish-load', connectEvents);
  void window.loadURL(rendererEntryUrl(devServerUrl, process.argv.includes('--demo')));
}

/**
 * Every web contents (the window, the hidden PDF printer, anything else) stays on the page it was
 * given: no navigation, no redirects, no new windows, no <webview>. A window.open of an allow-listed
 * https link opens in the user's browser instead.
 */
function confine(contents: WebContents): void {
  contents.setWindowOpenHandler(({ url }) => {
    if (isAllowedExternalUrl(url)) void shell.openExternal(url);
    return { action: 'deny' };
  });
  contents.on('will-navigate', (e) => e.preventDefault());
  contents.on('will-frame-navigate', (e) => e.preventDefault());
  contents.on('will-redirect', (e) => e.preventDefault());
  contents.on('will-attach-webview', (e) => e.preventDefault());
}

// Custom schemes get their privileges before `ready`, or not at all.
protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { ...APP_SCHEME_PRIVILEGES } }]);
app.on('web-contents-created', (_e, contents) => confine(contents));

app.whenReady().then(() => {
  const ses = session.defaultSession;
  ses.protocol.handle(APP_SCHEME, (request) => serveAppRequest(request, rendererDir));
  ses.setPermissionRequestHandler((_wc, permission, callback, details) =>
    callback(isPermissionAllowed(permission, details.requestingUrl)),
  );
  ses.setPermissionCheckHandler((_wc, permission, requestingOrigin) =>
    isPermissionAllowed(permission, requestingOrigin),
  );
  ses.setDevicePermissionHandler(() => false);
  engine = startEngine();
  registerHandlers();
  createWindow();
});

app.on('window-all-closed', () => {
  engine?.process.kill();
  app.quit();
});
