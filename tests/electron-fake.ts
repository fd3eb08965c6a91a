/**
 * A recording stand-in for the `electron` module, so the BUILT main process (out/main/index.js) can
 * be imported and its configuration read: which schemes it registers, what the window loads, which
 * handlers it installs. Electron's binary cannot run here; this fake runs nothing but records calls,
 * and the tests then call the recorded handlers as Electron would.
 */
import { vi } from 'vitest';

type Handler = (...args: never[]) => unknown;

export class Emitter {
  readonly listeners = new Map<string, Handler[]>();
  on(name: string, listener: Handler): this {
    this.listeners.set(name, [...(this.listeners.get(name) ?? []), listener]);
    return this;
  }
  once(name: string, listener: Handler): this {
    return this.on(name, listener);
  }
  /** Calls every listener of `name` with `args`, as Electron would emit the event. */
  emit(name: string, ...args: unknown[]): unknown[] {
    return (this.listeners.get(name) ?? []).map((l) => (l as (...a: unknown[]) => unknown)(...args));
  }
}

export class FakeWebContents extends Emitter {
  windowOpenHandler: ((details: { url: string }) => { action: string }) | null = null;
  readonly sent: unknown[][] = [];
  setWindowOpenHandler(handler: (details: { url: string }) => { action: string }): void {
    this.windowOpenHandler = handler;
  }
  send(...args: unknown[]): void {
    this.sent.push(args);
  }
  postMessage(...args: unknown[]): void {
    this.sent.push(args);
  }
}

export interface FakeWindow {
  options: { webPreferences?: Record<string, unknown> } & Record<string, unknown>;
  webContents: FakeWebContents;
  loadedUrls: string[];
  loadedFiles: string[];
}

export interface FakeFork {
  modulePath: string;
  args: string[];
  posted: unknown[];
  /** Emit 'message' on it to answer as the engine would. */
  process: Emitter;
}

type RequestHandler = (request: Request) => Response | Promise<Response>;

export interface FakeElectron {
  module: Record<string, unknown>;
  /** Every registerSchemesAsPrivileged call, and whether `ready` had fired by then. */
  privileged: Array<{ schemes: Array<{ scheme: string; privileges?: Record<string, boolean> }>; afterReady: boolean }>;
  protocolHandlers: Map<string, RequestHandler>;
  windows: FakeWindow[];
  contents: FakeWebContents[];
  ipcHandlers: Map<string, (event: unknown, payload: unknown) => Promise<unknown>>;
  forks: FakeFork[];
  openedExternally: string[];
  permissionRequestHandler: Handler | null;
  permissionCheckHandler: Handler | null;
  devicePermissionHandler: Handler | null;
  /** Fires `ready` and lets the main process's whenReady() callback run. */
  ready(): Promise<void>;
}

export function makeFakeElectron(opts: { isPackaged: boolean }): FakeElectron {
  let isReady = false;
  let resolveReady: () => void = () => {};
  const readyPromise = new Promise<void>((resolve) => {
    resolveReady = resolve;
  });
  const app = new (class extends Emitter {
    isPackaged = opts.isPackaged;
    getPath = (name: string) => `/tmp/saddle-fake-electron/${name}`;
    whenReady = () => readyPromise;
    quit = vi.fn();
  })();
  const fake: FakeElectron = {
    module: {},
    privileged: [],
    protocolHandlers: new Map(),
    windows: [],
    contents: [],
    ipcHandlers: new Map(),
    forks: [],
    openedExternally: [],
    permissionRequestHandler: null,
    permissionCheckHandler: null,
    devicePermissionHandler: null,
    async ready() {
      isReady = true;
      resolveReady();
      await new Promise((r) => setTimeout(r, 0));
    },
  };
  const protocol = {
    registerSchemesAsPrivileged: (schemes: FakeElectron['privileged'][number]['schemes']) =>
      fake.privileged.push({ schemes, afterReady: isReady }),
    handle: (scheme: string, handler: RequestHandler) => fake.protocolHandlers.set(scheme, handler),
  };
  const defaultSession = {
    protocol,
    webRequest: { onHeadersReceived: vi.fn(), onBeforeRequest: vi.fn() },
    setPermissionRequestHandler: (h: Handler) => {
      fake.permissionRequestHandler = h;
    },
    setPermissionCheckHandler: (h: Handler) => {
      fake.permissionCheckHandler = h;
    },
    setDevicePermissionHandler: (h: Handler) => {
      fake.devicePermissionHandler = h;
    },
  };
  class BrowserWindow {
    readonly webContents = new FakeWebContents();
    readonly record: FakeWindow;
    constructor(options: FakeWindow['options']) {
      this.record = { options, webContents: this.webContents, loadedUrls: [], loadedFiles: [] };
      fake.windows.push(this.record);
      fake.contents.push(this.webContents);
      app.emit('web-contents-created', {}, this.webContents);
    }
    loadURL(url: string) {
      this.record.loadedUrls.push(url);
      return Promise.resolve();
    }
    loadFile(file: string, options?: { hash?: string }) {
      this.record.loadedFiles.push(options?.hash ? `${file}#${options.hash}` : file);
      return Promise.resolve();
    }
    destroy() {}
  }
  const utilityProcess = {
    fork(modulePath: string, args: string[] = []) {
      const child = Object.assign(new Emitter(), {
        postMessage: (message: unknown) => record.posted.push(message),
        kill: vi.fn(),
      });
      const record: FakeFork = { modulePath, args, posted: [], process: child };
      fake.forks.push(record);
      return child;
    },
  };
  class MessageChannelMain {
    port1 = { start: vi.fn() };
    port2 = { start: vi.fn() };
  }
  fake.module = {
    app,
    protocol,
    session: { defaultSession },
    BrowserWindow,
    utilityProcess,
    MessageChannelMain,
    ipcMain: { handle: (channel: string, h: never) => fake.ipcHandlers.set(channel, h) },
    shell: { openExternal: async (url: string) => void fake.openedExternally.push(url) },
    dialog: { showSaveDialog: vi.fn() },
  };
  return fake;
}
