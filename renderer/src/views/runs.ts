/**
 * The runs panel: every run in the engine's database (the app's, or the one `saddle serve --db`
 * shares with CLI runs), with its state, and exports of each. PDF is offered in the desktop app only.
 */
import type { ExportedFile, RunSummary } from '../../../src/api/contract';
import type { Host } from '../api';
import { isConnectionError } from '../connection';
import { h } from '../dom';

type Format = 'json' | 'csv' | 'vtp' | 'h5' | 'npz' | 'lla' | 'png' | 'html';

/** What each kind of run can be exported as; the engine refuses the rest with a sentence anyway. */
const FORMATS: Record<string, Array<[Format, string]>> = {
  grid: [
    ['html', 'HTML report'],
    ['png', 'PNG figure'],
    ['csv', 'CSV grid'],
    ['vtp', 'ParaView VTP'],
    ['h5', 'HDF5 (Li)'],
    ['json', 'JSON'],
  ],
  hessian: [
    ['html', 'HTML report'],
    ['png', 'PNG density'],
    ['csv', 'CSV eigenvalues'],
    ['lla', 'LLA log line'],
    ['npz', 'eigenvectors (.npz)'],
    ['json', 'JSON'],
  ],
  loss: [
    ['html', 'HTML report'],
    ['json', 'JSON'],
  ],
};

function formatsOf(kind: string): Array<[Format, string]> {
  return FORMATS[kind] ?? (['landscape', 'interpolate', 'trajectory'].includes(kind) ? FORMATS.grid : FORMATS.loss);
}

function download(file: ExportedFile): void {
  const bytes = file.encoding === 'base64' ? Uint8Array.from(atob(file.content), (c) => c.charCodeAt(0)) : file.content;
  const url = URL.createObjectURL(new Blob([bytes], { type: file.mimeType }));
  const a = h('a', { href: url, download: file.fileName, hidden: true });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

const when = (iso: string) => iso.replace('T', ' ').slice(0, 16);

/** The run's figures, as the engine draws them for reports (SVG, shown as images: no script runs). */
async function figures(host: Host, r: RunSummary): Promise<HTMLElement[]> {
  const grid = ['landscape', 'interpolate', 'trajectory'].includes(r.kind);
  const wanted: Array<'surface' | undefined> = grid ? [undefined, 'surface'] : [undefined];
  const out: HTMLElement[] = [];
  for (const figure of wanted) {
    try {
      const file = await host.api.exportRun({ id: r.id, format: 'svg', ...(figure ? { figure } : {}) });
      const url = URL.createObjectURL(new Blob([file.content], { type: 'image/svg+xml' }));
      out.push(h('img', { src: url, alt: `${r.name}: ${figure ?? 'figure'}`, class: 'figure' }));
    } catch (e) {
      // A 1-D curve has no surface; a loss run has no figure at all. A lost server is not "no figures".
      if (isConnectionError(e)) throw e;
    }
  }
  return out;
}

export function runsPanel(
  host: Host,
  onError: (e: unknown) => void,
): { element: HTMLElement; refresh(): Promise<void> } {
  const body = h('tbody', {});
  const viewer = h('div', { class: 'viewer', 'data-testid': 'run-figures' });
  const empty = h('p', { class: 'muted', 'data-testid': 'runs-empty' }, 'No runs yet.');
  const element = h(
    'section',
    { class: 'card runs', 'data-testid': 'runs' },
    h('h2', {}, 'Runs'),
    h(
      'p',
      { class: 'muted' },
      'Analyses recorded by this engine and by CLI runs on the same database. Drop a saddle.db or a Li .h5 surface file to import runs.',
    ),
    empty,
    h(
      'table',
      {},
      h('thead', {}, h('tr', {}, ...['name', 'kind', 'state', 'created', 'time', 'export'].map((c) => h('th', {}, c)))),
      body,
    ),
    viewer,
  );

  /** Clicking a run's name shows its figures under the table. */
  const show = async (r: RunSummary) => {
    for (const img of viewer.querySelectorAll('img')) URL.revokeObjectURL(img.src);
    const shown = await figures(host, r);
    viewer.replaceChildren(
      h('h3', {}, r.name),
      ...(shown.length ? shown : [h('p', { class: 'muted' }, 'This run has no figures; export its report or JSON.')]),
    );
  };

  const row = (r: RunSummary): HTMLElement => {
    const select = h('select', { 'aria-label': `export format for ${r.name}` });
    for (const [value, label] of formatsOf(r.kind)) select.append(h('option', { value }, label));
    const exportButton = h(
      'button',
      {
        type: 'button',
        onclick: async () => {
          try {
            const format = select.value as Format;
            download(await host.api.exportRun({ id: r.id, format }));
          } catch (e) {
            onError(e);
          }
        },
      },
      'Export',
    );
    const pdf =
      host.kind === 'electron'
        ? h(
            'button',
            {
              type: 'button',
              onclick: () => host.api.exportPdf({ id: r.id }).catch(onError),
            },
            'PDF…',
          )
        : null;
    const resumable = r.kind === 'landscape' && ['crashed', 'cancelled', 'failed'].includes(r.state);
    const resume = resumable
      ? h(
          'button',
          {
            type: 'button',
            onclick: () =>
              host.api.resumeRun({ job: `resume-${r.id.slice(0, 8)}-${Date.now()}`, id: r.id }).catch(onError),
          },
          'Resume',
        )
      : null;
    return h(
      'tr',
      { 'data-run': r.id },
      h(
        'td',
        { title: r.id },
        h(
          'a',
          {
            href: '#',
            onclick: (e: Event) => {
              e.preventDefault();
              void show(r).catch(onError);
            },
          },
          r.name,
        ),
      ),
      h('td', {}, r.kind),
      h('td', {}, h('span', { class: `state ${r.state}`, title: r.error ?? '' }, r.state)),
      h('td', {}, when(r.createdAt)),
      h('td', { class: 'num' }, r.seconds === null ? '' : `${r.seconds.toFixed(1)} s`),
      h('td', {}, select, ' ', exportButton, pdf ? ' ' : '', pdf, resume ? ' ' : '', resume),
    );
  };

  const refresh = async () => {
    try {
      const runs = await host.api.listRuns({});
      body.replaceChildren(...runs.map(row));
      empty.hidden = runs.length > 0;
    } catch (e) {
      // An engine without a database (never the app or serve) has no runs to show.
      empty.textContent = e instanceof Error ? e.message : String(e);
    }
  };
  return { element, refresh };
}
