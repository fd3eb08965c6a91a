/**
 * PDF of a run's HTML report: rendered in a hidden, sandboxed window with JavaScript off (the report
 * has none), printed by Chromium, saved where the user picks. Only the desktop app can do this;
 * `saddle serve` users print the HTML report from their browser.
 */
import { BrowserWindow, dialog } from 'electron';
import { writeFileAtomic } from '../src/util/atomic-write';

export async function htmlToPdf(html: string): Promise<Buffer> {
  const win = new BrowserWindow({
    show: false,
    webPreferences: { sandbox: true, contextIsolation: true, nodeIntegration: false, javascript: false },
  });
  try {
    win.webContents.on('will-navigate', (e) => e.preventDefault());
    await win.loadURL(`data:text/html;charset=utf-8,${encodeURIComponent(html)}`);
    return await win.webContents.printToPDF({ printBackground: true, pageSize: 'A4' });
  } finally {
    win.destroy();
  }
}

/** Ask where to save, then write the PDF whole or not at all. Null when the user cancels. */
export async function savePdf(parent: BrowserWindow | null, defaultName: string, html: string): Promise<string | null> {
  const options = { defaultPath: defaultName, filters: [{ name: 'PDF', extensions: ['pdf'] }] };
  const choice = parent ? await dialog.showSaveDialog(parent, options) : await dialog.showSaveDialog(options);
  if (choice.canceled || !choice.filePath) return null;
  writeFileAtomic(choice.filePath, await htmlToPdf(html));
  return choice.filePath;
}
