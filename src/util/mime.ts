/**
 * The content types of the UI's own files, for both hosts that serve them: `saddle serve` over HTTP
 * and the desktop app's saddle:// scheme. Anything else is served as application/octet-stream.
 * (No imports: the Electron main bundle takes this file and must not pull in the engine.)
 */
export const UI_FILE_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
};

export function uiFileType(extension: string): string {
  return UI_FILE_TYPES[extension] ?? 'application/octet-stream';
}
