/** A run's exports, as the runs table offers them. */
import type { ExportChoice, ExportedFile, RunSummary } from '../../../src/api/contract';
import type { Host } from '../api';
import { h } from '../dom';

export function download(file: ExportedFile): void {
  const bytes = file.encoding === 'base64' ? Uint8Array.from(atob(file.content), (c) => c.charCodeAt(0)) : file.content;
  const url = URL.createObjectURL(new Blob([bytes], { type: file.mimeType }));
  const a = h('a', { href: url, download: file.fileName, hidden: true });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** The export menu of a run: only what it can give (the engine decides from what the run holds). */
export function exportMenu(host: Host, r: RunSummary, onError: (e: unknown) => void) {
  let choices: ExportChoice[] = [];
  const select = h('select', { 'aria-label': `export format for ${r.name}`, disabled: true });
  const exportButton = h(
    'button',
    {
      type: 'button',
      disabled: true,
      onclick: async () => {
        const c = choices[Number(select.value)];
        if (!c) return;
        try {
          download(
            await host.api.exportRun({
              id: r.id,
              format: c.format,
              ...(c.table ? { table: c.table } : {}),
              ...(c.figure ? { figure: c.figure } : {}),
            }),
          );
        } catch (e) {
          onError(e);
        }
      },
    },
    'Export',
  );
  // Only what this run can give: the engine decides from what the run holds.
  host.api.availableExports({ id: r.id }).then(
    (list) => {
      choices = list;
      select.replaceChildren(...list.map((c, k) => h('option', { value: String(k) }, c.label)));
      select.disabled = exportButton.disabled = list.length === 0;
    },
    () => {
      // The run was deleted meanwhile: the next refresh drops its row.
    },
  );
  return { select, exportButton };
}
