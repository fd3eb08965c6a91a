/**
 * The desktop app's trust decisions, kept apart from main.ts as pure functions and constants so a
 * unit test can assert them without starting Electron. main.ts only wires them to Electron's hooks.
 * https://www.electronjs.org/docs/latest/tutorial/security
 */
export const CHANNEL_PREFIX = 'saddle:';
export const EVENTS_PORT_CHANNEL = 'saddle:events-port';
export const ENGINE_RESTARTED_CHANNEL = 'saddle:engine-restarted';

/** The UI is served from this scheme and host (see protocol.ts), never from file://. */
export const APP_SCHEME = 'saddle';
export const APP_HOST = 'app';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_ENTRY_URL = `${APP_ORIGIN}/index.html`;

export function secureWebPreferences(preloadPath: string) {
  return {
    preload: preloadPath,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    experimentalFeatures: false,
    webviewTag: false,
    // A file dropped beside the drop zone must not replace the UI with a file:// page.
    navigateOnDragDrop: false,
    safeDialogs: true,
    spellcheck: false,
  } as const;
}

/**
 * The Content-Security-Policy sent as a header with every file of the UI. The page talks to the
 * engine over IPC, not the network, so connect-src is its own origin only: no WebSockets, no hosts.
 */
export const CONTENT_SECURITY_POLICY =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/**
 * The dev server's URL, honoured only in an unpackaged app and only on loopback: in an installed
 * app, ELECTRON_RENDERER_URL in the environment must not swap in another page with engine access.
 */
export function trustedDevServerUrl(isPackaged: boolean, envValue: string | undefined): string | undefined {
  if (isPackaged || !envValue) return undefined;
  try {
    const u = new URL(envValue);
    const loopback = ['localhost', '127.0.0.1', '[::1]'].includes(u.hostname);
    return (u.protocol === 'http:' || u.protocol === 'https:') && loopback ? envValue : undefined;
  } catch {
    return undefined;
  }
}

/** What the window loads: the dev server when one is trusted, else the built UI on our scheme. */
export function rendererEntryUrl(devServerUrl: string | undefined, demo: boolean): string {
  return (devServerUrl ?? APP_ENTRY_URL) + (demo ? '#demo' : '');
}

/**
 * Only our own pages may talk to the engine: the built UI on saddle://app, or (unpackaged) the dev
 * server. Compared by parsed scheme, host and port, never by string prefix, so
 * `http://localhost:5173.evil.example` is not `http://localhost:5173`.
 */
export function isTrustedSender(url: string, devServerUrl: string | undefined): boolean {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return false;
  }
  if (u.username || u.password) return false;
  // A custom scheme's URL.origin is "null" in Node, so compare its parts.
  if (u.protocol === `${APP_SCHEME}:`) return u.host === APP_HOST;
  if (!devServerUrl || (u.protocol !== 'http:' && u.protocol !== 'https:')) return false;
  try {
    return u.origin === new URL(devServerUrl).origin;
  } catch {
    return false;
  }
}

/**
 * Links the page may open in the user's browser: https on these exact origins (the documentation
 * of the formats Saddle reads). Anything else a page asks for is refused; add an origin here when
 * the UI gains a link to it.
 */
export const EXTERNAL_LINK_ORIGINS: readonly string[] = ['https://onnx.ai', 'https://pytorch.org'];

export function isAllowedExternalUrl(url: string): boolean {
  try {
    const u = new URL(url);
    return u.protocol === 'https:' && !u.username && !u.password && EXTERNAL_LINK_ORIGINS.includes(u.origin);
  } catch {
    return false;
  }
}

/** Web permissions the UI uses: none (no camera, notifications, clipboard reads, USB, ...). */
export const ALLOWED_PERMISSIONS: ReadonlySet<string> = new Set();

export function isPermissionAllowed(permission: string, requestingUrl: string): boolean {
  return ALLOWED_PERMISSIONS.has(permission) && isTrustedSender(requestingUrl, undefined);
}
