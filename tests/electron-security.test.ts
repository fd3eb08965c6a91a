/**
 * The desktop shell against Electron's security checklist. Electron's binary cannot run here, so
 * two kinds of check: the pure trust decisions in electron/*.ts, called directly; and the BUILT main
 * process (out/main/index.js, from `npx electron-vite build`) imported against a recording fake of
 * the `electron` module, whose recorded handlers are then called as Electron would call them.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { describe, expect, it, vi } from 'vitest';
import { makeBridge } from '../electron/bridge';
import { FUSE_V1_WIRE_INDEX, fuseConfig, SADDLE_FUSES } from '../electron/fuses';
import { checkIpcCall } from '../electron/ipc';
import { resolveAppFile } from '../electron/protocol';
import {
  APP_ENTRY_URL,
  CONTENT_SECURITY_POLICY,
  isAllowedExternalUrl,
  isPermissionAllowed,
  isTrustedSender,
  rendererEntryUrl,
  secureWebPreferences,
  trustedDevServerUrl,
} from '../electron/security';
import { methodNames } from '../src/api/contract';
import { type FakeElectron, makeFakeElectron } from './electron-fake';
import { ROOT } from './helpers';

const BUNDLE = `${ROOT}/out/main/index.js`;
const RENDERER_OUT = `${ROOT}/out/renderer`;

/** A CSP as directive -> sources. */
function directives(csp: string): Map<string, string[]> {
  const parts = csp.split(';').map((d) => d.trim().split(/\s+/));
  return new Map(parts.filter((p) => p[0]).map(([name, ...sources]) => [name, sources]));
}

/** The CSP of an HTML file's <meta http-equiv> tag. */
function metaCsp(file: string): string {
  const html = readFileSync(file, 'utf8');
  const match = html.match(/http-equiv="Content-Security-Policy"\s+content="([^"]+)"/);
  if (!match) throw new Error(`${file} has no CSP meta tag.`);
  return match[1];
}

/** The built bundle must be newer than the sources it is built from, or these tests read old code. */
function assertBundleFresh(): void {
  let built: number;
  try {
    built = statSync(BUNDLE).mtimeMs;
  } catch {
    throw new Error(`${BUNDLE} is missing: run \`npx electron-vite build\` (or \`npm run build\`) first.`);
  }
  const sources = readdirSync(`${ROOT}/electron`).map((f) => `${ROOT}/electron/${f}`);
  for (const source of [...sources, `${ROOT}/src/api/contract.ts`]) {
    if (statSync(source).mtimeMs > built) {
      throw new Error(`${BUNDLE} is older than ${source}: run \`npx electron-vite build\` first.`);
    }
  }
}

/** Imports the built main process afresh against a fake Electron, then fires `ready`. */
async function loadMain(opts: { isPackaged: boolean; rendererUrl?: string }): Promise<FakeElectron> {
  assertBundleFresh();
  const fake = makeFakeElectron(opts);
  vi.resetModules();
  vi.doMock('electron', () => fake.module);
  const saved = process.env.ELECTRON_RENDERER_URL;
  if (opts.rendererUrl) process.env.ELECTRON_RENDERER_URL = opts.rendererUrl;
  else delete process.env.ELECTRON_RENDERER_URL;
  try {
    await import(/* @vite-ignore */ BUNDLE);
  } finally {
    if (saved === undefined) delete process.env.ELECTRON_RENDERER_URL;
    else process.env.ELECTRON_RENDERER_URL = saved;
  }
  await fake.ready();
  return fake;
}

const event = () => ({ preventDefault: vi.fn() });

