/**
 * The window's security settings, kept apart from main.ts so a unit test can assert them without
 * starting Electron. https://www.electronjs.org/docs/latest/tutorial/security
 */
export const CHANNEL_PREFIX = 'saddle:';
export const EVENTS_PORT_CHANNEL = 'saddle:events-port';
export const ENGINE_RESTARTED_CHANNEL = 'saddle:engine-restarted';

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
    spellcheck: false,
  } as const;
}

/** The Content-Security-Policy sent with every response to the window. */
export const CONTENT_SECURITY_POLICY =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

/** Only our own pages may talk to the engine: the built renderer (file://) or the dev server. */
export function isTrustedSender(url: string, devServerUrl: string | undefined): boolean {
  if (devServerUrl && url.startsWith(devServerUrl)) return true;
  try {
    const u = new URL(url);
    return u.protocol === 'file:' && u.pathname.endsWith('/renderer/index.html');
  } catch {
    return false;
  }
}
