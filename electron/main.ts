/**
 * Electron main process: one hardened window, the engine in a utilityProcess, and IPC handlers that
 * validate every payload and sender before forwarding to the engine. Kept thin on purpose.
 */
import { join } from 'node:path';
import { app, BrowserWindow, ipcMain, MessageChannelMain, session, shell, utilityProcess } from 'electron';
import { methodNames, methods } from '../src/api/contract';
import { savePdf } from './pdf';
import {
  CHANNEL_PREFIX,
  CONTENT_SECURITY_POLICY,
  ENGINE_RESTARTED_CHANNEL,
  EVENTS_PORT_CHANNEL,
  isTrustedSender,
  secureWebPreferences,
} from './security';

type Outcome = { ok: boolean; result?: unknown; error?: { kind: string; message: string } };
type Engine = { process: Electron.UtilityProcess; pending: Map<number, (o: Outcome) => void> };

const devServerUrl = process.env.ELECTRON_RENDERER_URL;
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
      if (!isTrustedSender(event.senderFrame?.url ?? '', devServerUrl)) {
        return { ok: false, error: { kind: 'forbidden', message: 'This page may not call the engine.' } };
      }
      const parsed = methods[method].request.safeParse(payload ?? {});
      if (!parsed.success) {
        return {
          ok: false,
          error: { kind: 'bad-request', message: `Invalid ${method} request: ${parsed.error.issues[0]?.message}.` },
        };
      }
      if (method === 'exportPdf') return exportPdf(parsed.data as { id: string });
      return callEngine(method, parsed.data);
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
  const contents = window.webContents;
  contents.setWindowOpenHandler(({ url }) => {
    if (url.startsWith('https://')) void shell.openExternal(url);
    return { action: 'deny' };
  });
  contents.on('will-navigate', (e) => e.preventDefault());
  contents.on('will-redirect', (e) => e.preventDefault());
  contents.on('did-finish-load', connectEvents);
  const demo = process.argv.includes('--demo') ? '#demo' : '';
  if (devServerUrl) void window.loadURL(devServerUrl + demo);
  else void window.loadFile(join(import.meta.dirname, '../renderer/index.html'), { hash: demo.slice(1) });
}

app.on('web-contents-created', (_e, contents) => {
  contents.on('will-attach-webview', (e) => e.preventDefault());
});

app.whenReady().then(() => {
  session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] } });
  });
  session.defaultSession.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  engine = startEngine();
  registerHandlers();
  createWindow();
});

app.on('window-all-closed', () => {
  engine?.process.kill();
  app.quit();
});