describe('the built main process (out/main/index.js)', () => {
  it('registers saddle:// as a standard, secure scheme before ready, with no CSP bypass or CORS', async () => {
    const fake = await loadMain({ isPackaged: true });
    expect(fake.privileged).toHaveLength(1);
    expect(fake.privileged[0].afterReady).toBe(false);
    const [scheme] = fake.privileged[0].schemes;
    expect(scheme.scheme).toBe('saddle');
    expect(scheme.privileges).toMatchObject({ standard: true, secure: true });
    expect(scheme.privileges?.bypassCSP).toBeFalsy();
    expect(scheme.privileges?.corsEnabled).toBeFalsy();
  });

  it('serves the UI on saddle://app with the CSP as a response header, and nothing outside it', async () => {
    const fake = await loadMain({ isPackaged: true });
    const handle = fake.protocolHandlers.get('saddle');
    expect(handle).toBeDefined();
    const get = async (url: string, method = 'GET') => handle!(new Request(url, { method }));

    const page = await get('saddle://app/index.html');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await page.text()).toBe(readFileSync(`${RENDERER_OUT}/index.html`, 'utf8'));
    const script = readdirSync(`${RENDERER_OUT}/assets`).find((f) => f.endsWith('.js'));
    const asset = await get(`saddle://app/assets/${script}`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect((await get('saddle://app/')).status).toBe(200);

    // out/renderer/../main/index.js and ../../package.json exist: none may be read.
    for (const url of [
      'saddle://app/..%2fmain%2findex.js',
      'saddle://app/%2e%2e/%2e%2e/package.json',
      'saddle://app/assets/..%2f..%2f..%2fpackage.json',
      'saddle://app/..%5c..%5cpackage.json',
      'saddle://app/index.html%00.js',
      'saddle://app/%E0%A4%A',
      'saddle://app/no-such-file.js',
      'saddle://evil/index.html',
    ]) {
      const refused = await get(url);
      expect(refused.status, url).toBeGreaterThanOrEqual(400);
      expect(refused.headers.get('content-security-policy'), url).toBe(CONTENT_SECURITY_POLICY);
      expect(await refused.text(), url).not.toMatch(/"name": "saddle"|registerSchemesAsPrivileged/);
    }
    expect((await get('saddle://app/index.html', 'POST')).status).toBe(405);
  });

  it('loads the UI from saddle://app, honouring ELECTRON_RENDERER_URL only when unpackaged', async () => {
    const packaged = await loadMain({ isPackaged: true, rendererUrl: 'https://evil.example/' });
    expect(packaged.windows[0].loadedUrls).toEqual(['saddle://app/index.html']);
    expect(packaged.windows[0].loadedFiles).toEqual([]);

    const dev = await loadMain({ isPackaged: false, rendererUrl: 'http://localhost:5173' });
    expect(dev.windows[0].loadedUrls).toEqual(['http://localhost:5173']);
    const remote = await loadMain({ isPackaged: false, rendererUrl: 'https://evil.example/' });
    expect(remote.windows[0].loadedUrls).toEqual(['saddle://app/index.html']);
  });

  it('opens the window isolated, sandboxed, without Node, with web security', async () => {
    const fake = await loadMain({ isPackaged: true });
    const prefs = fake.windows[0].options.webPreferences;
    expect(prefs).toEqual(secureWebPreferences(`${ROOT}/out/preload/index.cjs`));
    expect(prefs).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false, webSecurity: true });
  });

  it('confines every web contents: no navigation, redirects, webviews or new windows', async () => {
    const fake = await loadMain({ isPackaged: true });
    // A second web contents (as the PDF printer makes) gets the same treatment.
    new (fake.module.BrowserWindow as new (o: object) => object)({ show: false });
    expect(fake.contents).toHaveLength(2);
    for (const contents of fake.contents) {
      for (const name of ['will-navigate', 'will-frame-navigate', 'will-redirect', 'will-attach-webview']) {
        const e = event();
        contents.emit(name, e, { url: 'https://evil.example/' });
        expect(e.preventDefault, name).toHaveBeenCalled();
      }
      for (const url of ['https://evil.example/', 'https://pytorch.org/docs/', 'file:///etc/passwd']) {
        expect(contents.windowOpenHandler?.({ url })).toEqual({ action: 'deny' });
      }
    }
    await new Promise((r) => setTimeout(r, 0));
    // Of those, only the allow-listed https link went to the user's browser (once per contents).
    expect(fake.openedExternally).toEqual(['https://pytorch.org/docs/', 'https://pytorch.org/docs/']);
  });

  it('denies every permission request and check', async () => {
    const fake = await loadMain({ isPackaged: true });
    const details = { requestingUrl: APP_ENTRY_URL };
    for (const permission of ['media', 'notifications', 'geolocation', 'clipboard-read', 'openExternal', 'hid']) {
      const callback = vi.fn();
      (fake.permissionRequestHandler as (...a: unknown[]) => void)({}, permission, callback, details);
      expect(callback, permission).toHaveBeenCalledWith(false);
      const check = fake.permissionCheckHandler as ((...a: unknown[]) => boolean) | null;
      expect(check?.({}, permission, 'saddle://app', {}), permission).toBe(false);
    }
    expect((fake.devicePermissionHandler as (() => boolean) | null)?.()).toBe(false);
  });

  it('answers IPC only from its own top frame, with payloads checked by the contract', async () => {
    const fake = await loadMain({ isPackaged: false, rendererUrl: 'http://localhost:5173' });
    expect([...fake.ipcHandlers.keys()].sort()).toEqual(methodNames.map((m) => `saddle:${m}`).sort());
    const openModel = fake.ipcHandlers.get('saddle:openModel')!;
    const engine = fake.forks[0];
    // A refused call answers at once; one that reached the engine would wait for it, so time out.
    const call = (url: string, payload: unknown, top = true) =>
      Promise.race([
        openModel({ senderFrame: { url, parent: top ? null : {} } }, payload),
        new Promise((r) => setTimeout(() => r('no answer: the call went to the engine'), 500)),
      ]);

    for (const url of ['http://localhost:5173.evil.example/', 'https://evil.example/', 'file:///tmp/x.html']) {
      expect(await call(url, { path: '/m.onnx' })).toMatchObject({ ok: false, error: { kind: 'forbidden' } });
    }
    expect(await call('saddle://app/index.html', { path: '/m.onnx' }, false)).toMatchObject({
      error: { kind: 'forbidden' },
    });
    expect(await openModel({ senderFrame: null }, { path: '/m.onnx' })).toMatchObject({ error: { kind: 'forbidden' } });
    expect(await call('saddle://app/index.html', { path: 42 })).toMatchObject({ error: { kind: 'bad-request' } });
    expect(await call('saddle://app/index.html', { path: '/m.onnx', extra: 1 })).toMatchObject({
      error: { kind: 'bad-request' },
    });
    expect(engine.posted).toEqual([]);

    const answer = openModel({ senderFrame: { url: 'http://localhost:5173/', parent: null } }, { path: '/m.onnx' });
    await new Promise((r) => setTimeout(r, 0));
    expect(engine.posted).toEqual([{ type: 'call', id: 1, method: 'openModel', payload: { path: '/m.onnx' } }]);
    engine.process.emit('message', { id: 1, outcome: { ok: true, result: 'opened' } });
    expect(await answer).toEqual({ ok: true, result: 'opened' });
  });

  it('runs the engine in a utilityProcess, not in the main process', async () => {
    const fake = await loadMain({ isPackaged: true });
    expect(fake.forks).toHaveLength(1);
    expect(fake.forks[0].modulePath).toBe(`${ROOT}/out/main/engine.js`);
    const bundle = readFileSync(BUNDLE, 'utf8');
    expect(bundle).not.toMatch(/class SaddleService|better-sqlite3/);
    expect(bundle).not.toMatch(/\.loadFile\(/);
  });
});

describe('Electron trust decisions', () => {
  it('trusts its own scheme and the dev server by parsed origin, never by string prefix', () => {
    expect(isTrustedSender('saddle://app/index.html', undefined)).toBe(true);
    expect(isTrustedSender('saddle://app/index.html#demo', undefined)).toBe(true);
    expect(isTrustedSender('saddle://app.evil/index.html', undefined)).toBe(false);
    expect(isTrustedSender('saddle://evil@app/index.html', undefined)).toBe(false);
    expect(isTrustedSender('file:///opt/Saddle/resources/app.asar/out/renderer/index.html', undefined)).toBe(false);
    expect(isTrustedSender('https://evil.example/renderer/index.html', undefined)).toBe(false);
    const dev = 'http://localhost:5173';
    expect(isTrustedSender('http://localhost:5173/', dev)).toBe(true);
    expect(isTrustedSender('http://localhost:5173.evil.example/', dev)).toBe(false);
    expect(isTrustedSender('http://localhost:51730/', dev)).toBe(false);
    expect(isTrustedSender('https://localhost:5173/', dev)).toBe(false);
    expect(isTrustedSender('not a url', dev)).toBe(false);
  });

  it('honours a dev server only unpackaged and on loopback', () => {
    expect(trustedDevServerUrl(true, 'http://localhost:5173')).toBeUndefined();
    expect(trustedDevServerUrl(false, 'http://localhost:5173')).toBe('http://localhost:5173');
    expect(trustedDevServerUrl(false, 'http://127.0.0.1:5173/')).toBe('http://127.0.0.1:5173/');
    expect(trustedDevServerUrl(false, 'https://evil.example/')).toBeUndefined();
    expect(trustedDevServerUrl(false, 'file:///tmp/x.html')).toBeUndefined();
    expect(rendererEntryUrl(undefined, true)).toBe('saddle://app/index.html#demo');
  });

  it('confines saddle://app to the renderer build folder', () => {
    const root = '/opt/Saddle/out/renderer';
    expect(resolveAppFile('saddle://app/', root)).toEqual({ ok: true, file: `${root}/index.html` });
    expect(resolveAppFile('saddle://app/assets/a.js?x#y', root)).toEqual({ ok: true, file: `${root}/assets/a.js` });
    for (const url of [
      'saddle://app/..%2f..%2fpackage.json',
      'saddle://app/%2e%2e%2f%2e%2e%2fmain/index.js',
      'saddle://app/a/%2e%2e%2f%2e%2e%2f..%2fetc/passwd',
      'saddle://app/..%5cwin.ini',
      'saddle://app/a%00.js',
      'saddle://app/%ZZ',
      'saddle://other/index.html',
      'https://app/index.html',
    ]) {
      expect(resolveAppFile(url, root), url).toMatchObject({ ok: false });
    }
  });

  it('opens only allow-listed https links in the browser', () => {
    expect(isAllowedExternalUrl('https://pytorch.org/docs/stable/onnx.html')).toBe(true);
    expect(isAllowedExternalUrl('https://onnx.ai/')).toBe(true);
    for (const url of [
      'https://evil.example/',
      'http://pytorch.org/',
      'https://pytorch.org.evil.example/',
      'https://pytorch.org@evil.example/',
      'https://user@pytorch.org/',
      'file:///etc/passwd',
      'smb://host/share',
      'not a url',
    ]) {
      expect(isAllowedExternalUrl(url), url).toBe(false);
    }
  });

  it('grants no web permission', () => {
    for (const p of ['media', 'notifications', 'clipboard-read', 'fullscreen']) {
      expect(isPermissionAllowed(p, APP_ENTRY_URL)).toBe(false);
    }
  });

  it('checks IPC senders and payloads before anything reaches the engine', () => {
    const top = { url: 'saddle://app/index.html', isTopFrame: true };
    expect(checkIpcCall('openModel', top, { path: '/m.onnx' }, undefined)).toEqual({
      ok: true,
      request: { path: '/m.onnx' },
    });
    expect(checkIpcCall('openModel', { ...top, isTopFrame: false }, { path: '/m.onnx' }, undefined)).toMatchObject({
      ok: false,
      error: {
        kind: 'forbidden',
        message: "The page at 'saddle://app/index.html' (a sub-frame) may not call the engine.",
      },
    });
    const bad = checkIpcCall('openModel', top, { path: 7 }, undefined);
    expect(bad).toMatchObject({ ok: false, error: { kind: 'bad-request' } });
    expect(!bad.ok && bad.error.message).toMatch(/^Invalid openModel request \(at path\): /);
  });

  it('sends a CSP whose connect-src is its own origin only, in Electron and in the page itself', () => {
    const built = `${RENDERER_OUT}/index.html`;
    for (const [where, csp] of [
      ['the Electron header', CONTENT_SECURITY_POLICY],
      ['renderer/index.html', metaCsp(`${ROOT}/renderer/index.html`)],
      ['out/renderer/index.html', metaCsp(built)],
    ]) {
      const d = directives(csp);
      expect(d.get('connect-src'), where).toEqual(["'self'"]);
      expect(d.get('default-src'), where).toEqual(["'self'"]);
      expect(d.get('script-src'), where).toEqual(["'self'"]);
      expect(d.get('object-src'), where).toEqual(["'none'"]);
      expect(d.get('base-uri'), where).toEqual(["'none'"]);
      expect(csp, where).not.toMatch(/unsafe-eval|\bws:|\bwss:|\*/);
    }
    expect(directives(CONTENT_SECURITY_POLICY).get('frame-ancestors')).toEqual(["'none'"]);
  });
});

describe('Electron fuses for the packaged app', () => {
  it('turns off run-as-node, NODE_OPTIONS, --inspect and file:// privileges, and pins app.asar', () => {
    expect(SADDLE_FUSES).toEqual({
      RunAsNode: false,
      EnableNodeOptionsEnvironmentVariable: false,
      EnableNodeCliInspectArguments: false,
      EnableCookieEncryption: true,
      OnlyLoadAppFromAsar: true,
      EnableEmbeddedAsarIntegrityValidation: true,
      LoadBrowserProcessSpecificV8Snapshot: false,
      GrantFileProtocolExtraPrivileges: false,
    });
  });

  it("builds the fuses plugin's options keyed by the fuse wire's indices", () => {
    expect(fuseConfig('1', FUSE_V1_WIRE_INDEX)).toEqual({
      version: '1',
      0: false,
      1: true,
      2: false,
      3: false,
      4: true,
      5: true,
      6: false,
      7: false,
    });
    const { GrantFileProtocolExtraPrivileges: _, ...olderEnum } = FUSE_V1_WIRE_INDEX;
    expect(() => fuseConfig('1', olderEnum as typeof FUSE_V1_WIRE_INDEX)).toThrow(
      'Fuses: this @electron/fuses has no fuse named GrantFileProtocolExtraPrivileges.',
    );
  });
});

describe('the preload bridge', () => {
  it('exposes one function per contract method plus pathForFile and onEvent, nothing else', () => {
    const bridge = makeBridge({ invoke: vi.fn(), getPathForFile: vi.fn(), subscribe: vi.fn() });
    expect(Object.keys(bridge).sort()).toEqual([...methodNames, 'onEvent', 'pathForFile'].sort());
    for (const value of Object.values(bridge)) expect(typeof value).toBe('function');
    expect(Object.isFrozen(bridge)).toBe(true);
  });

  it('calls the namespaced channel and turns errors into sentences', async () => {
    const invoke = vi.fn(async () => ({ ok: false, error: { kind: 'corrupt', message: 'ONNX reader: bad.' } }));
    const bridge = makeBridge({ invoke, getPathForFile: vi.fn(), subscribe: vi.fn() }) as unknown as Record<
      string,
      (r: unknown) => Promise<unknown>
    >;
    await expect(bridge.openModel({ path: '/x.onnx' })).rejects.toThrow('ONNX reader: bad.');
    expect(invoke).toHaveBeenCalledWith('saddle:openModel', { path: '/x.onnx' });
  });

  it('passes on only well-formed engine events', () => {
    let push: (d: unknown) => void = () => {};
    const subscribe = (listener: (d: unknown) => void) => {
      push = listener;
      return () => {};
    };
    const bridge = makeBridge({ invoke: vi.fn(), getPathForFile: vi.fn(), subscribe });
    const seen: unknown[] = [];
    bridge.onEvent((e) => seen.push(e));
    push({ type: 'progress', job: 'j', stage: 's', done: 1, total: 2 });
    push({ type: 'evil', payload: 'x' });
    expect(seen).toEqual([{ type: 'progress', job: 'j', stage: 's', done: 1, total: 2 }]);
  });
});
